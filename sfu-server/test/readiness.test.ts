import { describe, expect, it } from 'vitest';
import { CHECK_VALID_MS, foldByCause, latestChecks, siteReadiness, type TechCheck } from '../src/domain/readiness/readiness';

const check = (extra: Partial<TechCheck> = {}): TechCheck => ({
  siteId: 's',
  userId: 'u',
  userName: 'U',
  at: 1000,
  camera: true,
  microphone: true,
  speaker: true,
  mediaPath: 'udp',
  rttMs: 30,
  lossFraction: 0,
  ...extra,
});
const ok = { state: 'ok', cause: null, degradedLink: null };

describe('readiness of a site', () => {
  it('green when checked clean on a clean path; amber when unchecked, relayed, lossy, slow or on a degraded link', () => {
    expect(siteReadiness(check(), ok)).toEqual({ readiness: 'green', reasons: [] });
    expect(siteReadiness(check(), null)).toEqual({ readiness: 'green', reasons: [] }); // nms silent: the check decides
    expect(siteReadiness(null, ok)).toEqual({ readiness: 'amber', reasons: ['not_checked'] });
    expect(siteReadiness(check({ mediaPath: 'turn-tls', lossFraction: 0.05, rttMs: 800 }), ok).reasons).toEqual([
      'relayed',
      'media_loss',
      'slow_path',
    ]);
    expect(siteReadiness(check(), { ...ok, state: 'degraded', degradedLink: 'x' })).toEqual({
      readiness: 'amber',
      reasons: ['network_degraded'],
    });
  });

  it('red when a device failed or the site is cut off, whatever the rest says', () => {
    expect(siteReadiness(check({ camera: false, speaker: false }), ok)).toEqual({
      readiness: 'red',
      reasons: ['camera_failed', 'speaker_failed'],
    });
    const cut = { state: 'unreachable', cause: { linkId: 'l', linkName: 'pb-up' }, degradedLink: null };
    expect(siteReadiness(check(), cut)).toEqual({ readiness: 'red', reasons: ['network_cut'] });
    expect(siteReadiness(null, cut)).toEqual({ readiness: 'red', reasons: ['network_cut', 'not_checked'] });
  });

  it('a room codec that answers stands for the browser check; one that does not answer is a weak point', () => {
    const answers = { reachability: 'reachable', inCall: false } as const;
    const silent = { reachability: 'unreachable', inCall: false } as const;
    expect(siteReadiness(null, ok, [answers])).toEqual({ readiness: 'green', reasons: [] });
    expect(siteReadiness(null, ok, [{ reachability: 'unknown', inCall: true }])).toEqual({ readiness: 'green', reasons: [] });
    expect(siteReadiness(null, ok, [silent])).toEqual({ readiness: 'amber', reasons: ['room_unreachable', 'not_checked'] });
    expect(siteReadiness(check(), ok, [silent])).toEqual({ readiness: 'amber', reasons: ['room_unreachable'] });
    expect(siteReadiness(null, ok, [{ reachability: 'unknown', inCall: false }])).toEqual({ readiness: 'amber', reasons: ['not_checked'] });
    // A failed browser check stays red whatever the codec says.
    expect(siteReadiness(check({ microphone: false }), ok, [answers]).readiness).toBe('red');
  });

  it("counts each site's latest check from a day before the start to the end", () => {
    const start = 10 * CHECK_VALID_MS;
    const got = latestChecks(
      [
        check({ siteId: 'a', at: start - CHECK_VALID_MS - 1 }), // too old
        check({ siteId: 'b', at: start - 60_000, camera: false }),
        check({ siteId: 'b', at: start - 30_000 }),
        check({ siteId: 'c', at: start + 7_200_001 }), // after the end
      ],
      start,
      start + 7_200_000,
    );
    expect([...got.keys()]).toEqual(['b']);
    expect(got.get('b')!.camera).toBe(true);
  });

  it('folds sites cut off by the same link into one fault', () => {
    const cut = (linkId: string) => ({ state: 'unreachable', cause: { linkId, linkName: `${linkId}-name` }, degradedLink: null });
    expect(
      foldByCause([
        { siteId: 'pb', network: cut('pb-up') },
        { siteId: 'pb-1', network: cut('pb-up') },
        { siteId: 'dt', network: ok },
        { siteId: 'x', network: null },
        { siteId: 'vn-2', network: cut('vn2-up') },
      ]),
    ).toEqual([
      { linkId: 'pb-up', linkName: 'pb-up-name', siteIds: ['pb', 'pb-1'] },
      { linkId: 'vn2-up', linkName: 'vn2-up-name', siteIds: ['vn-2'] },
    ]);
  });
});

describe('readiness storage', () => {
  it('keeps the latest checks of a site only, so a loop of checks cannot grow the file', async () => {
    const { default: Database } = await import('better-sqlite3');
    const { migrations } = await import('../src/store/migrations');
    const { CHECKS_KEPT_PER_SITE, ReadinessRepository } = await import('../src/store/readiness-repository');
    const db = new Database(':memory:');
    db.exec('CREATE TABLE meetings (id TEXT PRIMARY KEY)');
    db.exec(migrations.find((m) => m.version === 8)!.sql);
    const repo = new ReadinessRepository(db);
    for (let i = 0; i < CHECKS_KEPT_PER_SITE + 20; i++) repo.addCheck(check({ siteId: 'a', at: i, camera: i % 2 === 0 }));
    repo.addCheck(check({ siteId: 'b', at: 5 }));
    const kept = repo.checksSince(['a'], 0);
    expect(kept).toHaveLength(CHECKS_KEPT_PER_SITE);
    expect(kept.at(-1)).toMatchObject({ at: CHECKS_KEPT_PER_SITE + 19, camera: false });
    expect(repo.checksSince(['b'], 0)).toHaveLength(1);
  });
});
