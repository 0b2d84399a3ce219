// One SRTP-keyed plain RTP transport per meeting and neighbouring server, on each side of the link.
// pipeToRouter only joins routers of one process; between hosts both ends are made here and told
// each other's address and key over the bus. Plain (not pipe) transports, so that what crosses is a
// consumer choosing one simulcast layer, not every layer the sender encodes.
import { AppError } from '@lienthong/kit';
import type { types } from 'mediasoup';
import { EmptyAnswer, LinkAnswer, type LinkEnd, LinkEnd as LinkEndSchema, LinkOpen } from '../protocol/cascade';
import type { CascadeBus } from './bus';

export interface LinkOptions {
  /** The address this server's link transports listen on, as a neighbour reaches it (per neighbour on a hub). */
  listenIp: string | ((peer: string) => string);
  announcedAddress?: string;
  portRange?: types.TransportPortRange;
}

export type RouterOf = (meetingId: string) => Promise<types.Router>;

const key = (meetingId: string, peer: string) => `${meetingId}\u0000${peer}`;

export class CascadeLinks {
  private readonly links = new Map<string, Promise<types.PlainTransport>>();
  /** Called when a link's transport closes (the peer re-made it, or the meeting ended here). */
  onClosed: (meetingId: string, peer: string) => void = () => {};

  constructor(
    private readonly bus: CascadeBus,
    private readonly routerOf: RouterOf,
    private readonly opts: LinkOptions,
  ) {
    bus.serve('link', LinkEndSchema, (end) => this.accept(end));
    bus.serve('open', LinkOpen, async ({ meetingId, from }) => {
      await this.ensure(meetingId, from);
      return {};
    });
  }

  /** The link to a neighbour for a meeting, made if missing. The lower server id of a pair makes it. */
  ensure(meetingId: string, peer: string): Promise<types.PlainTransport> {
    const existing = this.links.get(key(meetingId, peer));
    if (existing) return existing;
    const made = this.bus.serverId < peer ? this.offer(meetingId, peer) : this.askOpen(meetingId, peer);
    this.links.set(key(meetingId, peer), made);
    made.catch(() => {
      if (this.links.get(key(meetingId, peer)) === made) this.links.delete(key(meetingId, peer));
    });
    return made;
  }

  /** UDP payload bytes received and sent by the open link transports, per neighbour (a link made again starts at 0). */
  async bytesByPeer(): Promise<Map<string, { rx: number; tx: number }>> {
    const out = new Map<string, { rx: number; tx: number }>();
    for (const [k, made] of this.links) {
      const peer = k.split('\u0000')[1]!;
      const t = await made.catch(() => undefined);
      const stats = t && !t.closed ? await t.getStats().catch(() => []) : [];
      const sum = out.get(peer) ?? { rx: 0, tx: 0 };
      for (const s of stats) {
        sum.rx += s.bytesReceived;
        sum.tx += s.bytesSent;
      }
      out.set(peer, sum);
    }
    return out;
  }

  current(meetingId: string, peer: string): Promise<types.PlainTransport> | undefined {
    return this.links.get(key(meetingId, peer));
  }

  /** Tear down a link (its peer is gone or unreachable); what crossed it closes with it. */
  async drop(meetingId: string, peer: string): Promise<void> {
    const link = this.links.get(key(meetingId, peer));
    this.links.delete(key(meetingId, peer));
    const t = await link?.catch(() => undefined);
    if (t && !t.closed) t.close();
  }

  /** Every link to a neighbour, in every meeting. */
  async dropPeer(peer: string): Promise<void> {
    const meetings = [...this.links.keys()].filter((k) => k.endsWith(`\u0000${peer}`)).map((k) => k.split('\u0000')[0]!);
    await Promise.all(meetings.map((m) => this.drop(m, peer)));
  }

  async dropMeeting(meetingId: string): Promise<void> {
    const peers = [...this.links.keys()].filter((k) => k.startsWith(`${meetingId}\u0000`)).map((k) => k.split('\u0000')[1]!);
    await Promise.all(peers.map((p) => this.drop(meetingId, p)));
  }

  private async offer(meetingId: string, peer: string): Promise<types.PlainTransport> {
    const t = await this.create(meetingId, peer);
    try {
      const far = await this.bus.request(peer, 'link', this.endOf(meetingId, t), LinkAnswer);
      await t.connect({ ip: far.ip, port: far.port, srtpParameters: far.srtp });
      return t;
    } catch (err) {
      t.close();
      throw err;
    }
  }

  /** The higher id asks the lower to make the link; its own end exists once the answer is back. */
  private async askOpen(meetingId: string, peer: string): Promise<types.PlainTransport> {
    await this.bus.request(peer, 'open', { meetingId, from: this.bus.serverId }, EmptyAnswer);
    const mine = this.accepted.get(key(meetingId, peer));
    if (!mine) throw new AppError('CASCADE_LINK_FAILED', `server ${peer} opened no link to ${this.bus.serverId}`, 502);
    return mine;
  }

  private readonly accepted = new Map<string, types.PlainTransport>();

  /** The far side offers its end: make ours, connect, answer with ours. A repeated offer replaces the link. */
  private async accept(end: LinkEnd): Promise<object> {
    if (!(end.from < this.bus.serverId)) {
      throw new AppError('CASCADE_LINK_REFUSED', 'links are offered by the lower server id of a pair');
    }
    const k = key(end.meetingId, end.from);
    const old = this.accepted.get(k);
    if (old && !old.closed) old.close();
    const t = await this.create(end.meetingId, end.from);
    await t.connect({ ip: end.ip, port: end.port, srtpParameters: end.srtp });
    this.accepted.set(k, t);
    this.links.set(k, Promise.resolve(t));
    const { meetingId: _m, from: _f, ...mine } = this.endOf(end.meetingId, t);
    return mine;
  }

  private async create(meetingId: string, peer: string): Promise<types.PlainTransport> {
    const router = await this.routerOf(meetingId);
    const t = await router.createPlainTransport({
      listenInfo: {
        protocol: 'udp',
        ip: typeof this.opts.listenIp === 'string' ? this.opts.listenIp : this.opts.listenIp(peer),
        ...(this.opts.announcedAddress ? { announcedAddress: this.opts.announcedAddress } : {}),
        ...(this.opts.portRange ? { portRange: this.opts.portRange } : {}),
      },
      rtcpMux: true,
      comedia: false,
      enableSrtp: true,
      srtpCryptoSuite: 'AEAD_AES_256_GCM',
      appData: { cascade: true, meetingId, peer },
    });
    t.observer.once('close', () => {
      const k = key(meetingId, peer);
      if (this.accepted.get(k) === t) this.accepted.delete(k);
      void this.links
        .get(k)
        ?.then((cur) => cur === t && this.links.delete(k))
        .catch(() => undefined);
      this.onClosed(meetingId, peer);
    });
    return t;
  }

  private endOf(meetingId: string, t: types.PlainTransport): LinkEnd {
    const srtp = t.srtpParameters;
    if (!srtp) throw new AppError('CASCADE_LINK_FAILED', 'link transport has no SRTP key', 500);
    return {
      meetingId,
      from: this.bus.serverId,
      ip: t.tuple.localAddress,
      port: t.tuple.localPort,
      srtp,
    };
  }
}
