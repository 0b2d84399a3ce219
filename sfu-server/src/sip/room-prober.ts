// Asks every room system that has an address whether it is there: a SIP OPTIONS every interval
// (RFC 3261 11), a few at a time. The answers feed ReachabilityBook; changes are logged and audited.
import { randomBytes } from 'node:crypto';
import type { Logger } from '@lienthong/kit';
import type { SipMessage } from 'sip';
import { ReachabilityBook, type ReachabilityChange, type ReachabilityView } from '../domain/room-systems/reachability';
import type { RoomSystem } from '../protocol/room-systems';
import type { SipUdp } from './sip-udp';

/** How long one question waits for its answer (the UDP transaction repeats it meanwhile). */
const ANSWER_MS = 4000;
const AT_ONCE = 16;

export interface RoomProberOptions {
  udp: SipUdp;
  announcedIp: string;
  /** The room systems registered now. */
  systems: () => RoomSystem[];
  intervalMs: number;
  logger: Logger;
  onChange?: (system: RoomSystem, change: ReachabilityChange) => void;
}

export class RoomProber {
  readonly book = new ReachabilityBook();
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;

  constructor(private readonly o: RoomProberOptions) {}

  start(): void {
    const tick = () => {
      if (!this.round) this.round = this.probeAll().finally(() => (this.round = null));
    };
    // The first round soon after start, so a board opened at once is not all "unknown".
    const first = setTimeout(tick, 1000);
    first.unref();
    this.timer = setInterval(tick, this.o.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  view(id: string): ReachabilityView {
    return this.book.view(id);
  }

  /** One round over every room system with an address. */
  async probeAll(): Promise<void> {
    const systems = this.o.systems();
    this.book.keepOnly(new Set(systems.map((s) => s.id)));
    const queue = systems.filter((s) => s.address !== null);
    const worker = async () => {
      for (let s = queue.shift(); s; s = queue.shift()) await this.probe(s);
    };
    await Promise.all(Array.from({ length: Math.min(AT_ONCE, queue.length) }, worker));
  }

  async probe(system: RoomSystem): Promise<ReachabilityView> {
    const started = performance.now();
    const answer = await this.o.udp.request(
      this.options(system),
      { address: system.address!, port: system.sipPort ?? 5060 },
      { lifeMs: ANSWER_MS },
    );
    const change = this.book.record(
      system.id,
      answer ? { status: answer.status ?? 0, rttMs: Math.round(performance.now() - started) } : null,
      Date.now(),
    );
    if (change) {
      this.o.logger.info({ roomSystem: system.name, from: change.from, to: change.to }, 'room system reachability changed');
      this.o.onChange?.(system, change);
    }
    return this.book.view(system.id);
  }

  private options(system: RoomSystem): SipMessage {
    const uri = `sip:${system.sipUser}@${system.address}:${system.sipPort ?? 5060}`;
    const me = `sip:lienthong@${this.o.announcedIp}:${this.o.udp.port}`;
    return {
      method: 'OPTIONS',
      uri,
      version: '2.0',
      headers: {
        via: [],
        from: { uri: me, params: { tag: randomBytes(6).toString('hex') } },
        to: { uri, params: {} },
        'call-id': `${randomBytes(10).toString('hex')}@${this.o.announcedIp}`,
        cseq: { seq: 1, method: 'OPTIONS' },
        'max-forwards': '70',
        accept: 'application/sdp',
      },
    };
  }
}
