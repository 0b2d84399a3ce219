// mediasoup worker pool: one worker per core, each with a WebRtcServer on one
// UDP and one TCP port (basePort + index) so a firewall needs two ports per worker.
// A worker that dies is replaced on the same index and ports; listeners rebuild.
import { EventEmitter } from 'node:events';
import { AppError, type Logger } from '@lienthong/kit';
import type { types } from 'mediasoup';
import * as mediasoup from 'mediasoup';

export interface WorkerPoolOptions {
  workers: number;
  listenIp: string;
  announcedAddress: string;
  basePort: number;
  logLevel: types.WorkerLogLevel;
  logger: Logger;
}

export interface PooledWorker {
  index: number;
  worker: types.Worker;
  webRtcServer: types.WebRtcServer;
  /** Routers currently on this worker (for load spreading). */
  routers: number;
}

interface PoolEvents {
  /** A worker died and was replaced: everything that lived on it is gone. */
  workerReplaced: [index: number, replacement: PooledWorker];
  workerDied: [index: number, error: Error];
}

let logListenersSet = false;

export class MediaWorkerPool extends EventEmitter<PoolEvents> {
  private readonly slots: (PooledWorker | undefined)[] = [];
  private closed = false;
  /** Deaths since start, for metrics and health. */
  deaths = 0;

  constructor(private readonly opts: WorkerPoolOptions) {
    super();
    if (!logListenersSet) {
      // Route mediasoup's own Node-side logs into pino.
      const log = opts.logger.child({ component: 'mediasoup' });
      mediasoup.setLogEventListeners({
        ondebug: undefined,
        onwarn: (ns, msg) => log.warn({ ns }, msg),
        onerror: (ns, msg, err) => log.error({ ns, err }, msg),
      });
      logListenersSet = true;
    }
  }

  async start(): Promise<void> {
    for (let i = 0; i < this.opts.workers; i++) this.slots[i] = await this.spawn(i);
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

  /** The live worker with the fewest routers, excluding some indexes when possible. */
  leastLoaded(exclude: ReadonlySet<number> = new Set()): PooledWorker {
    const live = this.all();
    if (live.length === 0) throw new AppError('MEDIA_UNAVAILABLE', 'Media server is restarting, retry shortly', 503);
    const preferred = live.filter((w) => !exclude.has(w.index));
    const pool = preferred.length > 0 ? preferred : live;
    return pool.reduce((a, b) => (b.routers < a.routers ? b : a));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.all()) s.worker.close();
    this.slots.length = 0;
  }

  private async spawn(index: number): Promise<PooledWorker> {
    const worker = await mediasoup.createWorker({ logLevel: this.opts.logLevel, appData: { index } });
    const port = this.opts.basePort + index;
    const announced = this.opts.announcedAddress || undefined;
    let webRtcServer: types.WebRtcServer;
    try {
      webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { protocol: 'udp', ip: this.opts.listenIp, announcedAddress: announced, port },
          { protocol: 'tcp', ip: this.opts.listenIp, announcedAddress: announced, port },
        ],
      });
    } catch (e) {
      worker.close(); // a worker without its port is of no use; do not leave it running
      throw e;
    }
    const slot: PooledWorker = { index, worker, webRtcServer, routers: 0 };
    worker.on('died', (error) => void this.onDied(index, slot, error));
    return slot;
  }

  private async onDied(index: number, slot: PooledWorker, error: Error): Promise<void> {
    if (this.closed || this.slots[index] !== slot) return;
    this.deaths++;
    this.slots[index] = undefined;
    this.opts.logger.error({ index, pid: slot.worker.pid, err: error }, 'mediasoup worker died, replacing it');
    this.emit('workerDied', index, error);
    // The dead process released its ports, but another process may have bound one meanwhile
    // (basePort inside the kernel's ephemeral range): keep trying, backing off to 5 s.
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        const replacement = await this.spawn(index);
        if (this.closed) {
          replacement.worker.close();
          return;
        }
        this.slots[index] = replacement;
        this.opts.logger.info({ index, pid: replacement.worker.pid }, 'mediasoup worker replaced');
        this.emit('workerReplaced', index, replacement);
        return;
      } catch (e) {
        this.opts.logger.warn({ index, port: this.opts.basePort + index, err: e }, 'worker replacement failed, retrying');
        await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 5000)));
      }
    }
  }
}
