// Binds the ClientRequests table to a socket: size limit, runtime validation,
// coded errors in the ack. A bad message changes nothing and gets a coded ack.

import { createParser, type Logger, type Parser, toWireError } from '@lienthong/kit';
import type { Socket } from 'socket.io';
import { type Ack, type ClientRequestName, ClientRequests, MAX_MESSAGE_BYTES, type RequestOf, type ResponseOf } from '../protocol';

export type RequestHandlers = { [E in ClientRequestName]: (data: RequestOf<E>) => Promise<ResponseOf<E>> | ResponseOf<E> };

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

export function bindRequests(socket: Socket, handlers: Partial<RequestHandlers>, log: Logger, counters: RpcCounters = {}): void {
  socket.onAny((event: unknown, ...args: unknown[]) => {
    const ack = args[args.length - 1];
    if (typeof ack !== 'function') return; // every request needs an ack; pushes from clients are ignored
    const reply = ack as (a: Ack<unknown>) => void;
    const name = String(event).slice(0, 64);
    const known = name in ClientRequests;
    counters.onRequest?.(known ? name : 'unknown');
    const report = (code: string, message: string, details?: unknown) => {
      counters.onError?.(known ? name : 'unknown', code);
      fail(reply, code, message, details);
    };
    if (!known) return report('UNKNOWN_MESSAGE', `Unknown message "${name}"`);
    const handler = handlers[name as ClientRequestName] as ((d: unknown) => Promise<unknown>) | undefined;
    if (!handler) return report('NOT_AVAILABLE', `"${name}" is not available here`);
    if (args.length !== 2) return report('BAD_REQUEST', 'Expected exactly one payload object');
    const payload = args[0];
    if (payloadBytes(payload) > MAX_MESSAGE_BYTES) return report('PAYLOAD_TOO_LARGE', `Message exceeds ${MAX_MESSAGE_BYTES} bytes`);
    const parsed = parsers[name as ClientRequestName].parse(payload);
    if (!parsed.ok) return report('BAD_REQUEST', `Invalid "${name}" payload`, parsed.problems);
    Promise.resolve()
      .then(() => handler(parsed.value))
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
