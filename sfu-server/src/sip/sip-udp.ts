// SIP over UDP (RFC 3261 §17-18): the socket, parsing that never throws out of the socket's
// callback, retransmission of what we answered (a retransmitted request gets the same answer) and
// of requests we send, until an answer or 32 s. Messages come from npm `sip`'s parser and printer.
import dgram from 'node:dgram';
import type { Logger } from '@lienthong/kit';
import { generateBranch, makeResponse, parse, type SipMessage, stringify } from 'sip';

export interface Remote {
  address: string;
  port: number;
}

const T1 = 500;
const T2 = 4000;
const TXN_LIFE = 32_000;
const MAX_DATAGRAM = 8192;

interface ServerTxn {
  response: SipMessage | null;
  timers: NodeJS.Timeout[];
}

export interface SipUdpOptions {
  host: string;
  port: number;
  /** Our address as the other side reaches it (Via of our requests: where their answers go). */
  announcedHost: string;
  logger: Logger;
  /** Requests a second from one address before the rest are dropped (a flood costs nothing). */
  perAddressRate: number;
  onRequest(m: SipMessage, from: Remote): void;
  /** An answer to no request in progress (a 2xx to an INVITE repeated until its ACK). */
  onStrayResponse?(m: SipMessage, from: Remote): void;
}

export class SipUdp {
  private socket: dgram.Socket | null = null;
  private readonly server = new Map<string, ServerTxn>();
  private readonly client = new Map<string, (m: SipMessage) => void>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  dropped = 0;

  constructor(private readonly opts: SipUdpOptions) {}

  get port(): number {
    return this.socket?.address().port ?? this.opts.port;
  }

  start(): Promise<void> {
    const socket = dgram.createSocket('udp4');
    this.socket = socket;
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.opts.port, this.opts.host, () => {
        socket.off('error', reject);
        socket.on('error', (e) => this.opts.logger.warn({ err: e }, 'SIP socket error'));
        socket.on('message', (data, rinfo) => this.receive(data, { address: rinfo.address, port: rinfo.port }));
        resolve();
      });
    });
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const t of this.server.values()) for (const x of t.timers) clearTimeout(x);
    this.server.clear();
    this.socket?.close();
    this.socket = null;
  }

  send(m: SipMessage, to: Remote): void {
    const text = stringify(m);
    this.socket?.send(Buffer.from(text, 'binary'), to.port, to.address);
  }

  /** Answers a request; a final answer to an INVITE other than 2xx is repeated until its ACK. */
  respond(rq: SipMessage, to: Remote, status: number, reason: string, ext?: Parameters<typeof makeResponse>[3]): SipMessage {
    const rs = makeResponse(rq, status, reason, ext);
    const txn = this.server.get(txnKey(rq));
    if (txn) {
      txn.response = rs;
      if (rq.method === 'INVITE' && status >= 300) this.repeat(txn, () => this.send(rs, to));
    }
    this.send(rs, to);
    return rs;
  }

  /**
   * Sends a request and resolves with its final answer, or null after 32 s without one (an INVITE:
   * `lifeMs`). An INVITE is repeated only until a provisional answer (`onProvisional`), and a final
   * refusal of it is acknowledged here (RFC 3261 17.1.1.3); a 2xx is the dialog's to acknowledge.
   */
  request(m: SipMessage, to: Remote, o: { onProvisional?: (r: SipMessage) => void; lifeMs?: number } = {}): Promise<SipMessage | null> {
    const branch = generateBranch();
    m.headers.via = [this.via(branch)];
    return new Promise((resolve) => {
      let wait = T1;
      let timer: NodeJS.Timeout;
      const done = (r: SipMessage | null) => {
        clearTimeout(timer);
        this.timers.delete(timer);
        clearTimeout(giveUp);
        this.timers.delete(giveUp);
        this.client.delete(branch);
        resolve(r);
      };
      const again = () => {
        this.send(m, to);
        timer = setTimeout(again, wait);
        this.timers.add(timer);
        wait = Math.min(wait * 2, T2);
      };
      const giveUp = setTimeout(() => done(null), o.lifeMs ?? TXN_LIFE);
      this.timers.add(giveUp);
      this.client.set(branch, (r) => {
        const status = r.status ?? 0;
        if (status < 200) {
          if (m.method === 'INVITE') clearTimeout(timer);
          o.onProvisional?.(r);
          return;
        }
        if (m.method === 'INVITE' && status >= 300) this.send(ackOf(m, r), to);
        done(r);
      });
      again();
    });
  }

  /** Our Via for a request with this branch. */
  via(branch: string = generateBranch()): SipMessage['headers']['via'][number] {
    return { version: '2.0', protocol: 'UDP', host: this.opts.announcedHost, port: this.port, params: { branch, rport: null } };
  }

  private repeat(txn: ServerTxn, fn: () => void): void {
    let wait = T1;
    const next = () => {
      fn();
      wait = Math.min(wait * 2, T2);
      txn.timers.push(setTimeout(next, wait));
    };
    txn.timers.push(setTimeout(next, wait));
  }

  private admit(address: string): boolean {
    const now = Date.now();
    const rate = this.opts.perAddressRate;
    const b = this.buckets.get(address) ?? { tokens: rate, at: now };
    b.tokens = Math.min(rate, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    this.buckets.set(address, b);
    if (this.buckets.size > 10_000) this.buckets.clear();
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private receive(data: Buffer, from: Remote): void {
    if (data.length > MAX_DATAGRAM || data.length < 20) return;
    let m: SipMessage | undefined;
    try {
      m = parse(data);
    } catch {
      m = undefined;
    }
    if (!m || !wellFormed(m)) {
      this.dropped++;
      return;
    }
    if (m.status !== undefined) {
      const branch = String(m.headers.via[0]?.params.branch ?? '');
      const txn = this.client.get(branch);
      if (txn) txn(m);
      else this.opts.onStrayResponse?.(m, from);
      return;
    }
    if (!this.admit(from.address)) {
      this.dropped++;
      return;
    }
    const key = txnKey(m);
    const known = this.server.get(key);
    if (known) {
      // A retransmission (or the ACK of a refusal): answer again, or stop repeating.
      if (m.method === 'ACK') for (const t of known.timers) clearTimeout(t);
      else if (known.response) this.send(known.response, from);
      return;
    }
    if (m.method !== 'ACK') {
      const txn: ServerTxn = { response: null, timers: [] };
      this.server.set(key, txn);
      const end = setTimeout(() => {
        for (const t of txn.timers) clearTimeout(t);
        this.server.delete(key);
      }, TXN_LIFE);
      end.unref();
      txn.timers.push(end);
    }
    try {
      this.opts.onRequest(m, from);
    } catch (e) {
      this.opts.logger.error({ err: e, method: m.method }, 'SIP request handler failed');
      if (m.method !== 'ACK') this.respond(m, from, 500, 'Server Internal Error');
    }
  }
}

/** The ACK of a final refusal of an INVITE: same branch, the answer's To (with its tag). */
function ackOf(invite: SipMessage, r: SipMessage): SipMessage {
  return {
    method: 'ACK',
    uri: invite.uri,
    version: '2.0',
    headers: {
      via: invite.headers.via,
      from: invite.headers.from,
      to: r.headers.to,
      'call-id': invite.headers['call-id'],
      cseq: { seq: invite.headers.cseq.seq, method: 'ACK' },
      'max-forwards': '70',
    },
  };
}

const txnKey = (m: SipMessage) =>
  `${String(m.headers.via[0]?.params.branch ?? '')}|${m.method === 'ACK' ? 'INVITE' : m.headers.cseq.method}|${m.headers['call-id']}`;

function wellFormed(m: SipMessage): boolean {
  const h = m.headers;
  return (
    Array.isArray(h?.via) &&
    h.via.length > 0 &&
    typeof h['call-id'] === 'string' &&
    typeof h.cseq?.method === 'string' &&
    Number.isInteger(h.cseq.seq) &&
    typeof h.from?.uri === 'string' &&
    typeof h.to?.uri === 'string'
  );
}
