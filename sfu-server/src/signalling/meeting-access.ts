// Adapts the scheduling core's join rules to what signalling needs.
import type { Core } from '../core';
import { chairPorts } from './chair-ports';
import type { MeetingAccess } from './ports';

export function meetingAccess(core: Pick<Core, 'meetings' | 'sites' | 'store'>): MeetingAccess {
  return {
    chair: chairPorts(core),
    async checkJoin(claims, meetingId) {
      const grant = core.meetings.checkJoin(claims, meetingId);
      const parent = grant.site.parentId ? core.sites.get(grant.site.parentId) : null;
      return {
        meeting: { id: grant.meeting.id, title: grant.meeting.title, chairSiteId: grant.meeting.chair.siteId },
        site: {
          id: grant.site.id,
          code: grant.site.code,
          name: grant.site.name,
          parentId: grant.site.parentId,
          parentName: parent?.name ?? null,
        },
      };
    },
  };
}
