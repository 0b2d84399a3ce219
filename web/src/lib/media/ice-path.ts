// Which network path the media takes, and the fallback order, without mediasoup or socket.io:
//   1. the SFU's own candidates, no relay: UDP when it passes, else ICE-TCP (both tried at once,
//      ICE prefers UDP);
//   2. a transport that has not connected DIRECT_TIMEOUT_MS after its ICE began (or failed
//      sooner) switches every transport to the TURN relays the server issued and restarts ICE.
//      TURN over UDP, TCP and TLS are offered together; the ones a firewall drops never answer.
// The session supplies the step; this owns the timers. The path shown is read from getStats.

export type MediaPath = 'udp' | 'ice-tcp' | 'turn-udp' | 'turn-tcp' | 'turn-tls';

/** How long the direct candidates get before the relay is tried. */
export const DIRECT_TIMEOUT_MS = 6000;

/**
 * The path of one transport's selected candidate pair: a relayed local candidate is TURN (by its
 * relayProtocol), otherwise the remote (SFU) candidate's protocol says UDP or ICE-TCP.
 */
export function pathFromStats(stats: Iterable<Record<string, unknown>>): MediaPath | null {
  const byId = new Map<string, Record<string, unknown>>();
  for (const s of stats) byId.set(String(s.id), s);
  const pair = selectedPair(byId.values());
  if (!pair) return null;
  const local = byId.get(String(pair.localCandidateId));
  const remote = byId.get(String(pair.remoteCandidateId));
  if (!local || !remote) return null;
  if (local.candidateType === 'relay') {
    const p = String(local.relayProtocol ?? 'udp');
    return p === 'tls' ? 'turn-tls' : p === 'tcp' ? 'turn-tcp' : 'turn-udp';
  }
  return remote.protocol === 'tcp' ? 'ice-tcp' : 'udp';
}

/**
 * The candidate pair a transport uses now. Several pairs can be nominated at once (UDP and ICE-TCP,
 * or old ones after an ICE restart); only the selected one carries the estimate and round trip.
 */
export function selectedPair(stats: Iterable<Record<string, unknown>>): Record<string, unknown> | undefined {
  const all = [...stats];
  const transport = all.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
  if (transport) return all.find((s) => s.id === transport.selectedCandidatePairId);
  // Browsers without transport stats: the nominated pair that succeeded.
  return all.find((s) => s.type === 'candidate-pair' && s.state === 'succeeded' && (s.nominated || s.selected));
}

export interface FallbackSteps {
  /** Give every transport the issued TURN relays and restart ICE on those not connected. */
  useRelay(): Promise<void>;
  isClosed(): boolean;
  warn?(message: string, error: unknown): void;
}

interface Watched {
  connected: boolean;
  timer?: ReturnType<typeof setTimeout>;
}

export class IceFallback {
  /** The relay is in use for this session: transports made from now on get it from the start. */
  relay = false;
  private readonly transports = new Map<string, Watched>();

  constructor(private readonly steps: FallbackSteps) {}

  /** connectionstatechange of one transport. */
  onState(id: string, state: string): void {
    let w = this.transports.get(id);
    if (!w) {
      w = { connected: false };
      this.transports.set(id, w);
    }
    if (state === 'connected') {
      w.connected = true;
      clearTimeout(w.timer);
      return;
    }
    if (w.connected || this.relay) return;
    if (state === 'connecting' && !w.timer) {
      w.timer = setTimeout(() => void this.fallBack(), DIRECT_TIMEOUT_MS);
    } else if (state === 'failed') {
      void this.fallBack();
    }
  }

  /** Whether the ICE watchdog may restart this transport: not while the fallback still decides. */
  settled(id: string): boolean {
    return this.relay || !!this.transports.get(id)?.connected;
  }

  forget(id: string): void {
    clearTimeout(this.transports.get(id)?.timer);
    this.transports.delete(id);
  }

  private async fallBack(): Promise<void> {
    if (this.relay || this.steps.isClosed()) return;
    this.relay = true;
    for (const w of this.transports.values()) clearTimeout(w.timer);
    try {
      await this.steps.useRelay();
    } catch (e) {
      // Nothing more to wait for: the ICE watchdog restarts a failed transport from here on.
      (this.steps.warn ?? console.warn)('switching to the TURN relay failed', e);
    }
  }
}
