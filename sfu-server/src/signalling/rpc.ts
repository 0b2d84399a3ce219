// Binds the ClientRequests table to a socket: rate limit, size limit, runtime validation,
// coded errors in the ack. A bad message changes nothing and gets a coded ack; a socket
// that keeps sending past its rate is disconnected.
// Every request in the table has a handler (RequestHandlers is complete).

import { createParser, type Logger, type Parser, toWireError } from '@lienthong/kit';
import type { Socket } from 'socket.io';
import type { RateVerdict } from '../domain/limits/token-bucket';
import { type Ack, type ClientRequestName, ClientRequests, MAX_MESSAGE_BYTES, type RequestOf, type ResponseOf } from '../protocol';

/** One handler per ClientRequests entry, called with the socket's context and the validated payload. */
export type RequestHandlers<C> = {
  [E in ClientRequestName]: (ctx: C, data: RequestOf<E>) => Promise<ResponseOf<E>> | ResponseOf<E>;
};
type Route = { parser: Parser<(typeof ClientRequests)[ClientRequestName]['req']>; handle: (ctx: unknown, data: unknown) => unknown };

const parsers = Object.fromEntries(Object.entries(ClientRequests).map(([name, def]) => [name, createParser(def.req)])) as Record<
  ClientRequestName,
  Parser<(typeof ClientRequests)[ClientRequestName]['req']>
>;

function fail(ack: (a: Ack<never>) => void, code: string, message: string, details?: unknown) {
  ack(details === undefined ? { ok: false, error: { code, message } } : { ok: false, error: { code, message, details } });
}

function payloadBytes(payload: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(payload) ?? '');
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

export interface RpcCounters {
  onRequest?(event: string): void;
  onError?(event: string, code: string): void;
}

/** The route of every request in the table: its parser and its handler. */
function routes<C>(handlers: RequestHandlers<C>): Map<string, Route> {
  const out = new Map<string, Route>();
  for (const name of Object.keys(ClientRequests) as ClientRequestName[]) {
    out.set(name, { parser: parsers[name], handle: handlers[name] as Route['handle'] });
  }
  return out;
}

/** The socket's request budget (domain/limits/token-bucket.ts); absent: unlimited. */
export interface RateCheck {
  check(now: number): RateVerdict;
}

export function bindRequests<C>(
  socket: Socket,
  handlers: RequestHandlers<C>,
  ctx: C,
  log: Logger,
  counters: RpcCounters = {},
  rate?: RateCheck,
): void {
  const table = routes(handlers);
  let cutOff = false;
  socket.onAny((event: unknown, ...args: unknown[]) => {
    if (cutOff) return;
    // Checked first and cheaply: a flood costs the server as little as possible.
    const verdict = rate?.check(Date.now()) ?? 'ok';
    if (verdict === 'disconnect') {
      cutOff = true;
      log.warn('signalling flood: socket disconnected');
      socket.disconnect(true);
      return;
    }
    const ack = args[args.length - 1];
    if (typeof ack !== 'function') return; // every request needs an ack; pushes from clients are ignored
    const reply = ack as (a: Ack<unknown>) => void;
    const name = String(event).slice(0, 64);
    const route = table.get(name);
    const known = route !== undefined;
    counters.onRequest?.(known ? name : 'unknown');
    const report = (code: string, message: string, details?: unknown) => {
      counters.onError?.(known ? name : 'unknown', code);
      fail(reply, code, message, details);
    };
    if (verdict === 'refused') return report('RATE_LIMITED', 'Too many requests; slow down');
    if (!route) return report('UNKNOWN_MESSAGE', `Unknown message "${name}"`);
    if (args.length !== 2) return report('BAD_REQUEST', 'Expected exactly one payload object');
    const payload = args[0];
    if (payloadBytes(payload) > MAX_MESSAGE_BYTES) return report('PAYLOAD_TOO_LARGE', `Message exceeds ${MAX_MESSAGE_BYTES} bytes`);
    const parsed = route.parser.parse(payload);
    if (!parsed.ok) return report('BAD_REQUEST', `Invalid "${name}" payload`, parsed.problems);
    Promise.resolve()
      .then(() => route.handle(ctx, parsed.value))
      .then(
        (data) => reply({ ok: true, data }),
        (err) => {
          const wire = toWireError(err);
          if (wire.code === 'INTERNAL') log.error({ err, event: name }, 'signalling handler failed');
          report(wire.code, wire.message, wire.details);
        },
      );
  });
}
