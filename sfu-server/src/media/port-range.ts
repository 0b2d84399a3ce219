// Ports mediasoup chooses itself (plain and pipe transports) are taken from below the kernel's
// ephemeral range. Ports we choose by binding port 0 and then hand to GStreamer come from inside
// it, so a transport opened meanwhile cannot take one of them before the pipeline binds it.
import { readFileSync } from 'node:fs';
import type { types } from 'mediasoup';

const LOWEST = 10_000;
/** Below this many ports under the ephemeral range, mediasoup keeps its own default. */
const FEWEST = 2_000;

/** The first port of `ip_local_port_range` ("32768\t60999"), or undefined if the text is not that. */
export function ephemeralLow(text: string): number | undefined {
  const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const low = Number(m[1]);
  return low >= 1 && low <= 65_535 && low <= Number(m[2]) ? low : undefined;
}

export function rangeBelow(low: number | undefined): types.TransportPortRange | undefined {
  if (low === undefined || low - 1 - LOWEST < FEWEST) return undefined;
  return { min: LOWEST, max: low - 1 };
}

let cached: { range: types.TransportPortRange | undefined } | undefined;

/** The port range for transports mediasoup gives a port of its choosing (undefined: its default). */
export function mediaPortRange(): types.TransportPortRange | undefined {
  if (!cached) {
    let text = '';
    try {
      text = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
    } catch {
      // not Linux: mediasoup's default range
    }
    cached = { range: rangeBelow(ephemeralLow(text)) };
  }
  return cached.range;
}

/** `portRange` to spread into a listenInfo, nothing when mediasoup's default applies. */
export function portRangeOption(): { portRange?: types.TransportPortRange } {
  const range = mediaPortRange();
  return range ? { portRange: range } : {};
}
