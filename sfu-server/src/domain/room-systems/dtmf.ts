// Keys pressed on a room system's remote control: RFC 4733 telephone-events in its audio RTP, or SIP
// INFO (application/dtmf-relay, application/dtmf). A codec answers a roll call with them: the number
// of people in the room, then #. A lone # answers present without a count.

export const DTMF_KEYS = '0123456789*#ABCD';

/** An RFC 4733 event payload: which key, whether this packet ends it. Null when it is not one. */
export function telephoneEvent(payload: Buffer): { key: string; end: boolean } | null {
  if (payload.length < 4) return null;
  const key = DTMF_KEYS[payload[0]!];
  return key === undefined ? null : { key, end: (payload[1]! & 0x80) !== 0 };
}

/** The key of a SIP INFO body, or null: `Signal=5` (dtmf-relay) or `5` (dtmf). */
export function infoKey(contentType: string, body: string): string | null {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  let raw: string | undefined;
  if (type === 'application/dtmf-relay') raw = /^\s*signal\s*=\s*(\S+)/im.exec(body)?.[1];
  else if (type === 'application/dtmf') raw = body.trim();
  if (!raw) return null;
  const key = raw.toUpperCase() === '10' ? '*' : raw.toUpperCase() === '11' ? '#' : raw.toUpperCase();
  return key.length === 1 && DTMF_KEYS.includes(key) ? key : null;
}

/** Keys further apart than this start a new entry. */
const ENTRY_GAP_MS = 10_000;
const MAX_DIGITS = 5;

export interface RollCallKeys {
  /** The room answers present, with this many people (null: not said). */
  present: number | null;
}

/** Collects keys into a roll-call answer: digits, then #. `*` clears what was typed. */
export class KeyEntry {
  private digits = '';
  private last = 0;

  press(key: string, now: number): RollCallKeys | null {
    if (now - this.last > ENTRY_GAP_MS) this.digits = '';
    this.last = now;
    if (key === '*') {
      this.digits = '';
      return null;
    }
    if (key === '#') {
      const present = this.digits ? Number(this.digits) : null;
      this.digits = '';
      return { present };
    }
    if (/^[0-9]$/.test(key) && this.digits.length < MAX_DIGITS) this.digits += key;
    return null;
  }
}

/**
 * RFC 4733 sends each key in several packets (and its end three times) with one RTP timestamp: a key
 * counts once, at its first packet.
 */
export class EventDedup {
  private seen = new Set<number>();
  private order: number[] = [];

  first(rtpTimestamp: number): boolean {
    if (this.seen.has(rtpTimestamp)) return false;
    this.seen.add(rtpTimestamp);
    this.order.push(rtpTimestamp);
    if (this.order.length > 32) this.seen.delete(this.order.shift()!);
    return true;
  }
}
