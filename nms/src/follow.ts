// What nms reads from sfu-server in the background (session key, logged-out sessions, site
// tree) runs on one loop: now, then again after each run, until stopped.

export interface Follower {
  stop(): void;
  /** Settles after the first run, whatever its outcome. */
  first: Promise<void>;
}

/** With untilOk the loop ends at the first run that succeeds (a one-time fetch retried). */
export function repeat(
  task: () => Promise<void>,
  everyMs: number,
  onError: (e: Error) => void,
  opts: { untilOk?: boolean } = {},
): Follower {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let settleFirst!: () => void;
  const first = new Promise<void>((r) => {
    settleFirst = r;
  });
  const run = async () => {
    let ok = false;
    try {
      await task();
      ok = true;
    } catch (e) {
      onError(e as Error);
    } finally {
      settleFirst();
      if (!stopped && !(ok && opts.untilOk)) {
        timer = setTimeout(() => void run(), everyMs);
        timer.unref();
      }
    }
  };
  void run();
  return {
    first,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/** GET with a timeout; anything but 2xx is an error. */
export async function fetchOk(url: string): Promise<Response> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res;
}
