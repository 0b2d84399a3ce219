// Technical checks and reminders to check, over the core's SQLite connection.
import type Database from 'better-sqlite3';
import type { MediaPathKind, TechCheck } from '../domain/readiness/readiness';

type Row = Record<string, unknown>;

export interface Reminder {
  meetingId: string;
  siteId: string;
  at: number;
  byUserId: string;
  byName: string;
}

/** Checks kept per site: the board needs the latest; a site checking in a loop cannot grow the file. */
export const CHECKS_KEPT_PER_SITE = 50;

export class ReadinessRepository {
  constructor(private readonly db: Database.Database) {}

  addCheck(c: TechCheck): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO tech_checks (site_id, user_id, user_name, at, camera, microphone, speaker, media_path, rtt_ms, loss)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(c.siteId, c.userId, c.userName, c.at, +c.camera, +c.microphone, +c.speaker, c.mediaPath, c.rttMs, c.lossFraction);
      this.db
        .prepare(
          `DELETE FROM tech_checks WHERE site_id = ? AND rowid NOT IN
             (SELECT rowid FROM tech_checks WHERE site_id = ? ORDER BY at DESC, rowid DESC LIMIT ?)`,
        )
        .run(c.siteId, c.siteId, CHECKS_KEPT_PER_SITE);
    })();
  }

  /** Checks of these sites made at or after `since` (epoch ms). */
  checksSince(siteIds: readonly string[], since: number): TechCheck[] {
    if (siteIds.length === 0) return [];
    const wanted = new Set(siteIds);
    const rows = this.db.prepare('SELECT * FROM tech_checks WHERE at >= ? ORDER BY at').all(since) as Row[];
    return rows
      .filter((r) => wanted.has(r.site_id as string))
      .map((r) => ({
        siteId: r.site_id as string,
        userId: r.user_id as string,
        userName: r.user_name as string,
        at: r.at as number,
        camera: r.camera === 1,
        microphone: r.microphone === 1,
        speaker: r.speaker === 1,
        mediaPath: r.media_path as MediaPathKind,
        rttMs: (r.rtt_ms as number | null) ?? null,
        lossFraction: (r.loss as number | null) ?? null,
      }));
  }

  addReminders(list: readonly Reminder[]): void {
    const insert = this.db.prepare('INSERT INTO readiness_reminders (meeting_id, site_id, at, by_user_id, by_name) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const r of list) insert.run(r.meetingId, r.siteId, r.at, r.byUserId, r.byName);
    })();
  }

  remindersOfMeeting(meetingId: string): Reminder[] {
    return (this.db.prepare('SELECT * FROM readiness_reminders WHERE meeting_id = ? ORDER BY at').all(meetingId) as Row[]).map(reminder);
  }

  remindersOfSite(siteId: string): Reminder[] {
    return (this.db.prepare('SELECT * FROM readiness_reminders WHERE site_id = ? ORDER BY at').all(siteId) as Row[]).map(reminder);
  }
}

const reminder = (r: Row): Reminder => ({
  meetingId: r.meeting_id as string,
  siteId: r.site_id as string,
  at: r.at as number,
  byUserId: r.by_user_id as string,
  byName: r.by_name as string,
});
