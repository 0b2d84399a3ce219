// How many connections one key (a user, an address) holds at once, capped. A slot is taken
// before the connection is accepted and given back exactly once when it ends.

export class ConnectionCaps {
  private readonly held = new Map<string, number>();

  constructor(private readonly cap: number) {}

  /** Takes a slot for `key`; null when the key is at its cap, else the release function (idempotent). */
  acquire(key: string): (() => void) | null {
    const n = this.held.get(key) ?? 0;
    if (n >= this.cap) return null;
    this.held.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(key) ?? 1) - 1;
      if (left <= 0) this.held.delete(key);
      else this.held.set(key, left);
    };
  }

  count(key: string): number {
    return this.held.get(key) ?? 0;
  }
}

export interface UserPeer {
  peerId: string;
  connected: boolean;
  /** When it disconnected (ms); null while connected. */
  disconnectedAt: number | null;
}

export type PeerRoom = { ok: true; evict: string[] } | { ok: false };

/**
 * May a user add one more meeting participant, given the ones it has? Connected ones count
 * against the cap; disconnected ones (waiting out their grace) make room, oldest first.
 */
export function roomForPeer(peers: readonly UserPeer[], cap: number): PeerRoom {
  const connected = peers.filter((p) => p.connected).length;
  if (connected >= cap) return { ok: false };
  const waiting = peers.filter((p) => !p.connected).sort((a, b) => (a.disconnectedAt ?? 0) - (b.disconnectedAt ?? 0));
  const excess = peers.length + 1 - cap;
  return { ok: true, evict: excess > 0 ? waiting.slice(0, excess).map((p) => p.peerId) : [] };
}
