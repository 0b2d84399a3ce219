import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createLogger } from '@lienthong/kit';
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

const tree = (extra: { code: string; name: string; parentCode: string | null }[] = []) =>
  JSON.stringify({
    ok: true,
    sites: [
      { code: 'TN', name: 'Tỉnh Thái Nguyên', parentCode: null, level: 0 },
      { code: 'TN-DT', name: 'Huyện Đại Từ', parentCode: 'TN', level: 1 },
      ...extra.map((e) => ({ ...e, level: 2 })),
    ],
  });
const silent = createLogger({ service: 'nms-test', level: 'silent' });
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
      expect(seen[1]!.find((s) => s.code === 'TN-DT-A')).toEqual({ code: 'TN-DT-A', name: 'Xã A', parentCode: 'TN-DT' });
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
      const sites = (
        await second.nms.app.inject({ method: 'GET', url: '/api/nms/sites', headers: { authorization: `Bearer ${token}` } })
      ).json();
      expect(sites.sites.find((s: { code: string }) => s.code === 'TN-DT-B')).toMatchObject({ parentCode: 'TN-DT', level: 'commune' });
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
