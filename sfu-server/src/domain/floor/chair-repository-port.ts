// The one route from chair-led meetings to storage: the chair's settings (so that a
// restart keeps them), the audit log and roll calls. Implemented over SQLite
// (store/chair-repository.ts) and in memory (signalling/memory-chair-repository.ts).
import type { AuditEntry } from '../../protocol/chair';
import type { ControlSettings, RollCall } from './types';

export interface StoredRollCall extends RollCall {
  meetingId: string;
  startedBy: string;
}

export interface ChairRepositoryPort {
  saveControl(meetingId: string, settings: ControlSettings, at: number): void;
  loadControl(meetingId: string): ControlSettings | undefined;
  insertAudit(entry: AuditEntry): void;
  listAudit(meetingId: string): AuditEntry[];
  /** Writes the roll call and all its entries (insert or replace). */
  saveRollCall(meetingId: string, startedBy: string, rc: RollCall): void;
  /** Every roll call of a meeting, oldest first, with its entries in roll order. */
  rollCalls(meetingId: string): StoredRollCall[];
}
