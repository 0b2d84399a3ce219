// The cascade's messages over NATS: requests to one server, events to a meeting. Everything that
// arrives is checked against protocol/cascade.ts before a handler sees it; a bad message gets a
// coded refusal and changes nothing.
import { AppError, createParser, type Parser, toWireError } from '@lienthong/kit';
import { connect, type NatsConnection, type Subscription } from 'nats';
import type { Static, TSchema } from 'typebox';
import { CascadeRefusal, type CascadeVerb, cascadeSubjects, ProducerEvent, Roster } from '../protocol/cascade';

const MAX_MESSAGE_BYTES = 256 * 1024;
const refusalParser = createParser(CascadeRefusal);
const eventParser = createParser(ProducerEvent);
const rosterParser = createParser(Roster);

export interface BusOptions {
  /** nats://host:port of this server's own NATS node (a leaf at a district, the hub at the province). */
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
    // Reconnect forever: a district keeps its own NATS leaf; the far side comes and goes.
    const nc = await connect({ servers: opts.url, name: `lienthong-${opts.serverId}`, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
    return new CascadeBus(nc, opts);
  }

  get serverId(): string {
    return this.opts.serverId;
  }

  /** Answer requests of one verb sent to this server. */
  serve<S extends TSchema>(verb: CascadeVerb, schema: S, handler: (body: Static<S>) => Promise<object>): void {
    const parser = createParser(schema);
    const sub = this.nc.subscribe(cascadeSubjects.request(this.opts.serverId, verb), {
      callback: (err, msg) => {
        if (err) return;
        void this.answer(parser, msg.data, handler).then((reply) => msg.respond(this.encoder.encode(JSON.stringify(reply))));
      },
    });
    this.subs.push(sub);
  }

  private async answer<S extends TSchema>(parser: Parser<S>, data: Uint8Array, handler: (body: Static<S>) => Promise<object>) {
    try {
      const parsed = parser.parse(this.decode(data));
      if (!parsed.ok) throw new AppError('CASCADE_BAD_MESSAGE', `malformed cascade message: ${parsed.problems.slice(0, 3).join('; ')}`);
      return { ok: true, ...(await handler(parsed.value)) };
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
      const msg = await this.nc.request(cascadeSubjects.request(server, verb), this.encoder.encode(JSON.stringify(body)), { timeout });
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
    this.nc.publish(cascadeSubjects.producers(event.meetingId), this.encoder.encode(JSON.stringify(event)));
  }

  /** Producer events of a meeting from every server but this one. */
  onProducerEvents(meetingId: string, handler: (e: ProducerEvent) => void): () => void {
    return this.onMeeting(cascadeSubjects.producers(meetingId), eventParser, meetingId, 'producer event', handler);
  }

  publishRoster(roster: Roster): void {
    this.nc.publish(cascadeSubjects.roster(roster.meetingId), this.encoder.encode(JSON.stringify(roster)));
  }

  /** Rosters of a meeting from every server but this one. */
  onRosters(meetingId: string, handler: (r: Roster) => void): () => void {
    return this.onMeeting(cascadeSubjects.roster(meetingId), rosterParser, meetingId, 'roster', handler);
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
