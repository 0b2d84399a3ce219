// Adapts the scheduling core's join rules, schedule changes and ended sessions to what
// signalling needs.
import type { Core } from '../core';
import type { Meeting } from '../protocol/meetings';
import type { Site } from '../protocol/sites';
import { chairPorts } from './chair-ports';
import type { JoinGrant, LiveMeetingInfo, MeetingAccess, Person } from './ports';

/** What a live room needs to know of a scheduled meeting. */
export function liveMeetingInfo(core: Pick<Core, 'accounts'>, m: Meeting): LiveMeetingInfo {
  const person = (userId: string): Person => ({ userId, name: core.accounts.find(userId)?.displayName ?? userId });
  return {
    id: m.id,
    title: m.title,
    chairSiteId: m.chair.siteId,
    chair: person(m.chair.userId),
    operators: m.operators.map(person),
    endsAt: m.endsAt,
  };
}

/** A site as a live room shows it: with its parent's name. */
export function joiningSite(core: Pick<Core, 'sites'>, site: Site): JoinGrant['site'] {
  const parent = site.parentId ? core.sites.get(site.parentId) : null;
  return { id: site.id, code: site.code, name: site.name, parentId: site.parentId, parentName: parent?.name ?? null };
}

export function meetingAccess(core: Pick<Core, 'meetings' | 'sites' | 'store' | 'accounts'>): MeetingAccess {
  const person = (userId: string): Person => ({ userId, name: core.accounts.find(userId)?.displayName ?? userId });
  const info = (m: Meeting): LiveMeetingInfo => liveMeetingInfo(core, m);
  const invited = (m: Meeting, siteId: string) =>
    core.meetings.isSiteInvited({ hostSiteId: m.hostSiteId, chairSiteId: m.chair.siteId, invites: m.invites }, siteId);
  return {
    chair: chairPorts(core),
    async checkJoin(claims, meetingId) {
      const grant = core.meetings.checkJoin(claims, meetingId);
      return {
        meeting: info(grant.meeting),
        site: joiningSite(core, grant.site),
        chairRole: core.accounts.find(claims.sub)?.roles.includes('chair') ?? false,
      };
    },
    operators: (meetingId, userIds) => core.meetings.validateOperators(meetingId, userIds).map(person),
    onMeetingChange: (listener) =>
      core.meetings.onChange(({ type, meeting }) =>
        listener({ type, meeting: info(meeting), isInvited: (siteId) => invited(meeting, siteId) }),
      ),
    onSessionsEnded: (listener) => core.accounts.onSessionsEnded(listener),
  };
}
