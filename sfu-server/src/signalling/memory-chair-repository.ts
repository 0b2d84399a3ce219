// ChairRepositoryPort kept in memory: for signalling without a database (the
// media self-test server) and for unit tests. Values are copied in and out, as a
// real store would, so that later changes to live state do not leak into it.
import type { ChairRepositoryPort, StoredRollCall } from '../domain/floor/chair-repository-port';
import type { ControlSettings, RollCall } from '../domain/floor/types';
import type { AuditEntry } from '../protocol/chair';

const copy = <T>(v: T): T => structuredClone(v);

export class MemoryChairRepository implements ChairRepositoryPort {
  private readonly control = new Map<string, ControlSettings>();
  private readonly audit: AuditEntry[] = [];
  private readonly calls = new Map<string, StoredRollCall>();

  saveControl(meetingId: string, settings: ControlSettings): void {
    this.control.set(meetingId, copy(settings));
  }

  loadControl(meetingId: string): ControlSettings | undefined {
    const s = this.control.get(meetingId);
    return s ? copy(s) : undefined;
  }

  insertAudit(entry: AuditEntry): void {
    this.audit.push(copy(entry));
  }

  listAudit(meetingId: string): AuditEntry[] {
    return this.audit.filter((e) => e.meetingId === meetingId).map(copy);
  }

  saveRollCall(meetingId: string, startedBy: string, rc: RollCall): void {
    // Like the SQLite upsert: the meeting, the starter and the start time stay.
    const before = this.calls.get(rc.id);
    const first = before ?? { meetingId, startedBy, startedAt: rc.startedAt };
    this.calls.set(rc.id, { ...copy(rc), meetingId: first.meetingId, startedBy: first.startedBy, startedAt: first.startedAt });
  }

  rollCalls(meetingId: string): StoredRollCall[] {
    return [...this.calls.values()]
      .filter((c) => c.meetingId === meetingId)
      .sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id))
      .map(copy);
  }
}
