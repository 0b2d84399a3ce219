// How a room's media recovers, without mediasoup or socket.io: the session supplies the
// steps, this owns their order, the status shown, the retries and the timers.
//   signalling drops      -> 'reconnecting'; nothing else until it is back
//   signalling back       -> re-join as the same peer; the server still holds our media:
//   or media:reset           ICE restart, else a full rebuild; then 'connected'
//   a step fails          -> retry after 0.5 s, 1 s, 2 s, then every 3 s, until it works or the
//                            session is closed
//   out longer than the   -> 'expired': the server has given our place away, so stop trying and
//   server's grace           let the site rejoin with one click (rejoinNow)
//   a reset while busy    -> one more round when the current one ends (what it built may be gone)
//   signalling out but    -> 'isolated' after a few seconds: the sites on our media server still
//   our media flowing        meet (a district cut off from the province); no expiry while it flows,
//                            and the re-join runs by itself when signalling is back

export type SessionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'isolated' | 'expired' | 'failed' | 'closed';

/** Wait before re-join attempt `attempt + 1`. */
export const rejoinDelayMs = (attempt: number): number => Math.min(500 * 2 ** attempt, 3000);

/** Signalling out this long while media still flows: the page says it meets locally. */
export const ISOLATED_AFTER_MS = 8000;
const ISOLATION_CHECK_MS = 2000;

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
  /** How long the server keeps our place after signalling drops (from the join reply); null: no limit. */
  graceMs?(): number | null;
  /** Our media still flows (its transports connected) while signalling is out. */
  mediaAlive?(): boolean;
  warn?(message: string, error: unknown): void;
}

export class Reconnector {
  private running: Promise<void> | null = null;
  private again = false;
  private signallingLost = false;
  private expired = false;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private isolationTimer: ReturnType<typeof setTimeout> | undefined;
  private isolated = false;
  /** Met locally during this outage: its place may be gone, but the page comes back by itself. */
  private wasIsolated = false;
  /** How the last successful recovery went. */
  lastPath: RecoveryPath | null = null;

  constructor(private readonly steps: RecoverySteps) {}

  get recovering(): boolean {
    return this.running !== null;
  }

  get hasExpired(): boolean {
    return this.expired;
  }

  onSignallingDown(): void {
    this.signallingLost = true;
    if (this.steps.isClosed() || this.expired) return;
    this.steps.setStatus('reconnecting');
    if (this.steps.mediaAlive && this.isolationTimer === undefined) this.watchIsolation(ISOLATED_AFTER_MS);
    const grace = this.steps.graceMs?.() ?? null;
    if (grace === null || this.graceTimer !== undefined) return;
    this.armGrace(grace);
  }

  private armGrace(ms: number): void {
    this.graceTimer = setTimeout(() => {
      this.graceTimer = undefined;
      if (!this.signallingLost || this.steps.isClosed()) return;
      // Our media server still carries the meeting (or did, in this outage: a district cut off from
      // the province that has since dropped our media): no click needed, we rejoin when signalling is back.
      if (this.wasIsolated || this.steps.mediaAlive?.()) return this.armGrace(ISOLATION_CHECK_MS);
      this.stopIsolation();
      this.expired = true;
      this.steps.setStatus('expired');
    }, ms);
  }

  /** While signalling is out: 'isolated' when our media flows, back to 'reconnecting' when it stops. */
  private watchIsolation(ms: number): void {
    this.isolationTimer = setTimeout(() => {
      this.isolationTimer = undefined;
      if (!this.signallingLost || this.expired || this.steps.isClosed()) return;
      const alive = this.steps.mediaAlive?.() ?? false;
      if (alive !== this.isolated) this.steps.setStatus(alive ? 'isolated' : 'reconnecting');
      this.isolated = alive;
      if (alive) this.wasIsolated = true;
      this.watchIsolation(ISOLATION_CHECK_MS);
    }, ms);
  }

  private stopIsolation(): void {
    clearTimeout(this.isolationTimer);
    this.isolationTimer = undefined;
    this.isolated = false;
    this.wasIsolated = false;
  }

  /** socket.io also reports the first connection: only a reconnection recovers; not once expired. */
  onSignallingUp(): void {
    if (this.signallingLost && !this.expired && !this.steps.isClosed()) void this.recover();
  }

  /** The one-click rejoin after the grace: same steps (the server resumes our place if it still holds it). */
  rejoinNow(): Promise<void> {
    this.expired = false;
    return this.recover();
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
    if (!this.expired) this.steps.setStatus('reconnecting');
    for (let attempt = 0; !this.steps.isClosed() && !this.expired; attempt++) {
      try {
        const resumed = await this.steps.rejoin();
        if (resumed) await this.steps.restartIce();
        else await this.steps.rebuildMedia();
        this.lastPath = resumed ? 'ice-restart' : 'rebuild';
        this.signallingLost = false;
        this.expired = false;
        this.stopIsolation();
        clearTimeout(this.graceTimer);
        this.graceTimer = undefined;
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
