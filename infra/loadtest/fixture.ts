// What a load test needs on the server, made through the admin REST API and removed after:
// N sites under one "Load test" site, one participant account per site, one live meeting.
// The "Load test" site and its chair account stay between runs (disabled in between): the
// cancelled meetings keep naming them, as the meeting history requires.
import { randomBytes } from 'node:crypto';
import type { LoadTestStatusReply, MeetingReply, MeReply, SiteList, SiteReply, UserList, UserReply } from '@lienthong/sfu-server/protocol';
import { type Api, ApiError } from './http';

export const PARENT_CODE = 'LOADTEST';
const CHAIR_USERNAME = 'loadtest.chair';

export interface SiteAccount {
  index: number;
  siteId: string;
  userId: string;
  username: string;
  password: string;
}

export interface Fixture {
  meetingId: string;
  accounts: SiteAccount[];
  /** Removes the sites and accounts, cancels the meeting; safe to call twice. */
  remove(): Promise<string[]>;
}

/** Refuses (LOAD_TEST_DISABLED) unless the server opted in; checked before anything is created. */
export async function requireOptIn(admin: Api): Promise<void> {
  const s = await admin.call<LoadTestStatusReply>('GET', '/api/loadtest');
  if (!s.enabled)
    throw new ApiError(403, 'LOAD_TEST_DISABLED', 'this server does not accept load tests (set loadTest.enabled: true in its config)');
  await admin.call('GET', '/api/loadtest/usage'); // the server enforces it too
}

const password = () => `lt-${randomBytes(12).toString('base64url')}`;

async function parentSite(admin: Api): Promise<string> {
  const { sites } = await admin.call<SiteList>('GET', '/api/sites');
  const found = sites.find((s) => s.code === PARENT_CODE);
  if (found) return found.id;
  const me = await admin.call<MeReply>('GET', '/api/auth/me');
  const body = { code: PARENT_CODE, name: 'Load test (npm run loadtest)', kind: 'khac', parentId: me.site.id };
  return (await admin.call<SiteReply>('POST', '/api/sites', body)).site.id;
}

async function chairAccount(admin: Api, siteId: string): Promise<string> {
  const { users } = await admin.call<UserList>('GET', `/api/users?siteId=${encodeURIComponent(siteId)}`);
  const found = users.find((u) => u.username === CHAIR_USERNAME);
  if (found) {
    if (found.disabled) await admin.call('PATCH', `/api/users/${found.id}`, { disabled: false });
    return found.id;
  }
  // Never logs in: it only chairs the load-test meetings on paper.
  const body = { username: CHAIR_USERNAME, displayName: 'Load test chair', siteId, roles: ['chair'], password: password() };
  return (await admin.call<UserReply>('POST', '/api/users', body)).user.id;
}

export async function createFixture(admin: Api, sites: number, onProgress: (msg: string) => void): Promise<Fixture> {
  const run = Date.now().toString(36).toUpperCase();
  const parentId = await parentSite(admin);
  const chairId = await chairAccount(admin, parentId);
  const accounts: SiteAccount[] = [];
  let meetingId = '';
  let removed = false;
  const remove = async (): Promise<string[]> => {
    if (removed) return [];
    removed = true;
    const problems: string[] = [];
    const attempt = (p: Promise<unknown>) => p.catch((e: Error) => void problems.push(e.message));
    if (meetingId) await attempt(admin.call('POST', `/api/meetings/${meetingId}/cancel`, { reason: 'load test finished' }));
    for (const a of accounts) if (a.userId) await attempt(admin.call('DELETE', `/api/users/${a.userId}`));
    for (const a of accounts) await attempt(admin.call('DELETE', `/api/sites/${a.siteId}`));
    await attempt(admin.call('PATCH', `/api/users/${chairId}`, { disabled: true }));
    return problems;
  };
  try {
    for (let i = 1; i <= sites; i++) {
      const code = `${PARENT_CODE}-${run}-${i}`;
      const site = (await admin.call<SiteReply>('POST', '/api/sites', { code, name: `Load test site ${i}`, kind: 'khac', parentId })).site;
      const account: SiteAccount = {
        index: i,
        siteId: site.id,
        userId: '',
        username: `loadtest.${run.toLowerCase()}.${i}`,
        password: password(),
      };
      accounts.push(account);
      const user = await admin.call<UserReply>('POST', '/api/users', {
        username: account.username,
        displayName: `Load test site ${i}`,
        siteId: site.id,
        roles: ['participant'],
        password: account.password,
      });
      account.userId = user.user.id;
      if (i % 10 === 0 || i === sites) onProgress(`created ${i}/${sites} sites and accounts`);
    }
    const now = Date.now();
    const meeting = await admin.call<MeetingReply>('POST', '/api/meetings', {
      title: `Load test ${new Date(now).toISOString()}`,
      startsAt: new Date(now - 60_000).toISOString(),
      endsAt: new Date(now + 6 * 3600_000).toISOString(),
      hostSiteId: parentId,
      chairUserId: chairId,
      invites: [{ siteId: parentId, scope: 'subtree' }],
    });
    meetingId = meeting.meeting.id;
    return { meetingId, accounts, remove };
  } catch (e) {
    await remove();
    throw e;
  }
}
