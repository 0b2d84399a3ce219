// Shapes of the floor domain's state, shared by FloorControl, the media rules
// and the repository port (kept apart so that none of them imports another's code).
export type MeetingMode = 'briefing' | 'discussion';
export type MicState = 'open' | 'closed' | 'muted';
/** The chair's explicit decision for one site's microphone. */
export type ChairRight = 'open' | 'muted';
export type AttendanceStatus = 'pending' | 'present' | 'absent' | 'late';

export interface QueueEntry {
  siteId: string;
  requestedAt: number;
}

export interface Floor {
  siteId: string;
  since: number;
  /** When the speaking limit runs out; null without a limit. */
  until: number | null;
}

export interface Presentation {
  siteId: string;
  peerId: string;
  producerId: string | null;
  since: number;
}

export interface AttendanceEntry {
  siteId: string;
  siteCode: string;
  siteName: string;
  status: AttendanceStatus;
  headCount: number | null;
  reason: string | null;
  at: number | null;
}

export interface RollCall {
  id: string;
  startedAt: number;
  endedAt: number | null;
  entries: AttendanceEntry[];
}

/** What must outlive a restart: the chair's decisions, the speaking queue and the floor. */
export interface ControlSettings {
  chairSiteId: string;
  mode: MeetingMode;
  locked: boolean;
  allowSelfUnmute: boolean;
  speakingLimitMs: number | null;
  defaultOpen: boolean;
  rights: [string, ChairRight][];
  removed: string[];
  /** Sites in the meeting while it was locked: they may come back after a restart. */
  admitted: string[];
  /** Absent in rows saved before the queue was kept. */
  queue?: QueueEntry[];
  floor?: Floor | null;
  /** Absent in rows saved before chair powers moved to users: the schedule's then apply. */
  authority?: ChairAuthority;
}

export interface Person {
  userId: string;
  name: string;
}

/** Who may use the chair's powers: the chair user and the console operators acting for them. */
export interface ChairAuthority {
  chair: Person;
  operators: Person[];
  /** The schedule's chair and operators (user ids) this authority last followed. */
  scheduled: string;
}
