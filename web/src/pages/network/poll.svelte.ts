// Periodic refresh for a network view: keeps the last good data when a refresh fails,
// so a blip of nms shows an error beside stale data instead of blanking the page.
import { ApiError } from '../../lib/api/client';

export interface Polled<T> {
  data: T | null;
  error: { code: string; message: string } | null;
  loading: boolean;
  updatedAt: number | null;
  refresh(): Promise<void>;
}

export function poll<T>(load: () => Promise<T>, intervalMs: number): Polled<T> & { stop(): void } {
  const s = $state<Polled<T>>({
    data: null,
    error: null,
    loading: true,
    updatedAt: null,
    refresh: async () => undefined,
  });
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  let seq = 0;
  const run = async () => {
    if (timer) clearTimeout(timer);
    const mine = ++seq;
    try {
      const data = await load();
      if (stopped || mine !== seq) return;
      s.data = data;
      s.error = null;
      s.updatedAt = Date.now();
    } catch (e) {
      if (stopped || mine !== seq) return;
      s.error = e instanceof ApiError ? { code: e.code, message: e.message } : { code: 'NETWORK', message: (e as Error).message };
    } finally {
      if (mine === seq) s.loading = false;
    }
    if (!stopped && mine === seq) timer = setTimeout(run, intervalMs);
  };
  s.refresh = run;
  void run();
  return Object.assign(s, {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  });
}
