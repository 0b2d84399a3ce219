// The cascade links' health in nms: media servers report their neighbours (POST, with a service
// token), and each WAN link carrying a cascade shows it, the parent's view first; none reported,
// or a report gone stale, is null ("chưa có số liệu" on the page).
import { createLogger } from '@lienthong/kit';
import { CASCADE_HEALTH_PATH, type NeighbourHealth } from '@lienthong/kit/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/domain/clock';
import type { SiteInfo } from '../src/domain/monitor';
import { staticKey } from '../src/http/auth';
import type { LinkView } from '../src/protocol';
import { createNms, type Nms } from '../src/service';
import { sessionKeys, testConfig } from './support';

const PROVINCE = { id: 'srv-tn', name: 'Máy chủ Tỉnh Thái Nguyên', url: 'https://tinh.example.vn' };
const DAI_TU = { id: 'srv-dt', name: 'Máy chủ Đại Từ', url: 'https://daitu.example.vn' };
const PHU_LUONG = { id: 'srv-pl', name: 'Máy chủ Phú Lương', url: 'https://phuluong.example.vn' };
const SITES: SiteInfo[] = [
  { code: 'TN', name: 'Tỉnh Thái Nguyên', parentCode: null, server: PROVINCE },
  { code: 'TN-DT', name: 'Huyện Đại Từ', parentCode: 'TN', server: DAI_TU },
  { code: 'TN-DT-X1', name: 'Xã Cù Vân', parentCode: 'TN-DT', server: DAI_TU },
  { code: 'TN-PL', name: 'Huyện Phú Lương', parentCode: 'TN', server: PHU_LUONG },
];

let nms: Nms;
const clock = new ManualClock(Date.parse('2026-12-03T10:40:00Z'));
const tokens: Record<string, string> = {};

beforeAll(async () => {
  const keys = await sessionKeys();
  nms = await createNms({
    config: testConfig(),
    logger: createLogger({ service: 'nms-test', level: 'silent' }),
    keys: staticKey(keys.publicKey),
    sites: SITES,
    clock,
  });
  tokens.service = await keys.token(['network_engineer']);
  tokens.participant = await keys.token(['participant', 'chair']);
  for (const [name, downstream, upstream] of [
    ['dt-up', 'TN-DT', 'TN'],
    ['pl-up', 'TN-PL', 'TN'],
    ['cuvan-up', 'TN-DT-X1', 'TN-DT'],
  ] as const) {
    const made = await call('POST', '/api/nms/links', 'service', {
      name,
      downstream: { siteCode: downstream },
      upstream: { siteCode: upstream },
      speedBps: 100e6,
      role: 'primary',
    });
    expect(made.statusCode).toBe(201);
  }
});
afterAll(() => nms.close());

async function call(method: 'GET' | 'POST', url: string, as?: string, payload?: unknown) {
  return nms.app.inject({
    method,
    url,
    ...(as ? { headers: { authorization: `Bearer ${tokens[as]}` } } : {}),
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
}
const report = (server: string, neighbours: NeighbourHealth[], as = 'service') =>
  call('POST', CASCADE_HEALTH_PATH, as, { server, neighbours });
const cascadeOf = async (name: string) => {
  const links = (await call('GET', '/api/nms/links', 'service')).json().links as LinkView[];
  return links.find((l) => l.name === name)?.cascade;
};
const up = (peer: string, rttMs: number, since = '2026-12-03T10:00:00.000Z'): NeighbourHealth => ({
  peer,
  state: 'up',
  since,
  rttMs,
  missed: 0,
});

describe('cascade links health', () => {
  it('is null on a link carrying a cascade until a server reports it', async () => {
    expect(await cascadeOf('dt-up')).toEqual({ child: DAI_TU, parent: PROVINCE, health: null });
    expect(await cascadeOf('cuvan-up')).toBeNull();
  });

  it("shows the province's view of each province–district link", async () => {
    const res = await report('srv-tn', [
      up('srv-dt', 12),
      { peer: 'srv-pl', state: 'down', since: '2026-12-03T10:32:00.000Z', rttMs: null, missed: 7 },
    ]);
    expect([res.statusCode, res.json()]).toEqual([200, { ok: true }]);
    expect(await cascadeOf('dt-up')).toEqual({
      child: DAI_TU,
      parent: PROVINCE,
      health: { state: 'up', rttMs: 12, since: '2026-12-03T10:00:00.000Z', seenBy: 'srv-tn' },
    });
    expect((await cascadeOf('pl-up'))?.health).toEqual({ state: 'down', rttMs: null, since: '2026-12-03T10:32:00.000Z', seenBy: 'srv-tn' });
    expect(await cascadeOf('cuvan-up')).toBeNull();
  });

  it("keeps the parent's view over the child's, unless the parent has no answer yet", async () => {
    await report('srv-dt', [up('srv-tn', 30)]);
    expect((await cascadeOf('dt-up'))?.health).toMatchObject({ rttMs: 12, seenBy: 'srv-tn' });
    await report('srv-tn', [{ peer: 'srv-dt', state: 'unknown', since: '2026-12-03T10:40:00.000Z', rttMs: null, missed: 1 }]);
    expect((await cascadeOf('dt-up'))?.health).toMatchObject({ state: 'up', rttMs: 30, seenBy: 'srv-dt' });
    // Each report is a server's whole view: Phú Lương is no longer in the province's.
    expect((await cascadeOf('pl-up'))?.health).toBeNull();
  });

  it('forgets a report gone stale (the server stopped reporting)', async () => {
    await report('srv-tn', [up('srv-dt', 12)]);
    clock.advance(15_000);
    await report('srv-dt', [up('srv-tn', 30)]);
    clock.advance(10_000);
    expect((await cascadeOf('dt-up'))?.health).toMatchObject({ rttMs: 30, seenBy: 'srv-dt' });
    clock.advance(15_000);
    expect((await cascadeOf('dt-up'))?.health).toBeNull();
  });

  it('refuses reports from other roles, without a token, or not as the contract says', async () => {
    expect((await report('srv-tn', [up('srv-dt', 1)], 'participant')).statusCode).toBe(403);
    expect((await call('POST', CASCADE_HEALTH_PATH, undefined, { server: 'srv-tn', neighbours: [] })).statusCode).toBe(401);
    for (const bad of [
      { server: 'srv-tn', neighbours: [{ ...up('srv-dt', 1), state: 'sideways' }] },
      { server: 'srv-tn', neighbours: [{ ...up('srv-dt', 1), rttMs: -1 }] },
      { server: 'srv-tn', neighbours: [], extra: 1 },
      { server: '', neighbours: [] },
    ])
      expect((await call('POST', CASCADE_HEALTH_PATH, 'service', bad)).statusCode).toBe(400);
    expect((await cascadeOf('dt-up'))?.health).toBeNull();
  });
});
