// End to end: a veth into a network namespace the test creates, Debian snmpd reporting it,
// nms polling and probing across it, a real Prometheus scraping nms with the monitoring rules.
// Taking the namespace end down makes the host end oper-down (admin up): NmsLinkDown fires,
// sites below are shown unreachable because of that link, and their own alerts stay quiet.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@lienthong/kit';
import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nmsDefaults } from '../../nms/src/config/schema';
import { staticKey } from '../../nms/src/http/auth';
import { createNms, type Nms } from '../../nms/src/service';
import { testNms } from '../../nms/test/support';
import { seededSites } from '../support/nms-sites';
import { freePort } from '../support/ports';
import { freeUdpPort, type Peer, startPeer, startSnmpd, tempDir, waitFor } from './nms-support';

const tag = `${process.pid % 10000}${Math.floor(Math.random() * 100)}`;
const ns = `ltnms${tag}`;
const hostIf = `lth${tag}`;
const nsIf = `ltn${tag}`;
const net = `10.${100 + (process.pid % 100)}.${Math.floor(Math.random() * 250)}`;
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' }).toString();

let snmpd: Peer;
let prom: Peer;
let nms: Nms;
let promUrl: string;

beforeAll(async () => {
  ip('netns', 'add', ns);
  ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
  ip('link', 'set', nsIf, 'netns', ns);
  ip('addr', 'add', `${net}.1/30`, 'dev', hostIf);
  ip('link', 'set', hostIf, 'up');
  ip('-n', ns, 'addr', 'add', `${net}.2/30`, 'dev', nsIf);
  ip('-n', ns, 'link', 'set', nsIf, 'up');
  ip('-n', ns, 'link', 'set', 'lo', 'up');

  const snmpPort = await freeUdpPort();
  snmpd = startSnmpd({ address: '127.0.0.1', port: snmpPort, community: 'lt-e2e', users: [] });
  const { publicKey } = await generateKeyPair('EdDSA');
  nms = await createNms({
    config: {
      ...nmsDefaults,
      dataDir: tempDir('nms-e2e-'),
      log: { level: 'silent' },
      demo: { ...nmsDefaults.demo, enabled: false },
      sites: { ...nmsDefaults.sites, followSfuServer: false },
      traps: { ...nmsDefaults.traps, enabled: false },
      probes: { ...nmsDefaults.probes, intervalSeconds: 2, pingsPerRound: 3, timeoutMs: 300 },
    },
    logger: createLogger({ service: 'nms-test', level: 'silent' }),
    keys: staticKey(publicKey),
    sites: seededSites(),
  });
  nms.inventory.import({
    devices: [
      {
        name: 'tn-core',
        siteCode: 'TN',
        role: 'router',
        address: '127.0.0.1',
        snmpPort,
        pollIntervalSeconds: 5,
        timeoutMs: 500,
        retries: 0,
        probe: false,
        snmp: { version: '2c', community: 'lt-e2e' },
      },
      { name: 'dt-r1', siteCode: 'TN-DT', role: 'router', address: `${net}.2`, probe: true },
    ],
    links: [
      {
        name: 'dt-up',
        downstream: { siteCode: 'TN-DT', device: 'dt-r1' },
        upstream: { siteCode: 'TN', device: 'tn-core', interface: hostIf },
        speedBps: 1e9,
        role: 'primary',
      },
    ],
  });
  const nmsPort = await freePort();
  await nms.app.listen({ host: '127.0.0.1', port: nmsPort });

  // The real rules, with `for:` shortened so the test does not wait minutes.
  const dir = tempDir('nms-prom-');
  const rules = readFileSync(join(import.meta.dirname, '..', '..', 'monitoring', 'rules', 'nms-alerts.yml'), 'utf8').replace(
    /for: \S+/g,
    'for: 0s',
  );
  writeFileSync(join(dir, 'rules.yml'), rules);
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global: { scrape_interval: 1s, evaluation_interval: 1s }\nrule_files: [rules.yml]\nscrape_configs:\n  - job_name: lienthong-nms\n    static_configs: [{ targets: ['127.0.0.1:${nmsPort}'] }]\n`,
  );
  const promPort = await freePort();
  promUrl = `http://127.0.0.1:${promPort}`;
  prom = startPeer('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
  ]);
  await waitFor('prometheus ready', async () => (await fetch(`${promUrl}/-/ready`)).ok, 30_000, 300);
});

afterAll(async () => {
  await prom?.stop();
  await nms?.close();
  await snmpd?.stop();
  try {
    ip('netns', 'del', ns); // removes the veth pair with it
  } catch {}
  try {
    ip('link', 'del', hostIf);
  } catch {}
});

type PromAlert = { labels: Record<string, string>; state: string };
const alerts = async () => ((await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as { data: { alerts: PromAlert[] } }).data.alerts;
const query = async (q: string) =>
  (
    (await (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as {
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    }
  ).data.result;

describe('Prometheus alert when a monitored interface goes down', () => {
  it('sees the link up, then fires NmsLinkDown when the namespace end goes down', async () => {
    const core = () => nms.inventory.devices().find((d) => d.name === 'tn-core')!;
    await waitFor(
      'link up in Prometheus',
      async () => (await query('lienthong_link_state{link="dt-up",state="up"} == 1')).length === 1,
      40_000,
      500,
    );
    expect((await query(`lienthong_interface_oper_up{interface="${hostIf}",link="dt-up"}`))[0]?.value[1]).toBe('1');
    expect(await alerts()).toEqual([]);
    // The link's recent series carries the ICMP percentiles and jitter, not only the mean.
    const linkId = nms.inventory.links()[0]!.id;
    const withPercentiles = await waitFor(
      'probe percentiles in the link series',
      async () => nms.monitor.linkSeries(linkId, 0).find((p) => p.rttP50Ms !== null && p.rttP95Ms !== null),
      20_000,
      500,
    );
    expect(withPercentiles.rttP95Ms!).toBeGreaterThanOrEqual(withPercentiles.rttP50Ms!);
    expect(withPercentiles.rttP50Ms!).toBeGreaterThan(0);

    ip('-n', ns, 'link', 'set', nsIf, 'down');
    await nms.poller.pollNow(core().id);
    const firing = await waitFor(
      'NmsLinkDown firing',
      async () => (await alerts()).find((a) => a.labels.alertname === 'NmsLinkDown' && a.state === 'firing'),
      40_000,
      500,
    );
    expect(firing.labels).toMatchObject({ link: 'dt-up', site: 'TN-DT', upstream_site: 'TN', severity: 'critical' });
    const link = nms.monitor.linkView(nms.inventory.links()[0]!);
    expect(link.health).toMatchObject({ state: 'down', adminUp: true, operUp: false });
    expect(link.health.reasons.map((r) => r.code)).toEqual(['oper_down']);
    // Sites below: unreachable because of dt-up, without alerts of their own.
    const cuvan = nms.monitor.siteHealth().find((s) => s.code === 'TN-DT-CUVAN')!;
    expect(cuvan).toMatchObject({ state: 'unreachable', cause: { linkName: 'dt-up', siteCode: 'TN-DT' } });
    expect((await query('lienthong_site_unreachable{site="TN-DT-CUVAN",cause_link="dt-up"}'))[0]?.value[1]).toBe('1');
    const names = (await alerts()).map((a) => `${a.labels.alertname}:${a.labels.site}`);
    expect(names.filter((n) => n.endsWith(':TN-DT-CUVAN'))).toEqual([]);
    expect(names.filter((n) => n.startsWith('NmsProbeLoss'))).toEqual([]);
  });

  it('the alert resolves when the interface comes back', async () => {
    ip('-n', ns, 'link', 'set', nsIf, 'up');
    await nms.poller.pollNow(nms.inventory.devices().find((d) => d.name === 'tn-core')!.id);
    await waitFor('NmsLinkDown gone', async () => !(await alerts()).some((a) => a.labels.alertname === 'NmsLinkDown'), 40_000, 500);
  });

  it('serves the link series from Prometheus when nms is configured to', async () => {
    const inventory = {
      devices: [
        { name: 'tn-core', siteCode: 'TN', role: 'router' as const, address: '127.0.0.1', probe: false },
        { name: 'dt-r1', siteCode: 'TN-DT', role: 'router' as const, address: `${net}.2`, probe: false },
      ],
      links: [
        {
          name: 'dt-up',
          downstream: { siteCode: 'TN-DT', device: 'dt-r1' },
          upstream: { siteCode: 'TN', device: 'tn-core', interface: hostIf },
          speedBps: 1e9,
          role: 'primary' as const,
        },
      ],
    };
    // A second nms that polls nothing: every point it returns comes from Prometheus.
    const viaProm = await testNms({ timeseries: { ...nmsDefaults.timeseries, prometheusUrl: promUrl } });
    const noProm = await testNms({ timeseries: { ...nmsDefaults.timeseries, prometheusUrl: `http://127.0.0.1:${await freePort()}` } });
    try {
      viaProm.nms.inventory.import(inventory);
      noProm.nms.inventory.import(inventory);
      const token = await viaProm.keys.token(['network_engineer']);
      const get = (t: typeof viaProm, tok: string) =>
        t.nms.app.inject({
          method: 'GET',
          url: `/api/nms/links/${t.nms.inventory.links()[0]!.id}/timeseries?minutes=5`,
          headers: { authorization: `Bearer ${tok}` },
        });
      type Pt = { t: string; inBps: number | null; utilisation: number | null; rttMs: number | null };
      const series = await waitFor(
        'Prometheus series with traffic and RTT',
        async () => {
          const s = (await get(viaProm, token)).json().series as { source: string; points: Pt[] };
          return s.points.some((p) => p.inBps !== null && p.utilisation !== null) && s.points.some((p) => (p.rttMs ?? 0) > 0) ? s : null;
        },
        30_000,
        1000,
      );
      expect(series.source).toBe('prometheus');
      const times = series.points.map((p) => Date.parse(p.t));
      expect(times.every((t, i) => Number.isFinite(t) && (i === 0 || t > times[i - 1]!))).toBe(true);
      const traffic = series.points.filter((p) => p.inBps !== null);
      expect(Math.max(...traffic.map((p) => p.inBps!))).toBeGreaterThan(0); // fping crossed the veth
      expect(traffic.every((p) => p.inBps! >= 0 && p.utilisation! >= 0 && p.utilisation! < 1)).toBe(true);

      const down = await get(noProm, await noProm.keys.token(['network_engineer']));
      expect(down.statusCode).toBe(502);
      expect(down.json().error.code).toBe('PROMETHEUS_UNAVAILABLE');
    } finally {
      await viaProm.nms.close();
      await noProm.nms.close();
    }
  });
});
