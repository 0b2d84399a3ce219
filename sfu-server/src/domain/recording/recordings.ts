// A meeting's recordings as kept: one file per start/stop, what became of it, and how long it is kept.

export type RecordingState =
  /** Being written now. */
  | 'recording'
  /** Stopped by the chair, the meeting's end or the room closing: the file is complete. */
  | 'done'
  /** The server or its recorder stopped unexpectedly: the file holds what was written until then. */
  | 'interrupted'
  /** Nothing usable was written. */
  | 'failed'
  /** Deleted by the retention setting or an administrator: the row stays, the file is gone. */
  | 'deleted';

export interface RecordingRecord {
  id: string;
  meetingId: string;
  startedAt: number;
  endedAt: number | null;
  startedBy: string;
  startedByName: string;
  state: RecordingState;
  /** File name inside the recordings folder. */
  file: string;
  sizeBytes: number | null;
  durationMs: number | null;
  error: string | null;
}

const DAY_MS = 86_400_000;

/** Recordings past the retention period (counted from their end), still holding a file. */
export function expiredRecordings(list: readonly RecordingRecord[], now: number, retentionDays: number): RecordingRecord[] {
  if (retentionDays <= 0) return [];
  return list.filter((r) => (r.state === 'done' || r.state === 'interrupted') && (r.endedAt ?? r.startedAt) + retentionDays * DAY_MS < now);
}

/** The state a finished file is in: nothing written is a failure whatever the reason it ended. */
export function finishedState(stoppedOnPurpose: boolean, sizeBytes: number, durationMs: number | null): RecordingState {
  if (sizeBytes === 0 || durationMs === null || durationMs <= 0) return 'failed';
  return stoppedOnPurpose ? 'done' : 'interrupted';
}
