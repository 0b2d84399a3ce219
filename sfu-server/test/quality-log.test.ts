import { describe, expect, it } from 'vitest';
import { pathChanges } from '../src/domain/live/network-cause';
import type { Grade } from '../src/domain/live/quality';
import {
  type NetworkEvent,
  type QualityLogPort,
  QualityRecorder,
  type QualitySample,
  type SiteEvent,
  siteReports,
} from '../src/domain/live/quality-log';

class MemoryLog implements QualityLogPort {
  readonly s: QualitySample[] = [];
  readonly e: SiteEvent[] = [];
  readonly n: NetworkEvent[] = [];
  addNetworkEvent(x: NetworkEvent) {
    this.n.push(x);
  }
  networkEvents(m: string) {
    return this.n.filter((x) => x.meetingId === m);
  }
  addSample(x: QualitySample) {
    this.s.push(x);
  }
  addEvent(x: SiteEvent) {
    this.e.push(x);
  }
  samples(m: string) {
    return this.s.filter((x) => x.meetingId === m);
  }
  events(m: string) {
    return this.e.filter((x) => x.meetingId === m);
  }
}

const q = (grade: Grade, rttMs = 40) => ({ rttMs, lossFraction: 0, sendBps: 500_000, recvBps: 900_000, jitterMs: 3, grade });
const a = { siteId: 's-a', peerId: 'p-a' };
const b = { siteId: 's-b', peerId: 'p-b' };

describe('quality log', () => {
  it('keeps a sample per peer at most every interval, at once when the grade changes', () => {
    const log = new MemoryLog();
    const r = new QualityRecorder(log, 10_000);
    expect(r.sample('m', a, q('good'), 0)).toBe(true);
    expect(r.sample('m', a, q('good'), 5_000)).toBe(false);
    expect(r.sample('m', b, q('good'), 5_000)).toBe(true); // each peer on its own clock
    expect(r.sample('m', a, q('poor', 700), 6_000)).toBe(true); // a bad spell is not lost
    expect(r.sample('m', a, q('poor', 720), 9_000)).toBe(false);
    expect(r.sample('m', a, q('poor', 650), 16_000)).toBe(true);
    expect(log.s.map((s) => [s.peerId, s.at, s.grade])).toEqual([
      ['p-a', 0, 'good'],
      ['p-b', 5_000, 'good'],
      ['p-a', 6_000, 'poor'],
      ['p-a', 16_000, 'poor'],
    ]);
    // A peer that left and came back as a new peer starts afresh.
    r.event('m', a, 'left', 17_000);
    expect(r.sample('m', a, q('poor'), 17_500)).toBe(true);
  });

  it('reports each site with its samples and events in time order, worst grade and drop-outs', () => {
    const log = new MemoryLog();
    const r = new QualityRecorder(log, 10_000);
    r.event('m', a, 'joined', 0);
    r.event('m', b, 'joined', 1);
    r.sample('m', a, q('good'), 2_000);
    r.sample('m', b, q('good'), 2_000);
    r.event('m', b, 'disconnected', 3_000);
    r.event('m', b, 'reconnected', 8_000);
    r.sample('m', b, q('fair', 350), 9_000);
    r.event('m', b, 'disconnected', 12_000);
    r.sample('m', { siteId: 's-gone', peerId: 'p-x' }, q('unknown', 0), 4_000);
    r.sample('other', a, q('poor'), 5_000);
    const names: Record<string, { code: string; name: string }> = {
      's-a': { code: 'A', name: 'Xã A' },
      's-b': { code: 'B', name: 'Xã B' },
    };
    const reports = siteReports(log.samples('m'), log.events('m'), (id) => names[id]);
    expect(reports.map((x) => [x.siteCode, x.siteName, x.worstGrade, x.dropouts, x.samples.length])).toEqual([
      ['A', 'Xã A', 'good', 0, 1],
      ['B', 'Xã B', 'fair', 2, 2],
      ['s-gone', 's-gone', 'unknown', 0, 1], // a site deleted since: named by its id
    ]);
    expect(reports[1]!.events.map((e) => e.kind)).toEqual(['joined', 'disconnected', 'reconnected', 'disconnected']);
    expect(reports[1]!.samples.map((s) => s.at)).toEqual([2_000, 9_000]);
  });

  it("marks the changes of the links on a site's path: the first look only what is not up, then every change", () => {
    const hop = (id: string, state: string) => ({ id, name: id, state, reasons: [], lossRatio: null, utilisation: null, rttMs: null });
    expect(pathChanges(undefined, [hop('x', 'up'), hop('y', 'unknown')])).toEqual([]);
    expect(pathChanges(undefined, [hop('x', 'degraded'), hop('y', 'up')]).map((l) => l.id)).toEqual(['x']);
    const before = new Map([
      ['x', 'degraded'],
      ['y', 'up'],
    ]);
    expect(pathChanges(before, [hop('x', 'up'), hop('y', 'up')]).map((l) => [l.id, l.state])).toEqual([['x', 'up']]);
    expect(pathChanges(before, [hop('x', 'degraded'), hop('y', 'down')]).map((l) => [l.id, l.state])).toEqual([['y', 'down']]);

    const log = new MemoryLog();
    const r = new QualityRecorder(log, 10_000);
    r.sample('m', a, q('poor'), 1_000);
    const mark = { linkId: 'x', linkName: 'x-uplink', reasons: [{ code: 'loss', value: 0.05, minutes: null }] };
    r.network({ meetingId: 'm', siteId: 's-a', at: 9_000, ...mark, state: 'up', reasons: [] });
    r.network({ meetingId: 'm', siteId: 's-a', at: 2_000, ...mark, state: 'degraded' });
    r.network({ meetingId: 'other', siteId: 's-a', at: 3_000, ...mark, state: 'down' });
    const [report] = siteReports(log.samples('m'), log.events('m'), () => undefined, log.networkEvents('m'));
    expect(report!.network.map((n) => [n.at, n.linkName, n.state, n.reasons.length])).toEqual([
      [2_000, 'x-uplink', 'degraded', 1],
      [9_000, 'x-uplink', 'up', 0],
    ]);
  });

  it('keeps the layer the site received and the freezes its browser counted, through SQLite', async () => {
    const { default: Database } = await import('better-sqlite3');
    const { migrate } = await import('../src/store/sqlite-store');
    const { QualityRepository } = await import('../src/store/quality-repository');
    const db = new Database(':memory:');
    migrate(db);
    db.pragma('foreign_keys = OFF'); // samples alone, without a meeting's rows
    const repo = new QualityRepository(db);
    const r = new QualityRecorder(repo, 10_000);
    r.sample('m', a, { ...q('good'), layer: 2, freezes: 0 }, 1_000);
    r.sample('m', a, { ...q('poor', 700), layer: 0, freezes: 3 }, 2_000);
    r.sample('m', b, q('good'), 3_000); // a browser that reports nothing: neither field
    const [ra, rb] = siteReports(repo.samples('m'), repo.events('m'), () => undefined);
    expect(ra!.samples.map((s) => [s.layer, s.freezes])).toEqual([
      [2, 0],
      [0, 3],
    ]);
    expect(rb!.samples[0]).not.toHaveProperty('layer');
    expect(rb!.samples[0]).not.toHaveProperty('freezes');
  });
});
