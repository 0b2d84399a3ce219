// The once-a-second readings of a district's peers cross the province–district link, so they are
// kept small: figures rounded, and each peer's list of received videos sent only when it changed
// since the answer the province says it holds (a lost answer makes the next one whole).
import type { PeerReading, StatsAnswer, WireReading } from '../protocol/cascade-media';

const round = (v: number | null, step: number): number | null => (v === null ? null : Math.round(v / step) * step);
const fixed = (v: number | null, digits: number): number | null => (v === null ? null : Number(v.toFixed(digits)));

function rounded(r: PeerReading): PeerReading {
  const l = r.recvLink;
  const s = r.stats;
  return {
    peerId: r.peerId,
    recvLink: l && {
      ...l,
      estimateBps: round(l.estimateBps, 1000),
      sendBps: round(l.sendBps, 1000) ?? 0,
      rttMs: round(l.rttMs, 1),
      lossFraction: fixed(l.lossFraction, 3),
    },
    stats: s && {
      ...s,
      rttMs: round(s.rttMs, 1),
      lossFraction: fixed(s.lossFraction, 3) ?? 0,
      sendBps: round(s.sendBps, 1000) ?? 0,
      recvBps: round(s.recvBps, 1000) ?? 0,
      jitterMs: round(s.jitterMs, 1),
    },
  };
}

/** A district's side, one per meeting. */
export class ReadingsSent {
  private seq = 0;
  /** Each peer's video list as the province holds it after answer `seq`. */
  private video = new Map<string, string>();

  answer(known: number | undefined, peers: PeerReading[]): StatsAnswer {
    const base = known === this.seq ? this.video : new Map<string, string>();
    const next = new Map<string, string>();
    const out = peers.map((r): WireReading => {
      const w = rounded(r);
      if (!w.recvLink) return w;
      const json = JSON.stringify(w.recvLink.video);
      next.set(r.peerId, json);
      if (base.get(r.peerId) !== json) return w;
      const { video: _same, ...rest } = w.recvLink;
      return { ...w, recvLink: rest };
    });
    this.seq += 1;
    this.video = next;
    return { seq: this.seq, peers: out };
  }
}

/** The province's side, one per server and meeting: whole readings from the answers. */
export class ReadingsKept {
  /** The answer these readings are as of; undefined asks for a whole one. */
  known: number | undefined;
  /** A request is out. */
  busy = false;
  private readonly byPeer = new Map<string, PeerReading>();

  take(a: StatsAnswer): PeerReading[] {
    const next = new Map<string, PeerReading>();
    let whole = true;
    for (const w of a.peers) {
      const l = w.recvLink;
      const video = l ? (l.video ?? this.byPeer.get(w.peerId)?.recvLink?.video) : undefined;
      if (l && !video) whole = false;
      next.set(w.peerId, { ...w, recvLink: l && video ? { ...l, video } : null });
    }
    this.byPeer.clear();
    for (const [id, r] of next) this.byPeer.set(id, r);
    // A list left out that is not held here (should not happen): ask for a whole answer next time.
    this.known = whole ? a.seq : undefined;
    return [...next.values()];
  }
}
