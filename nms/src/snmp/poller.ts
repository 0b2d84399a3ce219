// Scheduler: each device is due every pollIntervalSeconds (first polls spread over the
// interval); at most `concurrency` polls run at once; a device still being polled when it
// is due again is skipped, so a slow or dead device only delays itself.
import type { Logger } from 'pino';
import type { PollSnapshot } from '../domain/interfaces';
import type { Device } from '../domain/inventory';
import type { PollLimits, PollOutcome, SnmpTarget } from './client';
import { pollDevice } from './client';
import { EngineCache, engineKey } from './engine-cache';
import { SnmpError } from './errors';
import type { PollPlan } from './poll-engine';

export interface PollerHooks {
  onResult(device: Device, snap: PollSnapshot): void;
  onError(device: Device, code: string, message: string): void;
  /** Self-health: duration, outcome code ('ok' or an error code), PDUs and varbinds. */
  onPollDone?(info: { device: Device; seconds: number; code: string; pdus: number; varbinds: number }): void;
  onSkipped?(device: Device): void;
  /** A hook threw or a poll ended in an unexpected way: logged and counted, never left unhandled. */
  onInternalError?(where: string, err: unknown): void;
}

export type PollFn = (t: SnmpTarget, limits: PollLimits, plan?: PollPlan, engines?: EngineCache) => Promise<PollOutcome>;

export interface PollerOptions {
  concurrency: number;
  limits: PollLimits;
  /** What each poll reads (poll modules); the default modules when absent. */
  plan?: PollPlan;
  logger: Logger;
  hooks: PollerHooks;
  pollFn?: PollFn;
  /** Shortest time between two scheduling passes (ms). */
  tickMs?: number;
}

interface Entry {
  device: Device;
  nextDue: number;
  running: boolean;
  /** Poll again as soon as the poll in flight ends (a trap arrived meanwhile). */
  again: boolean;
}

/** A device due this close after a pass is polled in it, not a tick later. */
const EARLY_MS = 5;

export class Poller {
  private readonly entries = new Map<string, Entry>();
  private readonly queue: Entry[] = [];
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private lastTick = 0;
  private readonly pollFn: PollFn;
  private stopped = false;
  /** Polls are scheduled only between start() and stop(); pollNow and confirm work regardless. */
  private started = false;
  /** SNMPv3 engines discovered by this poller's polls, per device (see engine-cache.ts). */
  readonly engines = new EngineCache();

  constructor(private readonly opts: PollerOptions) {
    this.pollFn = opts.pollFn ?? pollDevice;
  }

  get inFlight(): number {
    return this.running;
  }
  get queued(): number {
    return this.queue.length;
  }

  /** Replaces the device set; keeps the schedule of devices that stay. */
  setDevices(devices: Device[]): void {
    const now = Date.now();
    const keep = new Set<string>();
    for (const d of devices) {
      if (!d.snmp) continue;
      keep.add(d.id);
      const e = this.entries.get(d.id);
      if (e) {
        if (e.device.pollIntervalSeconds !== d.pollIntervalSeconds) e.nextDue = now;
        e.device = d;
      } else {
        this.entries.set(d.id, {
          device: d,
          nextDue: now + Math.floor(Math.random() * Math.min(d.pollIntervalSeconds * 1000, 5000)),
          running: false,
          again: false,
        });
      }
    }
    for (const id of this.entries.keys()) if (!keep.has(id)) this.entries.delete(id);
    // Engines of removed devices or of changed credentials are not kept.
    const engines = new Set<string>();
    for (const { device: d } of this.entries.values()) {
      const k = d.snmp ? engineKey(d.address, d.snmpPort, d.snmp) : null;
      if (k) engines.add(k);
    }
    this.engines.retain(engines);
    this.schedule(this.earliestDue());
  }

  start(): void {
    this.stopped = false;
    this.started = true;
    this.schedule(this.earliestDue());
  }

  stop(): void {
    this.stopped = true;
    this.started = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private earliestDue(): number {
    let at = Number.POSITIVE_INFINITY;
    for (const e of this.entries.values()) if (e.nextDue < at) at = e.nextDue;
    return at;
  }

  /**
   * Wakes at the next due poll, never sooner than tickMs after the last pass: a timer five times a
   * second with nothing due cost an idle service more than its polls, and with many devices one pass
   * takes every device that came due since the last.
   */
  private schedule(due: number): void {
    if (!this.started || due === Number.POSITIVE_INFINITY) return;
    const at = Math.max(due, this.lastTick + (this.opts.tickMs ?? 200));
    if (this.timer && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.tick();
      },
      Math.max(0, at - Date.now()),
    );
    this.timer.unref();
  }

  /** Polls one device now (tests, "poll now" in the API). */
  pollNow(id: string): Promise<void> {
    const e = this.entries.get(id);
    if (!e || e.running) return Promise.resolve();
    return this.run(e);
  }

  /**
   * A trap's claim is checked by polling now; a poll in flight may have read the device before
   * the event, so then the device is polled once more right after it.
   */
  confirm(id: string): void {
    const e = this.entries.get(id);
    if (!e || this.stopped) return;
    if (e.running) e.again = true;
    else this.launch(e);
  }

  /** Runs a poll whose promise nobody awaits: whatever escapes is logged and counted. */
  private launch(e: Entry): void {
    this.run(e).catch((err: unknown) => this.internalError('poll', err));
  }

  private internalError(where: string, err: unknown): void {
    this.opts.logger.error({ where, err: err instanceof Error ? err.message : String(err) }, 'poller internal error');
    try {
      this.opts.hooks.onInternalError?.(where, err);
    } catch {
      // counting failed too: the log line above is what is left
    }
  }

  /** Runs a hook; a throwing hook must not end the poll (or the process). */
  private hook(where: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.internalError(where, err);
    }
  }

  private tick(): void {
    const now = Date.now();
    this.lastTick = now;
    let next = Number.POSITIVE_INFINITY;
    for (const e of this.entries.values()) {
      // A timer may fire a little before a due time that is not a whole millisecond away.
      if (e.nextDue > now + EARLY_MS) {
        next = Math.min(next, e.nextDue);
        continue;
      }
      e.nextDue += e.device.pollIntervalSeconds * 1000;
      if (e.nextDue < now) e.nextDue = now + e.device.pollIntervalSeconds * 1000;
      next = Math.min(next, e.nextDue);
      if (e.running || this.queue.includes(e)) {
        this.opts.hooks.onSkipped?.(e.device);
        continue;
      }
      this.queue.push(e);
    }
    this.drain();
    this.schedule(next);
  }

  private drain(): void {
    while (!this.stopped && this.running < this.opts.concurrency && this.queue.length > 0) {
      const e = this.queue.shift()!;
      if (!this.entries.has(e.device.id)) continue;
      this.launch(e);
    }
  }

  private async run(e: Entry): Promise<void> {
    const d = e.device;
    const creds = d.snmp;
    if (!creds) return;
    e.running = true;
    this.running++;
    const started = performance.now();
    let code = 'ok';
    let pdus = 0;
    let varbinds = 0;
    try {
      const out = await this.pollFn(
        { address: d.address, port: d.snmpPort, credentials: creds, timeoutMs: d.timeoutMs, retries: d.retries },
        this.opts.limits,
        this.opts.plan,
        this.engines,
      );
      pdus = out.pdus;
      varbinds = out.varbinds;
      if (this.entries.has(d.id)) this.hook('onResult', () => this.opts.hooks.onResult(e.device, out.snapshot));
    } catch (err) {
      const se = err instanceof SnmpError ? err : new SnmpError('SNMP_ERROR', err instanceof Error ? err.message : String(err));
      code = se.code;
      pdus = (err as { pdus?: number }).pdus ?? 0;
      this.opts.logger.debug({ device: d.name, code, err: se.message }, 'poll failed');
      if (this.entries.has(d.id)) this.hook('onError', () => this.opts.hooks.onError(e.device, se.code, se.message));
    } finally {
      e.running = false;
      this.running--;
      const seconds = (performance.now() - started) / 1000;
      this.hook('onPollDone', () => this.opts.hooks.onPollDone?.({ device: d, seconds, code, pdus, varbinds }));
      if (e.again && !this.stopped && this.entries.has(d.id)) {
        e.again = false;
        this.launch(e);
      }
      this.drain();
    }
  }
}
