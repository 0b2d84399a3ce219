// ICMP probes with Debian's fping: one `fping -C` round for all targets every interval;
// loss, mean RTT and jitter per round; percentiles over a sliding window.
import { spawn } from 'node:child_process';
import type { Logger } from 'pino';
import type { ProbeStats } from '../domain/device-intake';
import { isManagementAddress } from '../domain/inventory';
import { percentile } from '../domain/ring-buffer';

/** `host : 0.05 0.04 - 0.03` lines -> RTTs in ms, null for a lost ping. */
export function parseFpingC(output: string): Map<string, (number | null)[]> {
  const out = new Map<string, (number | null)[]>();
  for (const line of output.split('\n')) {
    const m = /^(\S+)\s+:\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    const values = m[2]!.trim().split(/\s+/);
    if (!values.every((v) => v === '-' || /^\d+(\.\d+)?$/.test(v))) continue; // summary or error lines
    out.set(
      m[1]!,
      values.map((v) => (v === '-' ? null : Number(v))),
    );
  }
  return out;
}

export function roundStats(rtts: (number | null)[], window: number[]): ProbeStats {
  const got = rtts.filter((v): v is number => v !== null);
  let jitter: number | null = null;
  if (got.length >= 2) {
    let sum = 0;
    for (let i = 1; i < got.length; i++) sum += Math.abs(got[i]! - got[i - 1]!);
    jitter = sum / (got.length - 1);
  }
  return {
    rttMs: got.length ? got.reduce((a, b) => a + b, 0) / got.length : null,
    lossRatio: rtts.length ? (rtts.length - got.length) / rtts.length : 1,
    jitterMs: jitter,
    p50: percentile(window, 50),
    p95: percentile(window, 95),
    p99: percentile(window, 99),
    sent: rtts.length,
    received: got.length,
  };
}

export interface ProberOptions {
  fpingPath: string;
  intervalSeconds: number;
  pingsPerRound: number;
  timeoutMs: number;
  windowSeconds: number;
  targets: () => string[];
  onStats(target: string, stats: ProbeStats): void;
  onRound?(seconds: number, ok: boolean): void;
  logger: Logger;
}

export class Prober {
  private timer: NodeJS.Timeout | undefined;
  private readonly windows = new Map<string, { t: number; rtt: number }[]>();
  private busy = false;
  /** A stable code and short message for /healthz (never fping's output or paths: those go to the log). */
  lastError: string | null = null;

  constructor(private readonly o: ProberOptions) {}

  start(): void {
    void this.round();
    this.timer = setInterval(() => void this.round(), this.o.intervalSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async round(): Promise<void> {
    if (this.busy) return;
    // Addresses are checked on the way in; a stored one that is not an address is never handed to fping.
    const targets = [...new Set(this.o.targets())].filter(isManagementAddress);
    if (targets.length === 0) return;
    this.busy = true;
    const started = performance.now();
    try {
      const period = Math.max(20, Math.floor(((this.o.intervalSeconds * 1000) / 2 - this.o.timeoutMs) / this.o.pingsPerRound));
      const text = await runFping(this.o.fpingPath, [
        '-C',
        String(this.o.pingsPerRound),
        '-q',
        '-p',
        String(period),
        '-t',
        String(this.o.timeoutMs),
        '-i',
        '5',
        // Everything after `--` is a target, never an option (`-f FILE`, `--generate`...).
        '--',
        ...targets,
      ]);
      const parsed = parseFpingC(text);
      const now = Date.now();
      for (const target of targets) {
        const rtts = parsed.get(target) ?? new Array<number | null>(this.o.pingsPerRound).fill(null);
        const w = (this.windows.get(target) ?? []).filter((s) => now - s.t < this.o.windowSeconds * 1000);
        for (const r of rtts) if (r !== null) w.push({ t: now, rtt: r });
        this.windows.set(target, w);
        this.o.onStats(
          target,
          roundStats(
            rtts,
            w.map((s) => s.rtt),
          ),
        );
      }
      this.lastError = null;
      this.o.onRound?.((performance.now() - started) / 1000, true);
    } catch (e) {
      this.lastError = e instanceof FpingError ? `PROBE_FAILED: ${e.summary}` : 'PROBE_FAILED: fping round failed';
      this.o.logger.warn({ err: (e as Error).message }, 'fping round failed');
      this.o.onRound?.((performance.now() - started) / 1000, false);
    } finally {
      this.busy = false;
    }
  }
}

/** The full story for the log; `summary` is what health may show. */
class FpingError extends Error {
  constructor(
    readonly summary: string,
    detail: string,
  ) {
    super(`${summary}: ${detail}`);
  }
}

function runFping(path: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    p.stdout.on('data', (d) => {
      text += d;
    });
    p.stderr.on('data', (d) => {
      text += d;
    });
    p.on('error', (e) => reject(new FpingError('fping could not be started', e.message)));
    // 1: some targets did not answer; 2: some names did not resolve (those count as lost).
    // Either way the other targets' results are valid.
    p.on('close', (code) =>
      code === 0 || code === 1 || code === 2 ? resolve(text) : reject(new FpingError(`fping exited with code ${code}`, text.slice(0, 200))),
    );
  });
}
