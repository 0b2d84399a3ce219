import type { ReadinessBoard, ReadinessSite } from '@lienthong/sfu-server/protocol';
import { describe, expect, it } from 'vitest';
import { boardView, countsByDepth } from '../src/lib/readiness/board';

const site = (
  id: string,
  depth: number,
  parentId: string | null,
  readiness: ReadinessSite['readiness'],
  checked = true,
): ReadinessSite => ({
  siteId: id,
  siteCode: id.toUpperCase(),
  siteName: `Site ${id}`,
  parentId,
  depth,
  readiness,
  reasons: [],
  check: checked
    ? {
        camera: true,
        microphone: true,
        speaker: true,
        mediaPath: 'udp',
        rttMs: 20,
        lossFraction: 0,
        userName: 'u',
        at: '2026-12-01T00:00:00Z',
      }
    : null,
  network: null,
  connected: false,
  roomSystems: [],
  remindedAt: null,
});

const board = (sites: ReadinessSite[], faults: ReadinessBoard['faults'] = []): ReadinessBoard => ({
  ok: true,
  meetingId: 'm',
  title: 'T',
  startsAt: '2026-12-01T01:00:00Z',
  networkKnown: true,
  sites,
  faults,
});

describe('readiness board view', () => {
  const sites = [
    site('tn', 0, null, 'green'),
    site('dt', 1, 'tn', 'amber', false),
    site('dt1', 2, 'dt', 'green'),
    site('pb', 1, 'tn', 'red', false),
    site('pb1', 2, 'pb', 'red'),
  ];

  it('counts green, amber and red per level', () => {
    expect(countsByDepth(sites)).toEqual([
      { depth: 0, counts: { green: 1, amber: 0, red: 0 } },
      { depth: 1, counts: { green: 0, amber: 1, red: 1 } },
      { depth: 2, counts: { green: 1, amber: 0, red: 1 } },
    ]);
  });

  it('folds the sites cut off by one link under it, groups the rest under their district, lists the unchecked', () => {
    const v = boardView(board(sites, [{ linkId: 'l', linkName: 'pb-up', siteIds: ['pb', 'pb1'] }]));
    expect(v.faults.map((f) => [f.linkName, f.sites.map((s) => s.siteId)])).toEqual([['pb-up', ['pb', 'pb1']]]);
    expect(v.groups.map(([g, list]) => [g, list.map((s) => s.siteId)])).toEqual([
      ['', ['tn', 'dt']],
      ['Site dt', ['dt1']],
    ]);
    expect(v.unchecked.map((s) => s.siteId)).toEqual(['dt', 'pb']);
  });
});
