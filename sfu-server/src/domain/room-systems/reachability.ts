// Is each room system there? The SIP endpoint asks it with OPTIONS every so often; any SIP answer
// (even a refusal) means its SIP stack is up on the network. One lost datagram is not an outage:
// it is unreachable after DOWN_AFTER questions in a row go unanswered, and reachable at the first answer.

export type Reachability = 'reachable' | 'unreachable' | 'unknown';

export interface ReachabilityView {
  state: Reachability;
  /** Round trip of the last answer. */
  rttMs: number | null;
  /** The SIP status it last answered with. */
  status: number | null;
  /** When it last answered, and when it was last asked (epoch ms). */
  lastAnswerAt: number | null;
  checkedAt: number | null;
}

/** A change of state worth telling (logs, audit, events). */
export interface ReachabilityChange {
  id: string;
  from: Reachability;
  to: Reachability;
}

export const DOWN_AFTER = 2;

interface Entry extends ReachabilityView {
  misses: number;
}

const UNKNOWN: ReachabilityView = { state: 'unknown', rttMs: null, status: null, lastAnswerAt: null, checkedAt: null };

export class ReachabilityBook {
  private readonly entries = new Map<string, Entry>();

  /** One question's outcome: its answer (status and round trip), or null when none came. */
  record(id: string, answer: { status: number; rttMs: number } | null, at: number): ReachabilityChange | null {
    const e = this.entries.get(id) ?? { ...UNKNOWN, misses: 0 };
    const from = e.state;
    e.checkedAt = at;
    if (answer) {
      e.misses = 0;
      e.state = 'reachable';
      e.rttMs = answer.rttMs;
      e.status = answer.status;
      e.lastAnswerAt = at;
    } else {
      e.misses += 1;
      if (e.misses >= DOWN_AFTER) e.state = 'unreachable';
    }
    this.entries.set(id, e);
    return from === e.state ? null : { id, from, to: e.state };
  }

  view(id: string): ReachabilityView {
    const e = this.entries.get(id);
    if (!e) return { ...UNKNOWN };
    const { misses: _misses, ...view } = e;
    return view;
  }

  /** Forgets room systems no longer registered. */
  keepOnly(ids: ReadonlySet<string>): void {
    for (const id of this.entries.keys()) if (!ids.has(id)) this.entries.delete(id);
  }
}
