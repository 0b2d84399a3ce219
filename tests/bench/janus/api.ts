// The Janus JSON API over its HTTP transport: a session, handles attached to a plugin, requests
// to the plugin (acknowledged at once, answered later by an event with the same transaction) and
// one long-poll GET per session that carries every event back.
import { randomUUID } from 'node:crypto';

export interface Jsep {
  type: 'offer' | 'answer';
  sdp: string;
  /** Janus extensions: the simulcast rid order of an offer, whether candidates are trickled. */
  rid_order?: 'hml' | 'lmh';
  trickle?: boolean;
}

interface JanusMessage {
  janus: string;
  transaction?: string;
  sender?: number;
  data?: { id: number };
  error?: { code: number; reason: string };
  plugindata?: { plugin: string; data: Record<string, unknown> };
  jsep?: Jsep;
}

export interface PluginReply {
  data: Record<string, unknown>;
  jsep: Jsep | undefined;
}

export class JanusSession {
  private readonly waiting = new Map<string, { ok(m: JanusMessage): void; fail(e: Error): void }>();
  private readonly listeners = new Map<number, (m: JanusMessage) => void>();
  private readonly abort = new AbortController();
  private closed = false;

  private constructor(
    private readonly base: string,
    readonly id: number,
  ) {
    void this.poll();
  }

  static async create(base: string): Promise<JanusSession> {
    const r = await post(base, { janus: 'create' });
    return new JanusSession(base, r.data!.id);
  }

  async attach(plugin: string, onEvent: (m: JanusMessage) => void = () => undefined): Promise<JanusHandle> {
    const r = await post(`${this.base}/${this.id}`, { janus: 'attach', plugin });
    this.listeners.set(r.data!.id, onEvent);
    return new JanusHandle(this, r.data!.id);
  }

  /** A plugin request: resolves with the plugin's event for it (its data, and its JSEP if any). */
  async message(handle: number, body: Record<string, unknown>, jsep?: Jsep, timeoutMs = 20_000): Promise<PluginReply> {
    const transaction = randomUUID();
    const answered = new Promise<JanusMessage>((ok, fail) => {
      const timer = setTimeout(() => {
        this.waiting.delete(transaction);
        fail(new Error(`janus: no answer to ${String(body.request)} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.waiting.set(transaction, {
        ok: (m) => {
          clearTimeout(timer);
          ok(m);
        },
        fail: (e) => {
          clearTimeout(timer);
          fail(e);
        },
      });
    });
    const ack = await post(`${this.base}/${this.id}/${handle}`, { janus: 'message', transaction, body, ...(jsep ? { jsep } : {}) });
    // Synchronous plugin requests answer in the POST itself.
    const m = ack.janus === 'success' ? ack : await answered;
    this.waiting.delete(transaction);
    const data = m.plugindata?.data ?? {};
    if (typeof data.error === 'string') throw new Error(`janus ${String(body.request)}: ${data.error} (${String(data.error_code)})`);
    return { data, jsep: m.jsep };
  }

  /** Events come back on one long-poll GET at a time (up to 10 per answer). */
  private async poll(): Promise<void> {
    while (!this.closed) {
      let events: JanusMessage[];
      try {
        const res = await fetch(`${this.base}/${this.id}?maxev=10&rid=${Date.now()}`, { signal: this.abort.signal });
        const body = (await res.json()) as JanusMessage | JanusMessage[];
        events = Array.isArray(body) ? body : [body];
      } catch (e) {
        if (this.closed) return;
        for (const w of this.waiting.values()) w.fail(new Error(`janus long-poll failed: ${(e as Error).message}`));
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      for (const m of events) {
        const w = m.transaction ? this.waiting.get(m.transaction) : undefined;
        if (w && m.janus === 'event') w.ok(m);
        else if (m.sender !== undefined) this.listeners.get(m.sender)?.(m);
      }
    }
  }

  async destroy(): Promise<void> {
    this.closed = true; // no new long-poll after this one
    await post(`${this.base}/${this.id}`, { janus: 'destroy' }).catch(() => undefined);
    this.abort.abort();
  }
}

export class JanusHandle {
  constructor(
    private readonly session: JanusSession,
    readonly id: number,
  ) {}

  message(body: Record<string, unknown>, jsep?: Jsep): Promise<PluginReply> {
    return this.session.message(this.id, body, jsep);
  }
}

async function post(url: string, body: Record<string, unknown>): Promise<JanusMessage> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ transaction: randomUUID(), ...body }),
  });
  const m = (await res.json()) as JanusMessage;
  if (m.janus === 'error') throw new Error(`janus ${String(body.janus)}: ${m.error?.reason} (${m.error?.code})`);
  return m;
}
