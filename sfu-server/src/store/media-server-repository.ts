// Media servers of a cascade over the core's SQLite connection.
import type Database from 'better-sqlite3';
import type { MediaServerRecord } from '../domain/cascade/assignment';
import type { MediaServerStore } from '../domain/cascade/service';

type Row = Record<string, unknown>;

const fromRow = (r: Row): MediaServerRecord => ({
  id: String(r.id),
  name: String(r.name),
  url: String(r.url),
  siteId: String(r.site_id),
  createdAt: String(r.created_at),
  updatedAt: String(r.updated_at),
});

export class MediaServerRepository implements MediaServerStore {
  constructor(private readonly db: Database.Database) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  listMediaServers(): MediaServerRecord[] {
    return (this.db.prepare('SELECT * FROM media_servers ORDER BY name').all() as Row[]).map(fromRow);
  }

  insertMediaServer(s: MediaServerRecord): void {
    this.db
      .prepare('INSERT INTO media_servers (id, name, url, site_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(s.id, s.name, s.url, s.siteId, s.createdAt, s.updatedAt);
  }

  updateMediaServer(s: MediaServerRecord): void {
    this.db
      .prepare('UPDATE media_servers SET name = ?, url = ?, site_id = ?, updated_at = ? WHERE id = ?')
      .run(s.name, s.url, s.siteId, s.updatedAt, s.id);
  }

  deleteMediaServer(id: string): void {
    this.db.prepare('DELETE FROM media_servers WHERE id = ?').run(id);
  }
}
