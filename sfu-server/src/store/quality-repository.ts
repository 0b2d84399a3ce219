// The quality log of meetings over the core's SQLite connection (QualityLogPort).
import type Database from 'better-sqlite3';
import type { Grade } from '../domain/live/quality';
import type { QualityLogPort, QualitySample, SiteEvent, SiteEventKind } from '../domain/live/quality-log';

type Row = Record<string, unknown>;

export class QualityRepository implements QualityLogPort {
  private readonly insertSample: Database.Statement;
  private readonly insertEvent: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.insertSample = db.prepare(
      `INSERT INTO meeting_quality (meeting_id, site_id, peer_id, at, rtt_ms, loss, jitter_ms, send_bps, recv_bps, grade)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertEvent = db.prepare('INSERT INTO meeting_site_events (meeting_id, site_id, peer_id, at, kind) VALUES (?, ?, ?, ?, ?)');
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
    );
  }

  addEvent(e: SiteEvent): void {
    this.insertEvent.run(e.meetingId, e.siteId, e.peerId, e.at, e.kind);
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
