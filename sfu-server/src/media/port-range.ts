// Ports mediasoup chooses itself (plain and pipe transports) are taken from below the kernel's
// ephemeral range. Ports we choose by binding port 0 and then hand to GStreamer come from inside
// it, so a transport opened meanwhile cannot take one of them before the pipeline binds it. The
// configured fixed ports (each worker's WebRTC port, the room systems' range) are left out too: a
// replaced worker must find its port free.
import { readFileSync } from 'node:fs';
import type { types } from 'mediasoup';

export interface PortSpan {
  min: number;
  max: number;
}

const LOWEST = 10_000;
/** Below this many ports in the largest free span, mediasoup keeps its own default. */
const FEWEST = 2_000;

/** The first port of `ip_local_port_range` ("32768\t60999"), or undefined if the text is not that. */
export function ephemeralLow(text: string): number | undefined {
  const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const low = Number(m[1]);
  return low >= 1 && low <= 65_535 && low <= Number(m[2]) ? low : undefined;
}

/** The largest span of LOWEST..low-1 outside `reserved`; undefined when it is too small to use. */
export function rangeBelow(low: number | undefined, reserved: readonly PortSpan[] = []): types.TransportPortRange | undefined {
  if (low === undefined) return undefined;
  let best: PortSpan | undefined;
  let from = LOWEST;
  const cuts = [...reserved].sort((a, b) => a.min - b.min);
  for (const cut of [...cuts, { min: low, max: low }]) {
    const to = Math.min(cut.min - 1, low - 1);
    if (to >= from && (!best || to - from > best.max - best.min)) best = { min: from, max: to };
    from = Math.max(from, cut.max + 1);
  }
  return best && best.max - best.min + 1 >= FEWEST ? best : undefined;
}

let reserved: readonly PortSpan[] = [];
let cached: { range: types.TransportPortRange | undefined } | undefined;

/** The fixed ports this server is configured with (set once at start-up, before any transport). */
export function reservePorts(spans: readonly PortSpan[]): void {
  reserved = spans;
  cached = undefined;
}

/** The port range for transports mediasoup gives a port of its choosing (undefined: its default). */
export function mediaPortRange(): types.TransportPortRange | undefined {
  if (!cached) {
    let text = '';
    try {
      text = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
    } catch {
      // not Linux: mediasoup's default range
    }
    cached = { range: rangeBelow(ephemeralLow(text), reserved) };
  }
  return cached.range;
}

/** `portRange` to spread into a listenInfo, nothing when mediasoup's default applies. */
export function portRangeOption(): { portRange?: types.TransportPortRange } {
  const range = mediaPortRange();
  return range ? { portRange: range } : {};
}
