// SQLite store (WAL) for inventory, credentials and events. Credentials live in their own
// table and only leave it for the poller; views are built without them.
import Database from 'better-sqlite3';
import type { EventStore, NewEvent } from '../domain/events';
import type { Device, InventoryStore, Link } from '../domain/inventory';
import type { SiteNode } from '../domain/topology';
import type { EventQuery, EventView } from '../protocol/health';
import type { SnmpCredentials } from '../protocol/inventory';

const MIGRATIONS: string[] = [
  `CREATE TABLE devices (
     id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, site_code TEXT NOT NULL, role TEXT NOT NULL,
     address TEXT NOT NULL, snmp_port INTEGER NOT NULL, poll_interval_s INTEGER NOT NULL,
     timeout_ms INTEGER NOT NULL, retries INTEGER NOT NULL, probe INTEGER NOT NULL, demo INTEGER NOT NULL);
   CREATE TABLE credentials (device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE, secret_json TEXT NOT NULL);
   CREATE TABLE links (
     id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL, speed_bps INTEGER NOT NULL,
     downstream_json TEXT NOT NULL, upstream_json TEXT NOT NULL, demo INTEGER NOT NULL);
   CREATE TABLE events (
     id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, severity TEXT NOT NULL, source TEXT NOT NULL,
     first_at INTEGER NOT NULL, last_at INTEGER NOT NULL, count INTEGER NOT NULL DEFAULT 1,
     device_id TEXT, link_id TEXT, site_code TEXT, interface TEXT, message TEXT NOT NULL, details_json TEXT,
     dedup_key TEXT NOT NULL);
   CREATE INDEX events_dedup ON events (dedup_key, last_at);
   CREATE INDEX events_last ON events (last_at);`,
  // The site tree as last read from sfu-server, so nms starts with it when sfu-server is not up yet.
  `CREATE TABLE sites (code TEXT PRIMARY KEY, name TEXT NOT NULL, parent_code TEXT);`,
  // The media server serving each site (issue 15); null when sfu-server did not say.
  `ALTER TABLE sites ADD COLUMN server_id TEXT;
   ALTER TABLE sites ADD COLUMN server_name TEXT;
   ALTER TABLE sites ADD COLUMN server_url TEXT;`,
];

interface DeviceRow {
  id: string;
  name: string;
  site_code: string;
  role: Device['role'];
  address: string;
  snmp_port: number;
  poll_interval_s: number;
  timeout_ms: number;
  retries: number;
  probe: number;
  demo: number;
  secret_json: string | null;
}
interface SiteRow {
  code: string;
  name: string;
  parent_code: string | null;
  server_id: string | null;
  server_name: string | null;
  server_url: string | null;
}
interface LinkRow {
  id: string;
  name: string;
  role: Link['role'];
  speed_bps: number;
  downstream_json: string;
  upstream_json: string;
  demo: number;
}
interface EventRow {
  id: number;
  kind: EventView['kind'];
  severity: EventView['severity'];
  source: EventView['source'];
  first_at: number;
  last_at: number;
  count: number;
  device_id: string | null;
  link_id: string | null;
  site_code: string | null;
  interface: string | null;
  message: string;
  details_json: string | null;
}

export class NmsStore implements InventoryStore, EventStore {
  readonly db: Database.Database;
  private deviceCache: Device[] | null = null;
  private linkCache: Link[] | null = null;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('synchronous = NORMAL');
    this.migrate();
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  loadSites(): SiteNode[] {
    return (this.db.prepare('SELECT code, name, parent_code, server_id, server_name, server_url FROM sites').all() as SiteRow[]).map(
      (r) => ({
        code: r.code,
        name: r.name,
        parentCode: r.parent_code,
        server: r.server_id === null ? null : { id: r.server_id, name: r.server_name ?? '', url: r.server_url ?? '' },
      }),
    );
  }

  saveSites(sites: SiteNode[]): void {
    const ins = this.db.prepare(
      'INSERT INTO sites (code, name, parent_code, server_id, server_name, server_url) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.transaction(() => {
      this.db.exec('DELETE FROM sites');
      for (const s of sites) ins.run(s.code, s.name, s.parentCode, s.server?.id ?? null, s.server?.name ?? null, s.server?.url ?? null);
    });
  }

  ping(): boolean {
    return this.db.prepare('SELECT 1 AS x').get() !== undefined;
  }

  close(): void {
    this.db.close();
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // Inventory reads are hot (every poll result); cache until the next write.
  listDevices(): Device[] {
    this.deviceCache ??= (
      this.db
        .prepare('SELECT d.*, c.secret_json FROM devices d LEFT JOIN credentials c ON c.device_id = d.id ORDER BY d.name')
        .all() as DeviceRow[]
    ).map((r) => ({
      id: r.id,
      name: r.name,
      siteCode: r.site_code,
      role: r.role,
      address: r.address,
      snmpPort: r.snmp_port,
      snmp: r.secret_json ? (JSON.parse(r.secret_json) as SnmpCredentials) : null,
      pollIntervalSeconds: r.poll_interval_s,
      timeoutMs: r.timeout_ms,
      retries: r.retries,
      probe: r.probe === 1,
      demo: r.demo === 1,
    }));
    return this.deviceCache;
  }

  saveDevice(d: Device): void {
    this.deviceCache = null;
    this.db
      .prepare(
        `INSERT INTO devices (id, name, site_code, role, address, snmp_port, poll_interval_s, timeout_ms, retries, probe, demo)
         VALUES (@id, @name, @siteCode, @role, @address, @snmpPort, @pollIntervalSeconds, @timeoutMs, @retries, @probe, @demo)
         ON CONFLICT(id) DO UPDATE SET name=excluded.name, site_code=excluded.site_code, role=excluded.role, address=excluded.address,
           snmp_port=excluded.snmp_port, poll_interval_s=excluded.poll_interval_s, timeout_ms=excluded.timeout_ms,
           retries=excluded.retries, probe=excluded.probe, demo=excluded.demo`,
      )
      .run({ ...d, probe: d.probe ? 1 : 0, demo: d.demo ? 1 : 0, snmp: undefined });
    if (d.snmp) {
      this.db
        .prepare(
          'INSERT INTO credentials (device_id, secret_json) VALUES (?, ?) ON CONFLICT(device_id) DO UPDATE SET secret_json=excluded.secret_json',
        )
        .run(d.id, JSON.stringify(d.snmp));
    } else {
      this.db.prepare('DELETE FROM credentials WHERE device_id = ?').run(d.id);
    }
  }

  deleteDevice(id: string): void {
    this.deviceCache = null;
    this.db.prepare('DELETE FROM devices WHERE id = ?').run(id);
  }

  listLinks(): Link[] {
    this.linkCache ??= (this.db.prepare('SELECT * FROM links ORDER BY name').all() as LinkRow[]).map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role,
      speedBps: r.speed_bps,
      downstream: JSON.parse(r.downstream_json),
      upstream: JSON.parse(r.upstream_json),
      demo: r.demo === 1,
    }));
    return this.linkCache;
  }

  saveLink(l: Link): void {
    this.linkCache = null;
    this.db
      .prepare(
        `INSERT INTO links (id, name, role, speed_bps, downstream_json, upstream_json, demo) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name=excluded.name, role=excluded.role, speed_bps=excluded.speed_bps,
           downstream_json=excluded.downstream_json, upstream_json=excluded.upstream_json, demo=excluded.demo`,
      )
      .run(l.id, l.name, l.role, l.speedBps, JSON.stringify(l.downstream), JSON.stringify(l.upstream), l.demo ? 1 : 0);
  }

  deleteLink(id: string): void {
    this.linkCache = null;
    this.db.prepare('DELETE FROM links WHERE id = ?').run(id);
  }

  // ---- events ----
  insert(e: NewEvent & { at: number; dedupKey: string }): number {
    const r = this.db
      .prepare(
        `INSERT INTO events (kind, severity, source, first_at, last_at, device_id, link_id, site_code, interface, message, details_json, dedup_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        e.kind,
        e.severity,
        e.source,
        e.at,
        e.at,
        e.deviceId ?? null,
        e.linkId ?? null,
        e.siteCode ?? null,
        e.interface ?? null,
        e.message,
        e.details === undefined ? null : JSON.stringify(e.details),
        e.dedupKey,
      );
    return Number(r.lastInsertRowid);
  }

  bump(id: number, at: number): void {
    this.db.prepare('UPDATE events SET count = count + 1, last_at = ? WHERE id = ?').run(at, id);
  }

  findRecent(dedupKey: string, since: number): { id: number } | undefined {
    return this.db.prepare('SELECT id FROM events WHERE dedup_key = ? AND last_at >= ? ORDER BY id DESC LIMIT 1').get(dedupKey, since) as
      | { id: number }
      | undefined;
  }

  listEvents(q: EventQuery): EventView[] {
    const where: string[] = ['id > @sinceId'];
    if (q.deviceId) where.push('device_id = @deviceId');
    if (q.linkId) where.push('link_id = @linkId');
    if (q.siteCode) where.push('site_code = @siteCode');
    const rows = this.db
      .prepare(`SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`)
      .all({ sinceId: q.sinceId ?? 0, deviceId: q.deviceId, linkId: q.linkId, siteCode: q.siteCode, limit: q.limit ?? 100 }) as EventRow[];
    return rows.map((r) => {
      const v: EventView = {
        id: r.id,
        kind: r.kind,
        severity: r.severity,
        source: r.source,
        firstAt: new Date(r.first_at).toISOString(),
        lastAt: new Date(r.last_at).toISOString(),
        count: r.count,
        deviceId: r.device_id,
        linkId: r.link_id,
        siteCode: r.site_code,
        interface: r.interface,
        message: r.message,
      };
      if (r.details_json) v.details = JSON.parse(r.details_json);
      return v;
    });
  }

  pruneEvents(before: number): number {
    return this.db.prepare('DELETE FROM events WHERE last_at < ?').run(before).changes;
  }
}
