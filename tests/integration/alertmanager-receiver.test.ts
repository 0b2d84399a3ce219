// Alertmanager's receiver is real: Debian's prometheus-alertmanager, configured from
// monitoring/alertmanager.yml (receiver pointed at this nms, token from a credentials file), delivers
// a firing and then a resolved alert to nms, which stores them as events (REST events list);
// a forged delivery without the token is refused and stores nothing.
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createLogger } from '@lienthong/kit';
import Fastify from 'fastify';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { nmsDefaults } from '../../nms/src/config/schema';
import { staticKey } from '../../nms/src/http/auth';
import { createNms, type Nms } from '../../nms/src/service';
import { registerNmsProxy } from '../../sfu-server/src/http/nms-proxy';
import { freePort } from '../support/ports';
import { type Peer, startPeer, tempDir, waitFor } from './nms-support';

const TOKEN = 'webhook-token-4c7e1f0a9b';
const mon = join(import.meta.dirname, '..', '..', 'monitoring');
let nms: Nms;
let nmsUrl: string;
let engineer: string;
let am: Peer;
let amUrl: string;

interface Ev {
  id: number;
  kind: string;
  severity: string;
  count: number;
  siteCode: string | null;
  message: string;
  details: { status: string; fingerprint: string; alertname: string };
}
const alertEvents = async (): Promise<Ev[]> => {
  const res = await fetch(`${nmsUrl}/api/nms/events?limit=1000`, { headers: { authorization: `Bearer ${engineer}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { events: Ev[] }).events.filter((e) => e.kind === 'alert');
};

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  engineer = await new SignJWT({ name: 'Mạng', siteId: 's1', siteCode: 'TN', roles: ['network_engineer'], sid: 'sid-am' })
    .setProtectedHeader({ alg: 'EdDSA' })
    .setSubject('u-am')
    .setIssuer('lienthong-sfu-server')
    .setAudience('lienthong')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
  nms = await createNms({
    config: {
      ...nmsDefaults,
      dataDir: tempDir('nms-am-'),
      log: { level: 'silent' },
      demo: { ...nmsDefaults.demo, enabled: false },
      sites: { ...nmsDefaults.sites, followSfuServer: false },
      traps: { ...nmsDefaults.traps, enabled: false },
      probes: { ...nmsDefaults.probes, enabled: false },
      alerts: { webhookToken: TOKEN },
    },
    logger: createLogger({ service: 'nms-am', level: 'silent' }),
    keys: staticKey(publicKey),
    sites: [{ code: 'TN', name: 'Tỉnh', parentCode: null }],
  });
  await nms.app.listen({ host: '127.0.0.1', port: 0 });
  nmsUrl = `http://127.0.0.1:${(nms.app.server.address() as AddressInfo).port}`;

  // The shipped routing, inhibition and receiver, pointed at this nms, with short group timers.
  const dir = tempDir('am-recv-');
  const tokenFile = join(dir, 'webhook.token');
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  const cfg = parse(await (await import('node:fs/promises')).readFile(join(mon, 'alertmanager.yml'), 'utf8'));
  Object.assign(cfg.route, { group_wait: '1s', group_interval: '1s' });
  const hook = cfg.receivers[0].webhook_configs[0];
  expect(hook.url).toMatch(/\/api\/nms\/alerts\/alertmanager$/);
  hook.url = `${nmsUrl}/api/nms/alerts/alertmanager`;
  hook.http_config = { authorization: { type: 'Bearer', credentials_file: tokenFile } };
  writeFileSync(join(dir, 'alertmanager.yml'), stringify(cfg));
  const port = await freePort();
  am = startPeer('prometheus-alertmanager', [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--cluster.listen-address=`,
  ]);
  amUrl = `http://127.0.0.1:${port}`;
  await waitFor('alertmanager', async () => (await fetch(`${amUrl}/-/ready`)).ok, 20_000);
}, 60_000);
afterAll(async () => {
  await am?.stop();
  await nms?.close();
});

const pushAlert = async (endsAt?: string) => {
  const res = await fetch(`${amUrl}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      {
        labels: { alertname: 'NmsLinkDown', site: 'TN-PB', link: 'TN-PB uplink', severity: 'critical' },
        annotations: { summary: 'Link TN-PB uplink to TN is down while admin up' },
        startsAt: startedAt,
        ...(endsAt ? { endsAt } : {}),
      },
    ]),
  });
  expect(res.status).toBe(200);
};
const startedAt = new Date(Date.now() - 60_000).toISOString();

describe('Alertmanager delivers to nms', () => {
  it('a firing critical alert becomes an nms event within seconds', async () => {
    const t0 = Date.now();
    await pushAlert();
    const [firing] = await waitFor('firing alert event', async () => {
      const list = await alertEvents();
      return list.length > 0 ? list : null;
    });
    console.log(`alert: pushed to Alertmanager -> stored in nms in ${Date.now() - t0} ms`);
    expect(firing).toMatchObject({ kind: 'alert', severity: 'critical', siteCode: 'TN-PB' });
    expect(firing!.details).toMatchObject({ alertname: 'NmsLinkDown', status: 'firing' });
    expect(am.output()).not.toMatch(/Notify for alerts failed/);
  });

  it('its resolution is stored too, and re-sends do not add events', async () => {
    await pushAlert(new Date().toISOString());
    const list = await waitFor('resolved alert event', async () => {
      const l = await alertEvents();
      return l.some((e) => e.details.status === 'resolved') ? l : null;
    });
    expect(list.map((e) => [e.details.status, e.severity])).toEqual([
      ['resolved', 'info'],
      ['firing', 'critical'],
    ]);
    expect(new Set(list.map((e) => e.details.fingerprint)).size).toBe(1);
  });

  it('a forged delivery without the token is refused and stores nothing, from any source', async () => {
    const before = (await alertEvents()).length;
    const forged = JSON.stringify({
      version: '4',
      groupKey: 'x',
      status: 'firing',
      receiver: 'network-engineers',
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: 'http://evil',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'NmsDown', severity: 'critical' },
          annotations: { summary: 'forged' },
          startsAt: new Date().toISOString(),
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: '',
          fingerprint: 'deadbeefdeadbeef',
        },
      ],
    });
    const { port } = new URL(nmsUrl);
    // 127.0.0.2 is another loopback source (tests/security/support.ts); with a token set, no source is enough.
    const send = (headers: Record<string, string>, localAddress: string) =>
      new Promise<number>((done, fail) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: '/api/nms/alerts/alertmanager',
            method: 'POST',
            localAddress,
            headers: { 'content-type': 'application/json', ...headers },
          },
          (res) => {
            res.resume();
            done(res.statusCode ?? 0);
          },
        );
        req.on('error', fail);
        req.end(forged);
      });
    expect(await send({}, '127.0.0.2')).toBe(401);
    expect(await send({}, '127.0.0.1')).toBe(401);
    expect(await send({ authorization: 'Bearer not-the-token' }, '127.0.0.2')).toBe(401);
    expect(await send({ authorization: `Bearer ${engineer}` }, '127.0.0.1')).toBe(401);
    const after = await alertEvents();
    expect(after.length).toBe(before);
    expect(after.some((e) => e.details.fingerprint === 'deadbeefdeadbeef')).toBe(false);
  });

  it("without a token, only this machine's direct calls: not one relayed by sfu-server's /api/nms proxy", async () => {
    const { publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const open = await createNms({
      config: {
        ...nmsDefaults,
        dataDir: tempDir('nms-am-open-'),
        log: { level: 'silent' },
        demo: { ...nmsDefaults.demo, enabled: false },
        sites: { ...nmsDefaults.sites, followSfuServer: false },
        traps: { ...nmsDefaults.traps, enabled: false },
        probes: { ...nmsDefaults.probes, enabled: false },
      },
      logger: createLogger({ service: 'nms-am-open', level: 'silent' }),
      keys: staticKey(publicKey),
      sites: [{ code: 'TN', name: 'Tỉnh', parentCode: null }],
    });
    const proxy = Fastify();
    try {
      await open.app.listen({ host: '127.0.0.1', port: 0 });
      const openUrl = `http://127.0.0.1:${(open.app.server.address() as AddressInfo).port}`;
      await registerNmsProxy(proxy, openUrl, 1_048_576);
      await proxy.listen({ host: '127.0.0.1', port: 0 });
      const proxyUrl = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
      const body = JSON.stringify({
        version: '4',
        groupKey: 'x',
        status: 'firing',
        receiver: 'r',
        groupLabels: {},
        commonLabels: {},
        commonAnnotations: {},
        externalURL: '',
        alerts: [],
      });
      const post = (base: string) =>
        fetch(`${base}/api/nms/alerts/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect((await post(proxyUrl)).status).toBe(401);
      expect((await post(openUrl)).status).toBe(200);
    } finally {
      await proxy.close();
      await open.close();
    }
  });
});
