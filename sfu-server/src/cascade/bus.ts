// The cascade's messages over NATS: requests to one server, events to a meeting. Everything that
// arrives is checked against protocol/cascade.ts before a handler sees it; a bad message gets a
// coded refusal and changes nothing. A subject's last token names its sender, which nats-server
// checks (nats-config.ts); a body naming another server than its subject is refused as forged.
import { AppError, createParser, type Parser, toWireError } from '@lienthong/kit';
import { connect, type NatsConnection, type Subscription } from 'nats';
import type { Static, TSchema } from 'typebox';
import { CascadeRefusal, type CascadeVerb, cascadeSubjects, ProducerEvent, RosterMessage } from '../protocol/cascade';
import { MediaEvent } from '../protocol/cascade-media';

const MAX_MESSAGE_BYTES = 256 * 1024;
const refusalParser = createParser(CascadeRefusal);
const eventParser = createParser(ProducerEvent);
const rosterParser = createParser(RosterMessage);
const mediaEventParser = createParser(MediaEvent);

export interface BusOptions {
  /** nats://user:password@host:port of this server's own NATS node (a leaf at a district, the hub at the province). */
  url: string;
  serverId: string;
  requestTimeoutMs?: number;
  log?: (msg: string) => void;
}

export class CascadeBus {
  private readonly subs: Subscription[] = [];
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly opts: BusOptions,
  ) {}

  static async open(opts: BusOptions): Promise<CascadeBus> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(opts.serverId)) throw new Error(`server id must be letters, digits, - or _: ${opts.serverId}`);
    const url = new URL(opts.url);
    const nc = await connect({
      servers: url.host,
      ...(url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : {}),
      name: `lienthong-${opts.serverId}`,
      // Replies come to this server's own inboxes: its NATS user may subscribe to no other server's.
      inboxPrefix: `_INBOX.${opts.serverId}`,
      // Reconnect forever: a district keeps its own NATS leaf; the far side comes and goes.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      // Started before its own NATS node is listening (a reboot): wait for it rather than fail.
      waitOnFirstConnect: true,
    });
    return new CascadeBus(nc, opts);
  }

  get serverId(): string {
    return this.opts.serverId;
  }

  /** Answer requests of one verb sent to this server; the handler learns the asking server. */
  serve<S extends TSchema>(verb: CascadeVerb, schema: S, handler: (body: Static<S>, from: string) => Promise<object>): void {
    const parser = createParser(schema);
    const sub = this.nc.subscribe(cascadeSubjects.request(this.opts.serverId, verb, cascadeSubjects.ANY), {
      callback: (err, msg) => {
        if (err) return this.opts.log?.(`cascade: cannot serve ${verb}: ${err.message}`);
        const from = cascadeSubjects.senderOf(msg.subject);
        void this.answer(parser, msg.data, from, handler).then((reply) => msg.respond(this.encoder.encode(JSON.stringify(reply))));
      },
    });
    this.subs.push(sub);
  }

  private async answer<S extends TSchema>(
    parser: Parser<S>,
    data: Uint8Array,
    from: string,
    handler: (body: Static<S>, from: string) => Promise<object>,
  ) {
    try {
      const parsed = parser.parse(this.decode(data));
      if (!parsed.ok) throw new AppError('CASCADE_BAD_MESSAGE', `malformed cascade message: ${parsed.problems.slice(0, 3).join('; ')}`);
      const claimed = (parsed.value as { from?: unknown }).from;
      if (claimed !== undefined && claimed !== from)
        throw new AppError('CASCADE_FORGED', `sent by ${from} but claims to be from ${String(claimed)}`, 403);
      return { ok: true, ...(await handler(parsed.value, from)) };
    } catch (err) {
      const wire = toWireError(err);
      if (!(err instanceof AppError)) this.opts.log?.(`cascade handler failed: ${(err as Error).stack ?? err}`);
      return { ok: false, code: wire.code, message: wire.message };
    }
  }

  /** Ask one server; its refusal comes back as an AppError with its code. */
  async request<R extends TSchema>(server: string, verb: CascadeVerb, body: object, reply: R, timeoutMs?: number): Promise<Static<R>> {
    const timeout = timeoutMs ?? this.opts.requestTimeoutMs ?? 5000;
    let raw: unknown;
    try {
      const msg = await this.nc.request(
        cascadeSubjects.request(server, verb, this.opts.serverId),
        this.encoder.encode(JSON.stringify(body)),
        { timeout },
      );
      raw = this.decode(msg.data);
    } catch (err) {
      throw new AppError('CASCADE_UNREACHABLE', `server ${server} did not answer ${verb}: ${(err as Error).message}`, 503);
    }
    const refusal = refusalParser.parse(raw);
    if (refusal.ok) throw new AppError(refusal.value.code, `${server}: ${refusal.value.message}`, 502);
    const { ok, ...rest } = (raw ?? {}) as { ok?: unknown };
    const parsed = createParser(reply).parse(rest);
    if (ok !== true || !parsed.ok) throw new AppError('CASCADE_BAD_REPLY', `server ${server} answered ${verb} with a malformed reply`, 502);
    return parsed.value;
  }

  publish(event: ProducerEvent): void {
    this.nc.publish(cascadeSubjects.producers(event.meetingId, this.opts.serverId), this.encoder.encode(JSON.stringify(event)));
  }

  /** Producer events of a meeting from every server but this one. */
  onProducerEvents(meetingId: string, handler: (e: ProducerEvent) => void): () => void {
    return this.onMeeting(cascadeSubjects.producers(meetingId, cascadeSubjects.ANY), eventParser, meetingId, 'producer event', handler);
  }

  publishRoster(roster: RosterMessage): void {
    this.nc.publish(cascadeSubjects.roster(roster.meetingId, this.opts.serverId), this.encoder.encode(JSON.stringify(roster)));
  }

  /** Rosters of a meeting (whole, digests, and asks for one) from every server but this one. */
  onRosters(meetingId: string, handler: (r: RosterMessage) => void): () => void {
    return this.onMeeting(cascadeSubjects.roster(meetingId, cascadeSubjects.ANY), rosterParser, meetingId, 'roster', handler);
  }

  publishMediaEvent(e: MediaEvent): void {
    this.nc.publish(cascadeSubjects.media(e.meetingId, this.opts.serverId), this.encoder.encode(JSON.stringify(e)));
  }

  /** What the district servers' media of a meeting say of their peers. */
  onMediaEvents(meetingId: string, handler: (e: MediaEvent) => void): () => void {
    return this.onMeeting(cascadeSubjects.media(meetingId, cascadeSubjects.ANY), mediaEventParser, meetingId, 'media event', handler);
  }

  /** A meeting's messages of one kind, checked, from every server but this one. */
  private onMeeting<T extends { meetingId: string; origin: string }>(
    subject: string,
    parser: { parse(v: unknown): { ok: true; value: T } | { ok: false } },
    meetingId: string,
    what: string,
    handler: (m: T) => void,
  ): () => void {
    const sub = this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) return;
        const parsed = parser.parse(this.safeDecode(msg.data));
        if (!parsed.ok || parsed.value.meetingId !== meetingId) return this.opts.log?.(`cascade: dropped a malformed ${what}`);
        const sender = cascadeSubjects.senderOf(msg.subject);
        if (parsed.value.origin !== sender)
          return this.opts.log?.(`cascade: CASCADE_FORGED ${what} from ${sender} claiming ${parsed.value.origin}`);
        if (parsed.value.origin !== this.opts.serverId) handler(parsed.value);
      },
    });
    this.subs.push(sub);
    return () => sub.unsubscribe();
  }

  /** Resolves once everything published so far has reached the NATS server. */
  async flush(): Promise<void> {
    await this.nc.flush();
  }

  async close(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    await this.nc.drain().catch(() => this.nc.close());
  }

  private decode(data: Uint8Array): unknown {
    if (data.byteLength > MAX_MESSAGE_BYTES) throw new AppError('CASCADE_TOO_LARGE', 'cascade message over 256 KiB', 413);
    try {
      return JSON.parse(this.decoder.decode(data));
    } catch {
      throw new AppError('CASCADE_BAD_MESSAGE', 'cascade message is not JSON');
    }
  }

  private safeDecode(data: Uint8Array): unknown {
    try {
      return this.decode(data);
    } catch {
      return undefined;
    }
  }
}
