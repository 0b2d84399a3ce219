// Room systems and meeting dial-in numbers over the core's SQLite connection.
import type Database from 'better-sqlite3';
import type { RoomSystemRecord, RoomSystemStore } from '../domain/room-systems/service';

type Row = Record<string, unknown>;

const fromRow = (r: Row): RoomSystemRecord => ({
  id: String(r.id),
  siteId: String(r.site_id),
  name: String(r.name),
  sipUser: String(r.sip_user),
  address: r.address === null ? null : String(r.address),
  sipPort: r.sip_port === null || r.sip_port === undefined ? null : Number(r.sip_port),
  createdAt: String(r.created_at),
});

export class RoomSystemRepository implements RoomSystemStore {
  constructor(private readonly db: Database.Database) {}

  listRoomSystems(siteId?: string): RoomSystemRecord[] {
    const rows = siteId
      ? this.db.prepare('SELECT * FROM room_systems WHERE site_id = ? ORDER BY name').all(siteId)
      : this.db.prepare('SELECT * FROM room_systems ORDER BY site_id, name').all();
    return (rows as Row[]).map(fromRow);
  }

  getRoomSystem(id: string): RoomSystemRecord | undefined {
    const r = this.db.prepare('SELECT * FROM room_systems WHERE id = ?').get(id) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  roomSystemBySipUser(sipUser: string): RoomSystemRecord | undefined {
    const r = this.db.prepare('SELECT * FROM room_systems WHERE sip_user = ?').get(sipUser) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  insertRoomSystem(r: RoomSystemRecord): void {
    this.db
      .prepare('INSERT INTO room_systems (id, site_id, name, sip_user, address, sip_port, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(r.id, r.siteId, r.name, r.sipUser, r.address, r.sipPort, r.createdAt);
  }

  deleteRoomSystem(id: string): void {
    this.db.prepare('DELETE FROM room_systems WHERE id = ?').run(id);
  }

  dialNumberOf(meetingId: string): string | undefined {
    const r = this.db.prepare('SELECT number FROM meeting_dial_numbers WHERE meeting_id = ?').get(meetingId) as Row | undefined;
    return r ? String(r.number) : undefined;
  }

  meetingOfDialNumber(number: string): string | undefined {
    const r = this.db.prepare('SELECT meeting_id FROM meeting_dial_numbers WHERE number = ?').get(number) as Row | undefined;
    return r ? String(r.meeting_id) : undefined;
  }

  insertDialNumber(meetingId: string, number: string): boolean {
    return (
      this.db.prepare('INSERT OR IGNORE INTO meeting_dial_numbers (meeting_id, number) VALUES (?, ?)').run(meetingId, number).changes === 1
    );
  }
}
