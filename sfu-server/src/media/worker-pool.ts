// mediasoup worker pool: one worker per core, each with a WebRtcServer on one
// UDP and one TCP port (basePort + index) so a firewall needs two ports per worker.
// A worker that dies is replaced on the same index and ports; listeners rebuild.
// At start, a port still held (say by the workers of an sfu-server that just stopped) is waited for.
import { EventEmitter, once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, type Logger } from '@lienthong/kit';
import type { types } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import {
  backoffMs,
  describePort,
  isPortInUseText,
  MediaPortsTakenError,
  nextStartRetryMs,
  portsTakenMessage,
  START_PORT_WAIT_MS,
  takenPort,
} from './port-wait';
import { processDying } from './worker-liveness';

export interface WorkerPoolOptions {
  workers: number;
  listenIp: string;
  announcedAddress: string;
  basePort: number;
  logLevel: types.WorkerLogLevel;
  logger: Logger;
  /** Keep one more worker started, without ports, to take a dead worker's place at once. */
  spareWorker?: boolean;
}

export interface PooledWorker {
  index: number;
  worker: types.Worker;
  webRtcServer: types.WebRtcServer;
  /** Routers currently on this worker (for load spreading). */
  routers: number;
}

/** One start's wait for taken ports, shared by all its workers. */
interface StartWait {
  since?: number;
  logged?: string;
}

interface PoolEvents {
  /** A worker died and was replaced: everything that lived on it is gone. */
  workerReplaced: [index: number, replacement: PooledWorker];
  workerDied: [index: number, error: Error];
}

let logListenersSet = false;

/** How long a room waits for a replacement worker when none is live (a spawn takes 0.1–1 s). */
const LIVE_WAIT_MS = 10_000;

/** After a replacement, the next spare worker is started this much later. */
const SPARE_DELAY_MS = 2000;

const unavailable = () => new AppError('MEDIA_UNAVAILABLE', 'Media server is restarting, retry shortly', 503);

/** Retries a failed WebRtcServer on the same worker while it resolves true; may throw instead. */
type ListenRetry = (error: unknown, attempt: number) => Promise<boolean>;
const noRetry: ListenRetry = async () => false;

export class MediaWorkerPool extends EventEmitter<PoolEvents> {
  private readonly slots: (PooledWorker | undefined)[] = [];
  private closed = false;
  /** Started ahead (spareWorker): a replacement then only binds its ports, no process start. */
  private spare: Promise<types.Worker | undefined> | undefined;
  /** Deaths since start, for metrics and health. */
  deaths = 0;

  constructor(private readonly opts: WorkerPoolOptions) {
    super();
    if (!logListenersSet) {
      // Route mediasoup's own Node-side logs into pino. A port in use is reported by the pool
      // in one line, so mediasoup's own lines about it go to debug.
      const log = opts.logger.child({ component: 'mediasoup' });
      mediasoup.setLogEventListeners({
        ondebug: undefined,
        onwarn: (ns, msg) => (isPortInUseText(msg) ? log.debug({ ns }, msg) : log.warn({ ns }, msg)),
        onerror: (ns, msg, err) => (isPortInUseText(msg) ? log.debug({ ns }, msg) : log.error({ ns, err }, msg)),
      });
      logListenersSet = true;
    }
  }

  /** Throws MediaPortsTakenError when a port is still taken after START_PORT_WAIT_MS. */
  async start(): Promise<void> {
    const wait: StartWait = {};
    for (let i = 0; i < this.opts.workers; i++) this.slots[i] = await this.spawn(i, this.startRetry(i, wait));
    this.keepSpare();
    this.opts.logger.info({ workers: this.opts.workers, basePort: this.opts.basePort }, 'mediasoup workers started');
  }

  get size(): number {
    return this.slots.length;
  }

  all(): PooledWorker[] {
    return this.slots.filter((s): s is PooledWorker => s !== undefined);
  }

  get(index: number): PooledWorker | undefined {
    return this.slots[index];
  }

  /**
   * Resolves once a worker is live (at once when one is): a room rebuilding after every worker
   * died waits for the first replacement instead of failing. MEDIA_UNAVAILABLE after `timeoutMs`.
   */
  async whenLive(timeoutMs = LIVE_WAIT_MS): Promise<void> {
    if (this.all().length > 0) return;
    if (this.closed) throw unavailable();
    const ac = new AbortController();
    try {
      await Promise.race([
        once(this, 'workerReplaced', { signal: ac.signal }),
        sleep(timeoutMs, undefined, { signal: ac.signal, ref: false }),
      ]);
    } finally {
      ac.abort();
    }
    if (this.all().length === 0) throw unavailable();
  }

  /** The live worker with the fewest routers, excluding some indexes when possible. */
  leastLoaded(exclude: ReadonlySet<number> = new Set()): PooledWorker {
    const live = this.all();
    if (live.length === 0) throw unavailable();
    const preferred = live.filter((w) => !exclude.has(w.index));
    const pool = preferred.length > 0 ? preferred : live;
    return pool.reduce((a, b) => (b.routers < a.routers ? b : a));
  }

  /** Closes the workers and waits (up to 3 s) for their processes to exit and free their ports. */
  async close(): Promise<void> {
    this.closed = true;
    const spare = await this.spare;
    this.spare = undefined;
    const workers = [...this.all().map((s) => s.worker), ...(spare && !spare.closed ? [spare] : [])];
    this.slots.length = 0;
    const exited = workers.map((w) => (w.subprocessClosed ? undefined : new Promise((r) => w.once('subprocessclose', () => r(undefined)))));
    for (const w of workers) w.close();
    await Promise.race([Promise.all(exited), sleep(3000, undefined, { ref: false })]);
  }

  private createWorker(): Promise<types.Worker> {
    return mediasoup.createWorker({ logLevel: this.opts.logLevel });
  }

  /** Starts a spare worker unless one is there or starting; a spare that dies is started again. */
  private keepSpare(): void {
    if (!this.opts.spareWorker || this.closed || this.spare) return;
    const spare = this.createWorker().then(
      (w) => {
        w.once('died', () => {
          if (this.spare !== spare) return;
          this.spare = undefined;
          this.keepSpare();
        });
        return w;
      },
      (e: unknown) => {
        this.opts.logger.warn({ err: e }, 'spare mediasoup worker did not start');
        if (this.spare === spare) this.spare = undefined;
        return undefined;
      },
    );
    this.spare = spare;
  }

  /** The spare, if any (waited for when still starting: it began before any new one would). */
  private async takeSpare(): Promise<types.Worker | undefined> {
    const spare = this.spare;
    this.spare = undefined;
    const w = await spare;
    return w && !w.closed && !processDying(w.pid) ? w : undefined;
  }

  private async spawn(index: number, retry: ListenRetry = noRetry, given?: types.Worker): Promise<PooledWorker> {
    const worker = given ?? (await this.createWorker());
    const port = this.opts.basePort + index;
    const announced = this.opts.announcedAddress || undefined;
    const listenInfos: types.WebRtcServerOptions['listenInfos'] = [
      { protocol: 'udp', ip: this.opts.listenIp, announcedAddress: announced, port },
      { protocol: 'tcp', ip: this.opts.listenIp, announcedAddress: announced, port },
    ];
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const webRtcServer = await worker.createWebRtcServer({ listenInfos });
          const slot: PooledWorker = { index, worker, webRtcServer, routers: 0 };
          worker.on('died', (error) => this.onDied(index, slot, error));
          return slot;
        } catch (e) {
          if (!(await retry(e, attempt))) throw e;
        }
      }
    } catch (e) {
      worker.close(); // a worker without its port is of no use; do not leave it running
      throw e;
    }
  }

  /** At start, a taken port is waited for, from the first one found taken, for START_PORT_WAIT_MS in all. */
  private startRetry(index: number, wait: StartWait): ListenRetry {
    return async (error, attempt) => {
      const taken = takenPort(error);
      if (!taken || this.closed) return false;
      const now = Date.now();
      wait.since ??= now;
      const delay = nextStartRetryMs(attempt, now - wait.since);
      const what = describePort(taken, index);
      if (delay === undefined) {
        const { basePort, workers } = this.opts;
        throw new MediaPortsTakenError(portsTakenMessage(taken, index, basePort, workers, now - wait.since), taken);
      }
      if (wait.logged !== what) {
        const left = Math.ceil((START_PORT_WAIT_MS - (now - wait.since)) / 1000);
        this.opts.logger.warn({ index, ...taken }, `${what} is in use; waiting up to ${left} s for it to be released`);
        wait.logged = what;
      }
      await sleep(delay);
      return true;
    };
  }

  /**
   * A worker died. Any other worker already dying (killed together) is declared dead in the same
   * turn, so rooms drop all their lost routers at once and rebuild once, never onto a dying worker.
   * Its own exit event, when it comes, finds its slot replaced and is ignored.
   */
  private onDied(index: number, slot: PooledWorker, error: Error): void {
    if (this.closed || this.slots[index] !== slot) return;
    const dead: [PooledWorker, Error][] = [[slot, error]];
    for (const other of this.all()) {
      if (other !== slot && processDying(other.worker.pid)) dead.push([other, new Error(`[pid:${other.worker.pid}] exiting`)]);
    }
    for (const [s, err] of dead) {
      this.deaths++;
      this.slots[s.index] = undefined;
      this.opts.logger.error({ index: s.index, pid: s.worker.pid, err }, 'mediasoup worker died, replacing it');
    }
    for (const [s, err] of dead) this.emit('workerDied', s.index, err);
    for (const [s] of dead) void this.replace(s.index);
  }

  /** A worker on the index again, as soon as possible. */
  private async replace(index: number): Promise<void> {
    // The dead process released its ports, but another process may have bound one meanwhile
    // (basePort inside the kernel's ephemeral range): keep trying, backing off to 5 s.
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        const replacement = await this.spawn(index, noRetry, attempt === 0 ? await this.takeSpare() : undefined);
        if (this.closed) {
          replacement.worker.close();
          return;
        }
        this.slots[index] = replacement;
        this.opts.logger.info({ index, pid: replacement.worker.pid }, 'mediasoup worker replaced');
        this.emit('workerReplaced', index, replacement);
        // Started once the rebuild has had the machine for a while: it competes with nothing then.
        setTimeout(() => this.keepSpare(), SPARE_DELAY_MS).unref();
        return;
      } catch (e) {
        const taken = takenPort(e);
        if (taken) this.opts.logger.warn({ index, ...taken }, `worker replacement: ${describePort(taken, index)} is in use, retrying`);
        else this.opts.logger.warn({ index, port: this.opts.basePort + index, err: e }, 'worker replacement failed, retrying');
        await sleep(backoffMs(attempt, 5000));
      }
    }
  }
}
