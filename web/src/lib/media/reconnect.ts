// How a room's media recovers, without mediasoup or socket.io: the session supplies the
// steps, this owns their order, the status shown, the retries and the timers.
//   signalling drops      -> 'reconnecting'; nothing else until it is back
//   signalling back       -> re-join as the same peer; the server still holds our media:
//   or media:reset           ICE restart, else a full rebuild; then 'connected'
//   a step fails          -> retry after 0.5 s, 1 s, 2 s, then every 3 s, until it works or the
//                            session is closed (there is no give-up: a site stays in its meeting)
//   a reset while busy    -> one more round when the current one ends (what it built may be gone)

export type SessionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

/** Wait before re-join attempt `attempt + 1`. */
export const rejoinDelayMs = (attempt: number): number => Math.min(500 * 2 ** attempt, 3000);

/** Quiet time after a transport reports trouble before its ICE is restarted. */
export const ICE_RESTART_DELAY_MS = 1000;

export type RecoveryPath = 'ice-restart' | 'rebuild';

export interface RecoverySteps {
  /** Join again as the same peer; true when the server kept our media and we still have transports. */
  rejoin(): Promise<boolean>;
  /** Media kept: restart ICE on both transports and consume what we missed. */
  restartIce(): Promise<void>;
  /** Media lost: drop the transports and build everything again. */
  rebuildMedia(): Promise<void>;
  setStatus(status: SessionStatus): void;
  isClosed(): boolean;
  warn?(message: string, error: unknown): void;
}

export class Reconnector {
  private running: Promise<void> | null = null;
  private again = false;
  private signallingLost = false;
  /** How the last successful recovery went. */
  lastPath: RecoveryPath | null = null;

  constructor(private readonly steps: RecoverySteps) {}

  get recovering(): boolean {
    return this.running !== null;
  }

  onSignallingDown(): void {
    this.signallingLost = true;
    if (!this.steps.isClosed()) this.steps.setStatus('reconnecting');
  }

  /** socket.io also reports the first connection: only a reconnection recovers. */
  onSignallingUp(): void {
    if (this.signallingLost && !this.steps.isClosed()) void this.recover();
  }

  /** After a signalling drop or a server-side media loss. */
  recover(): Promise<void> {
    if (this.running) {
      // A second reset while recovering (both workers died, one after the other).
      this.again = true;
      return this.running;
    }
    this.running = this.untilRecovered().finally(() => {
      this.running = null;
      if (this.again && !this.steps.isClosed()) {
        this.again = false;
        void this.recover();
      }
    });
    return this.running;
  }

  private async untilRecovered(): Promise<void> {
    this.steps.setStatus('reconnecting');
    for (let attempt = 0; !this.steps.isClosed(); attempt++) {
      try {
        const resumed = await this.steps.rejoin();
        if (resumed) await this.steps.restartIce();
        else await this.steps.rebuildMedia();
        this.lastPath = resumed ? 'ice-restart' : 'rebuild';
        this.signallingLost = false;
        this.steps.setStatus('connected');
        return;
      } catch (e) {
        (this.steps.warn ?? console.warn)('rejoin failed, retrying', e);
        await new Promise((r) => setTimeout(r, rejoinDelayMs(attempt)));
      }
    }
  }
}

/**
 * connectionstatechange handler for one transport: network trouble without a signalling drop
 * restarts its ICE once the state has been quiet for ICE_RESTART_DELAY_MS, if still possible then.
 */
export function iceWatchdog(restart: () => void, canRestart: () => boolean): (state: string) => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (state) => {
    if (state !== 'disconnected' && state !== 'failed') return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (canRestart()) restart();
    }, ICE_RESTART_DELAY_MS);
  };
}
