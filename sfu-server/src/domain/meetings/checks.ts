// Plain checks of a meeting's schedule fields (window, invitations), shared by create and update.
import type { Invite } from '../../protocol/meetings';
import { fail, iso } from '../shared';
import type { SiteService } from '../sites/service';

const MAX_DURATION_MS = 24 * 3600_000;

export function meetingWindow(startsAtIn: string, endsAtIn: string): { startsAt: string; endsAt: string } {
  const s = Date.parse(startsAtIn);
  const e = Date.parse(endsAtIn);
  if (Number.isNaN(s) || Number.isNaN(e)) fail('VALIDATION_FAILED', 'startsAt and endsAt must be ISO 8601 date-times');
  if (e <= s) fail('VALIDATION_FAILED', 'The meeting must end after it starts');
  if (e - s > MAX_DURATION_MS) fail('VALIDATION_FAILED', 'A meeting may last at most 24 hours');
  return { startsAt: iso(new Date(s)), endsAt: iso(new Date(e)) };
}

export function checkInvites(sites: Pick<SiteService, 'find'>, invites: readonly Invite[]): Invite[] {
  const seen = new Set<string>();
  for (const i of invites) {
    sites.find(i.siteId) ?? fail('NOT_FOUND', `No site ${i.siteId} (invited)`);
    if (seen.has(i.siteId)) fail('VALIDATION_FAILED', `Site ${i.siteId} is invited twice`);
    seen.add(i.siteId);
  }
  return invites.map((i) => ({ siteId: i.siteId, scope: i.scope }));
}
