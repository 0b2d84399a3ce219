// A call's GStreamer pipeline, started again when it dies (a crash of gst-launch must not drop the
// call): the same arguments, so the same ports, and the media flowing to them is picked up again.
// Too many deaths in a minute and it is left down (logged): a pipeline that cannot run is not
// restarted forever.
import type { Logger } from '@lienthong/kit';
import { type GstRun, startGst } from '../recording/gst-process';

const RESTART_DELAY_MS = 300;
const MAX_RESTARTS_PER_MINUTE = 5;

export class KeptPipeline {
  /** Pipelines whose gst-launch runs now, for the metrics (a call's pipeline must not outlive it). */
  static readonly running = new Set<KeptPipeline>();
  /** Restarts since the server started. */
  static restarts = 0;
  private run: GstRun;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly deaths: number[] = [];

  constructor(
    private readonly args: readonly string[],
    private readonly registry: string,
    private readonly o: { name: string; logger: Logger; onRestart?: () => void },
  ) {
    this.run = this.launch();
  }

  /** Resolves when the current gst-launch plays (or has gone). */
  get playing(): Promise<void> {
    return this.run.playing;
  }

  private launch(): GstRun {
    const run = startGst(this.args, this.registry, (code) => {
      KeptPipeline.running.delete(this);
      if (!this.stopped && run === this.run) this.died(code);
    });
    KeptPipeline.running.add(this);
    return run;
  }

  private died(code: number | null): void {
    const now = Date.now();
    this.deaths.push(now);
    while (this.deaths.length && now - this.deaths[0]! > 60_000) this.deaths.shift();
    if (this.deaths.length > MAX_RESTARTS_PER_MINUTE) {
      this.o.logger.error({ code, pipeline: this.o.name, tail: this.run.tail() }, 'call pipeline keeps dying; left down');
      return;
    }
    this.o.logger.warn({ code, pipeline: this.o.name, tail: this.run.tail() }, 'call pipeline died; starting it again');
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.stopped) return;
      KeptPipeline.restarts++;
      this.run = this.launch();
      void this.run.playing.then(() => {
        if (!this.stopped) this.o.onRestart?.();
      });
    }, RESTART_DELAY_MS);
  }

  async stop(timeoutMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.run.stop(timeoutMs);
    KeptPipeline.running.delete(this);
  }
}
