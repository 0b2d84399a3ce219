// Server-sent events of one JSON document that changes: sent at once, then again whenever it differs
// (read every `intervalMs`, or at once when `nudge` fires), until the client goes or `forSeconds` pass.
// The browser's EventSource reconnects by itself, so each connection is checked (session, rights) anew.
import type { EventEmitter } from 'node:events';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface JsonStreamOptions {
  intervalMs: number;
  forSeconds: number;
  /** Fires when the document may have changed (a write elsewhere): read it now. */
  nudge?: { emitter: EventEmitter; event: string };
  onError(e: unknown): void;
}

/** `first` is the document already read (and its rights checked) before the stream opens. */
export function streamJson<T>(req: FastifyRequest, reply: FastifyReply, first: T, read: () => Promise<T>, o: JsonStreamOptions): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let last = JSON.stringify(first);
  res.write(`retry: 3000\ndata: ${last}\n\n`);
  let reading = false;
  const refresh = async () => {
    if (reading || res.writableEnded) return;
    reading = true;
    try {
      const text = JSON.stringify(await read());
      if (text !== last && !res.writableEnded) res.write(`data: ${text}\n\n`);
      last = text;
    } catch (e) {
      o.onError(e);
      end();
    } finally {
      reading = false;
    }
  };
  const nudge = () => void refresh();
  const timer = setInterval(nudge, o.intervalMs);
  const stop = setTimeout(() => end(), o.forSeconds * 1000);
  function end(): void {
    clearInterval(timer);
    clearTimeout(stop);
    o.nudge?.emitter.off(o.nudge.event, nudge);
    if (!res.writableEnded) res.end();
  }
  o.nudge?.emitter.on(o.nudge.event, nudge);
  req.raw.on('close', end);
  if (o.forSeconds === 0) end();
}
