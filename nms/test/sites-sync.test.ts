import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createLogger, type Logger } from '@lienthong/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nmsDefaults } from '../src/config/schema';
import type { SiteNode } from '../src/domain/topology';
import { followSiteDirectory } from '../src/sites-sync';
import { testConfig, testNms } from './support';

// A stand-in sfu-server whose directory answer the test changes.
let answer: { status: number; body: string } = { status: 503, body: '' };
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(answer.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

// The media servers sfu-server names (issue 15): the province's, and Đại Từ's own.
const PROVINCE = { id: 'srv-tn', name: 'Máy chủ Tỉnh Thái Nguyên', url: 'https://tinh.example.vn' };
const DAI_TU = { id: 'srv-dt', name: 'Máy chủ Đại Từ', url: 'https://daitu.example.vn:8443' };
type Entry = { code: string; name: string; parentCode: string | null; server?: unknown };
const tree = (extra: Entry[] = [], dt: Record<string, unknown> = {}) =>
  JSON.stringify({
    ok: true,
    sites: [
      { code: 'TN', name: 'Tỉnh Thái Nguyên', parentCode: null, level: 0, server: PROVINCE },
      { code: 'TN-DT', name: 'Huyện Đại Từ', parentCode: 'TN', level: 1, server: DAI_TU, ...dt },
      ...extra.map((e) => ({ server: DAI_TU, ...e, level: 2 })),
    ],
  });
const silent = createLogger({ service: 'nms-test', level: 'silent' });
/** A logger that keeps the warnings (why a directory was refused). */
const warnings = () => {
  const seen: string[] = [];
  const logger = { warn: (o: { err?: string }) => seen.push(o.err ?? '') } as unknown as Logger;
  return { seen, logger };
};
const tick = () => new Promise((r) => setTimeout(r, 120));

describe('following the site directory', () => {
  it('takes a good tree, ignores repeats, and keeps the last good one on bad answers', async () => {
    const seen: SiteNode[][] = [];
    answer = { status: 200, body: tree() };
    const sync = followSiteDirectory(`${base}/api/sites/directory`, 50, silent, (s) => seen.push(s));
    try {
      await sync.first;
      await tick();
      expect(seen).toHaveLength(1); // the same tree again is not a change
      expect(seen[0]!.map((s) => s.code)).toEqual(['TN', 'TN-DT']);
      for (const bad of [
        { status: 200, body: tree([{ code: 'TN-X', name: 'X', parentCode: 'TN-NOPE' }]) }, // orphan
        { status: 200, body: JSON.stringify({ ok: true, sites: [] }) },
        { status: 200, body: JSON.stringify({ ok: true, sites: [{ code: 1 }] }) },
        { status: 200, body: '{not json' },
        { status: 500, body: '{}' },
      ]) {
        answer = bad;
        await tick();
      }
      expect(seen).toHaveLength(1);
      answer = { status: 200, body: tree([{ code: 'TN-DT-A', name: 'Xã A', parentCode: 'TN-DT' }]) };
      for (let i = 0; i < 25 && seen.length < 2; i++) await tick();
      expect(seen).toHaveLength(2);
      expect(seen[1]!.find((s) => s.code === 'TN-DT-A')).toEqual({ code: 'TN-DT-A', name: 'Xã A', parentCode: 'TN-DT', server: DAI_TU });
    } finally {
      sync.stop();
    }
  });

  it("keeps each site's media server, refuses a malformed one with a clear problem, and takes a directory without servers", async () => {
    const seen: SiteNode[][] = [];
    const log = warnings();
    answer = { status: 200, body: tree([{ code: 'TN-DT-A', name: 'Xã A', parentCode: 'TN-DT' }]) };
    const sync = followSiteDirectory(`${base}/api/sites/directory`, 50, log.logger, (s) => seen.push(s));
    try {
      await sync.first;
      expect(seen).toHaveLength(1);
      expect(seen[0]!.map((s) => [s.code, s.server?.id])).toEqual([
        ['TN', 'srv-tn'],
        ['TN-DT', 'srv-dt'],
        ['TN-DT-A', 'srv-dt'],
      ]);
      expect(seen[0]!.find((s) => s.code === 'TN')!.server).toEqual(PROVINCE);
      const refused: [string, RegExp][] = [
        [
          tree([], { server: { id: 'srv-dt', name: 42, url: DAI_TU.url } }),
          /^not a site directory: \/sites\/1\/server\/name: must be string/,
        ],
        [
          tree([], { server: { id: 'srv-dt', name: DAI_TU.name } }),
          /^not a site directory: \/sites\/1\/server: must have required properties url/,
        ],
        [
          tree([], { server: { ...DAI_TU, id: '' } }),
          /^not a site directory: \/sites\/1\/server\/id: must not have fewer than 1 characters/,
        ],
        [tree([], { server: 'srv-dt' }), /^not a site directory: \/sites\/1\/server: must be object/],
        [
          tree([{ code: 'TN-DT-A', name: 'Xã A', parentCode: 'TN-DT', server: { ...DAI_TU, name: 'Khác' } }]),
          /^TN-DT-A: server srv-dt is named or addressed otherwise than at TN-DT$/,
        ],
      ];
      for (const [body, problem] of refused) {
        answer = { status: 200, body };
        for (let i = 0; i < 25 && !problem.test(log.seen.at(-1) ?? ''); i++) await tick();
        expect(log.seen.at(-1)).toMatch(problem);
      }
      expect(seen).toHaveLength(1); // nothing changed: the last good tree stays
      // An older sfu-server names no server: taken, each server unknown.
      answer = {
        status: 200,
        body: JSON.stringify({
          ok: true,
          sites: [
            { code: 'TN', name: 'Tỉnh Thái Nguyên', parentCode: null, level: 0 },
            { code: 'TN-DT', name: 'Huyện Đại Từ', parentCode: 'TN', level: 1, server: null },
          ],
        }),
      };
      for (let i = 0; i < 25 && seen.length < 2; i++) await tick();
      expect(seen[1]).toEqual([
        { code: 'TN', name: 'Tỉnh Thái Nguyên', parentCode: null, server: null },
        { code: 'TN-DT', name: 'Huyện Đại Từ', parentCode: 'TN', server: null },
      ]);
    } finally {
      sync.stop();
    }
  });

  it('nms keeps the tree it last read across a restart while sfu-server is away', async () => {
    answer = { status: 200, body: tree([{ code: 'TN-DT-B', name: 'Xã B', parentCode: 'TN-DT' }]) };
    const config = testConfig({
      sites: { followSfuServer: true, pollSeconds: 1 },
      auth: { ...nmsDefaults.auth, publicKeyUrl: `${base}/api/auth/public-key` },
    });
    const first = await testNms(config);
    const deadline = Date.now() + 5000;
    while (!first.nms.monitor.siteList().some((s) => s.code === 'TN-DT-B') && Date.now() < deadline) await tick();
    expect(first.nms.monitor.siteList().map((s) => s.code)).toEqual(['TN', 'TN-DT', 'TN-DT-B']);
    await first.nms.close();

    answer = { status: 503, body: '' };
    const second = await testNms(config);
    try {
      expect(second.nms.monitor.siteList().map((s) => s.code)).toEqual(['TN', 'TN-DT', 'TN-DT-B']);
      const token = await second.keys.token(['network_engineer']);
      const res = await second.nms.app.inject({
        method: 'POST',
        url: '/api/nms/devices',
        headers: { authorization: `Bearer ${token}` },
        payload: { name: 'b-r1', siteCode: 'TN-DT-B', role: 'router', address: '127.0.0.1', probe: false },
      });
      expect(res.statusCode).toBe(201);
      const get = async (url: string) =>
        (await second.nms.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })).json();
      const sites = await get('/api/nms/sites');
      expect(sites.sites.find((s: { code: string }) => s.code === 'TN-DT-B')).toMatchObject({ parentCode: 'TN-DT', level: 'commune' });
      // Each site's media server was kept too, and the web app reads it with the site's status.
      const serverOf = (code: string) => sites.sites.find((s: { code: string }) => s.code === code)?.server;
      expect([serverOf('TN'), serverOf('TN-DT'), serverOf('TN-DT-B')]).toEqual([PROVINCE, DAI_TU, DAI_TU]);
      // Đại Từ has its own server: its WAN link to the province carries the cascade to the province server.
      const link = { downstream: { siteCode: 'TN-DT' }, upstream: { siteCode: 'TN' }, speedBps: 100e6, role: 'primary' };
      const inner = { downstream: { siteCode: 'TN-DT-B' }, upstream: { siteCode: 'TN-DT' }, speedBps: 10e6, role: 'primary' };
      for (const payload of [
        { name: 'dt-up', ...link },
        { name: 'dtb-up', ...inner },
      ]) {
        const made = await second.nms.app.inject({
          method: 'POST',
          url: '/api/nms/links',
          headers: { authorization: `Bearer ${token}` },
          payload,
        });
        expect(made.statusCode).toBe(201);
      }
      const links = (await get('/api/nms/links')).links as { name: string; cascade: unknown }[];
      // No server has reported the cascade's own health yet: none shown.
      expect(links.find((l) => l.name === 'dt-up')?.cascade).toEqual({ child: DAI_TU, parent: PROVINCE, health: null });
      expect(links.find((l) => l.name === 'dtb-up')?.cascade).toBeNull(); // both ends on Đại Từ's server
    } finally {
      await second.nms.close();
    }
  });

  it('with no tree yet, the inventory file waits for the first directory read', async () => {
    answer = { status: 503, body: '' };
    const dataDir = testConfig().dataDir;
    const file = join(dataDir, 'inventory.yaml');
    writeFileSync(file, 'devices:\n  - { name: dt-r1, siteCode: TN-DT, role: router, address: 10.9.9.1 }\n');
    const { nms } = await testNms({
      dataDir,
      inventory: { importFile: file },
      sites: { followSfuServer: true, pollSeconds: 1 },
      auth: { ...nmsDefaults.auth, publicKeyUrl: `${base}/api/auth/public-key` },
    });
    try {
      await tick();
      expect(nms.monitor.siteList()).toEqual([]);
      expect(nms.inventory.devices()).toEqual([]);
      answer = { status: 200, body: tree() };
      const deadline = Date.now() + 5000;
      while (nms.inventory.devices().length === 0 && Date.now() < deadline) await tick();
      expect(nms.inventory.devices().map((d) => [d.name, d.siteCode])).toEqual([['dt-r1', 'TN-DT']]);
      expect(nms.monitor.siteHealth().find((s) => s.code === 'TN-DT')).toMatchObject({ deviceCount: 1, level: 'district' });
    } finally {
      await nms.close();
    }
  });
});
