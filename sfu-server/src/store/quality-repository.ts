// The quality log of meetings over the core's SQLite connection (QualityLogPort).
import type Database from 'better-sqlite3';
import type { Grade } from '../domain/live/quality';
import type { NetworkEvent, QualityLogPort, QualitySample, SiteEvent, SiteEventKind } from '../domain/live/quality-log';

type Row = Record<string, unknown>;

export class QualityRepository implements QualityLogPort {
  private readonly insertSample: Database.Statement;
  private readonly insertEvent: Database.Statement;
  private readonly insertNetwork: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.insertSample = db.prepare(
      `INSERT INTO meeting_quality (meeting_id, site_id, peer_id, at, rtt_ms, loss, jitter_ms, send_bps, recv_bps, grade, layer, freezes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertEvent = db.prepare('INSERT INTO meeting_site_events (meeting_id, site_id, peer_id, at, kind) VALUES (?, ?, ?, ?, ?)');
    this.insertNetwork = db.prepare(
      `INSERT INTO meeting_network_events (meeting_id, site_id, at, link_id, link_name, state, reasons_json)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  addSample(s: QualitySample): void {
    this.insertSample.run(
      s.meetingId,
      s.siteId,
      s.peerId,
      s.at,
      s.rttMs,
      s.lossFraction,
      s.jitterMs,
      Math.round(s.sendBps),
      Math.round(s.recvBps),
      s.grade,
      s.layer ?? null,
      s.freezes ?? null,
    );
  }

  addEvent(e: SiteEvent): void {
    this.insertEvent.run(e.meetingId, e.siteId, e.peerId, e.at, e.kind);
  }

  addNetworkEvent(e: NetworkEvent): void {
    this.insertNetwork.run(e.meetingId, e.siteId, e.at, e.linkId, e.linkName, e.state, JSON.stringify(e.reasons));
  }

  networkEvents(meetingId: string): NetworkEvent[] {
    const rows = this.db.prepare('SELECT * FROM meeting_network_events WHERE meeting_id = ? ORDER BY at').all(meetingId) as Row[];
    return rows.map((r) => ({
      meetingId,
      siteId: r.site_id as string,
      at: r.at as number,
      linkId: r.link_id as string,
      linkName: r.link_name as string,
      state: r.state as string,
      reasons: JSON.parse(r.reasons_json as string) as NetworkEvent['reasons'],
    }));
  }

  samples(meetingId: string): QualitySample[] {
    return (this.db.prepare('SELECT * FROM meeting_quality WHERE meeting_id = ? ORDER BY at').all(meetingId) as Row[]).map((r) => ({
      meetingId,
      siteId: r.site_id as string,
      peerId: r.peer_id as string,
      at: r.at as number,
      rttMs: (r.rtt_ms as number | null) ?? null,
      lossFraction: r.loss as number,
      jitterMs: (r.jitter_ms as number | null) ?? null,
      sendBps: r.send_bps as number,
      recvBps: r.recv_bps as number,
      grade: r.grade as Grade,
      ...(r.layer === null ? {} : { layer: r.layer as number }),
      ...(r.freezes === null ? {} : { freezes: r.freezes as number }),
    }));
  }

  events(meetingId: string): SiteEvent[] {
    return (this.db.prepare('SELECT * FROM meeting_site_events WHERE meeting_id = ? ORDER BY at').all(meetingId) as Row[]).map((r) => ({
      meetingId,
      siteId: r.site_id as string,
      peerId: r.peer_id as string,
      at: r.at as number,
      kind: r.kind as SiteEventKind,
    }));
  }
}
