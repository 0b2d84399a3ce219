// The cascade links' health on one server: each neighbour's state, since when, round trip and missed
// pings (fake bus, fake time), the Prometheus series made from it, and the report pushed to nms.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createParser } from '@lienthong/kit';
import { CASCADE_HEALTH_PATH, CascadeHealthReport, type NeighbourHealth } from '@lienthong/kit/contracts';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Neighbours } from '../src/cascade/neighbours';
import type { CascadeHealthSource } from '../src/domain/cascade/health';
import { registerCascadeMetrics } from '../src/metrics/cascade-metrics';
import { nmsCascadeHealth, reportCascadeHealth } from '../src/network/cascade-report';

const T0 = Date.parse('2026-12-03T10:00:00Z');

describe('neighbour health', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('keeps each neighbour state, since when, the last round trip while up, and the pings missed in a row', async () => {
    // Each answer comes back after `delayMs`; undefined: no answer (the request times out).
    let delayMs: number | undefined = 12;
    const bus = {
      request: (() =>
        delayMs === undefined
          ? Promise.reject(new Error('timeout'))
          : new Promise((done) => setTimeout(() => done({ bootId: 'boot-1' }), delayMs))) as never,
    };
    const n = new Neighbours(bus, { up: () => {}, down: () => {} }, { intervalMs: 2000, misses: 3 });
    n.watch(['huyen-dt', 'huyen-pl']);
    expect(n.health()).toEqual([
      { peer: 'huyen-dt', state: 'unknown', since: '2026-12-03T10:00:00.000Z', rttMs: null, missed: 0 },
      { peer: 'huyen-pl', state: 'unknown', since: '2026-12-03T10:00:00.000Z', rttMs: null, missed: 0 },
    ]);
    await vi.advanceTimersByTimeAsync(20);
    expect(n.health()[0]).toEqual({ peer: 'huyen-dt', state: 'up', since: '2026-12-03T10:00:00.012Z', rttMs: 12, missed: 0 });

    delayMs = 40;
    await vi.advanceTimersByTimeAsync(2030);
    expect(n.health()[0]).toMatchObject({ state: 'up', since: '2026-12-03T10:00:00.012Z', rttMs: 40 });

    delayMs = undefined;
    await vi.advanceTimersByTimeAsync(4000);
    expect(n.health()[0]).toMatchObject({ state: 'up', missed: 2 });
    await vi.advanceTimersByTimeAsync(2000);
    // Down since the third miss; the round trip before the cut is not shown as the link's.
    expect(n.health()[0]).toEqual({ peer: 'huyen-dt', state: 'down', since: '2026-12-03T10:00:08.000Z', rttMs: null, missed: 3 });
    await vi.advanceTimersByTimeAsync(2000);
    expect(n.health()[0]).toMatchObject({ state: 'down', since: '2026-12-03T10:00:08.000Z', missed: 4 });

    delayMs = 15;
    await vi.advanceTimersByTimeAsync(2000);
    expect(n.health()[0]).toEqual({ peer: 'huyen-dt', state: 'up', since: '2026-12-03T10:00:12.015Z', rttMs: 15, missed: 0 });
    n.watch(['huyen-pl']);
    expect(n.health().map((h) => h.peer)).toEqual(['huyen-pl']);
    n.stop();
  });
});

const neighbours: NeighbourHealth[] = [
  { peer: 'huyen-dt', state: 'up', since: '2026-12-03T10:00:00.000Z', rttMs: 12, missed: 0 },
  { peer: 'huyen-pl', state: 'down', since: '2026-12-03T10:32:00.000Z', rttMs: null, missed: 5 },
  { peer: 'huyen-vn', state: 'unknown', since: '2026-12-03T10:00:00.000Z', rttMs: null, missed: 1 },
];
const source: CascadeHealthSource = { serverId: 'tinh', neighbours: () => neighbours };

describe('cascade metrics', () => {
  it('shows each known neighbour up (1) or down (0) and the round trip while up, from the source at scrape time', async () => {
    const registry = new Registry();
    registerCascadeMetrics(registry, source);
    const text = await registry.metrics();
    expect(text).toContain('lienthong_cascade_neighbour_up{server="tinh",peer="huyen-dt"} 1');
    expect(text).toContain('lienthong_cascade_neighbour_up{server="tinh",peer="huyen-pl"} 0');
    expect(text).not.toContain('peer="huyen-vn"');
    expect(text).toContain('lienthong_cascade_neighbour_rtt_seconds{server="tinh",peer="huyen-dt"} 0.012');
    expect(text).not.toMatch(/rtt_seconds\{server="tinh",peer="huyen-pl"\}/);
  });

  it("counts each neighbour's link bytes in both directions, read at scrape time", async () => {
    const registry = new Registry();
    let bytes = new Map([['huyen-dt', { rx: 1200, tx: 34_000 }]]);
    registerCascadeMetrics(registry, source, async () => bytes);
    expect(await registry.metrics()).toContain('lienthong_cascade_link_bytes_total{server="tinh",peer="huyen-dt",direction="tx"} 34000');
    bytes = new Map([['huyen-dt', { rx: 2400, tx: 68_000 }]]);
    const text = await registry.metrics();
    expect(text).toContain('lienthong_cascade_link_bytes_total{server="tinh",peer="huyen-dt",direction="rx"} 2400');
    expect(text).toContain('lienthong_cascade_link_bytes_total{server="tinh",peer="huyen-dt",direction="tx"} 68000');
  });

  it('has no series at all while no cascade runs here', async () => {
    const registry = new Registry();
    registerCascadeMetrics(registry, undefined);
    expect(await registry.metrics()).not.toMatch(/^lienthong_cascade_\w+\{/m);
  });
});

describe('the report to nms', () => {
  it('posts this server and its neighbours with a service token, checked against the contract', async () => {
    const got: { url?: string; auth?: string; body: unknown }[] = [];
    let status = 200;
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        got.push({ url: req.url, auth: req.headers.authorization, body: JSON.parse(body) });
        res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{"ok":true}' : '{"ok":false}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const signed: string[][] = [];
    const send = nmsCascadeHealth(url, async (roles) => {
      signed.push(roles);
      return 'service-token';
    });
    const errors: string[] = [];
    const reporter = reportCascadeHealth(source, send, (e) => errors.push(e.message), 50);
    await vi.waitFor(() => expect(got.length).toBeGreaterThanOrEqual(2));
    expect(got[0]).toMatchObject({ url: CASCADE_HEALTH_PATH, auth: 'Bearer service-token' });
    const parsed = createParser(CascadeHealthReport).parse(got[0]!.body);
    expect(parsed.ok ? parsed.value : parsed.problems).toEqual({ server: 'tinh', neighbours });
    // One token serves many reports.
    expect(signed).toEqual([['network_engineer']]);

    // nms refusing: told once, not at every report.
    status = 403;
    const before = got.length;
    await vi.waitFor(() => expect(got.length).toBeGreaterThanOrEqual(before + 3));
    expect(errors).toEqual(['nms answered HTTP 403: {"ok":false}']);
    reporter.stop();
    await new Promise<void>((r) => server.close(() => r()));
  });
});
