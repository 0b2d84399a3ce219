// What chair-led meetings need from the core: the invited sites (the roll) and the
// SQLite repositories for the chair's settings, the audit log, attendance and the quality log.
import type { Core } from '../core';
import { ChairRepository } from '../store/chair-repository';
import { QualityRepository } from '../store/quality-repository';
import type { ChairPorts } from './ports';

export type { ChairPorts } from './ports';

export function chairPorts(core: Pick<Core, 'store' | 'meetings'>): ChairPorts {
  return {
    repo: new ChairRepository(core.store.db),
    qualityLog: new QualityRepository(core.store.db),
    invitedSites: (meetingId) =>
      core.meetings.participatingSites(meetingId).map((s) => ({ siteId: s.id, siteCode: s.code, siteName: s.name })),
  };
}
