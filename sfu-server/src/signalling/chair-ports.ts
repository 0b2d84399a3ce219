// What chair-led meetings need from the core: the invited sites (the roll) and the
// SQLite repository for the audit log and attendance.
import type { Core } from '../core';
import { ChairRepository } from '../store/chair-repository';

export interface ChairPorts {
  repo: ChairRepository;
  /** Sites expected at the meeting, in the schedule's order. */
  invitedSites(meetingId: string): { siteId: string; siteCode: string; siteName: string }[];
}

export function chairPorts(core: Pick<Core, 'store' | 'meetings'>): ChairPorts {
  return {
    repo: new ChairRepository(core.store.db),
    invitedSites: (meetingId) =>
      core.meetings.participatingSites(meetingId).map((s) => ({ siteId: s.id, siteCode: s.code, siteName: s.name })),
  };
}
