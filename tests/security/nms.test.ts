// Attacks on the real nms process: forged traps, reading the whole network as a participant,
// fping options smuggled in a device address, tool output leaking through /healthz.
// Traps are sent with Debian's snmptrap from chosen 127.x source addresses; the device under
// attack is a real simulated agent (snmpsimd on 127.0.0.7) whose answers the test rewrites.
import { type ChildProcess, execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSnmpsim } from '../../nms/src/demo/demo';
import { waitFor } from '../integration/nms-support';
import { freeUdpPort, type NmsProcess, startNms } from '../support/nms-process';
import { login, type SfuProcess, startSfuServer } from '../support/sfu-process';
import { ifStatusVarbinds, routerRecord, setRouterOper } from '../support/trap-agent';
import { codeOf, http } from './support';

const run = promisify(execFile);
const AGENT = '127.0.0.7';
const COMMUNITY = 'sec-r7-comm';
const V3_ADDRESS = '127.0.0.8';
const LINK_DOWN = '1.3.6.1.6.3.1.1.5.3';
const LINK_UP = '1.3.6.1.6.3.1.1.5.4';

let sfu: SfuProcess;
let nms: NmsProcess;
let agent: ChildProcess;
let agentPort: number;
let dir: string;
const tokens: Record<string, string> = {};
let linkId: string;
let r7Id: string;
let r8Id: string;

const setAgentLink = (operUp: boolean) =>
  setRouterOper({ dataDir: join(dir, 'agent', 'data'), host: AGENT, port: agentPort, community: COMMUNITY, name: 'sec-r7' }, operUp);

const api = (path: string, who: string, init: { method?: string; body?: object } = {}) =>
  http(`${nms.url}/api/nms${path}`, { ...init, headers: { authorization: `Bearer ${tokens[who]}` } });

const trap = (from: string, args: string[], oid: string, oper: 1 | 2) =>
  run('snmptrap', ['-m', '', ...args, `--clientaddr=${from}`, `127.0.0.1:${nms.trapPort}`, '', oid, ...ifStatusVarbinds(oper)]);

const linkView = async () =>
  (await api(`/links/${linkId}`, 'engineer')).json<{ link: { health: { state: string; operUp: boolean | null } } }>().link;
const deviceView = async (id: string) =>
  (await api(`/devices/${id}`, 'engineer')).json<{ device: { status: { lastPollAt: string | null } } }>().device;
const trapEvents = async (deviceId: string) =>
  (await api(`/events?deviceId=${deviceId}&limit=100`, 'engineer'))
    .json<{ events: { source: string; kind: string }[] }>()
    .events.filter((e) => e.source === 'trap');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lt-sec-nms-'));
  chmodSync(dir, 0o755);
  // An fping that records its arguments and fails with output naming a private path.
  const fping = join(dir, 'fping');
  writeFileSync(
    fping,
    `#!/bin/sh\nprintf '%s\\n' "$@" > ${join(dir, 'fping-args')}\necho "fping: /var/lib/lienthong/secret.key: Permission denied" >&2\nexit 4\n`,
  );
  chmodSync(fping, 0o755);
  sfu = await startSfuServer();
  nms = await startNms({
    publicKeyUrl: `${sfu.url}/api/auth/public-key`,
    extraConfig: ['probes:', `  fpingPath: ${fping}`, '  intervalSeconds: 1'],
  });
  for (const [who, user] of [
    ['engineer', 'mang.tinh'],
    ['operator', 'kythuat.tinh'],
    ['chair', 'chutri.tinh'],
    ['cuvan', 'xa.cuvan'],
  ] as const)
    tokens[who] = await login(sfu.url, user, 'lienthong123');
  await waitFor('nms knows the site tree', async () => (await api('/sites', 'engineer')).body.includes('TN-DT-CUVAN'), 30_000);

  agentPort = await freeUdpPort();
  agent = startSnmpsim(join(dir, 'agent'), agentPort, { [COMMUNITY]: routerRecord('sec-r7', true) }, undefined, AGENT);
  const r7 = await api('/devices', 'engineer', {
    body: {
      name: 'sec-r7',
      siteCode: 'TN-DT-CUVAN',
      role: 'router',
      address: AGENT,
      snmpPort: agentPort,
      snmp: { version: '2c', community: COMMUNITY },
      pollIntervalSeconds: 3600,
      timeoutMs: 1000,
      probe: false,
    },
  });
  expect(codeOf(r7)).toBe('OK');
  r7Id = r7.json<{ device: { id: string } }>().device.id;
  const r8 = await api('/devices', 'engineer', {
    body: {
      name: 'sec-r8',
      siteCode: 'TN-DT-CUVAN',
      role: 'router',
      address: V3_ADDRESS,
      snmpPort: agentPort,
      snmp: {
        version: '3',
        user: 'r8-user',
        level: 'authPriv',
        authProtocol: 'sha256',
        authKey: 'r8-auth-key',
        privProtocol: 'aes128',
        privKey: 'r8-priv-key',
      },
      pollIntervalSeconds: 3600,
      timeoutMs: 500,
      retries: 0,
      probe: false,
    },
  });
  r8Id = r8.json<{ device: { id: string } }>().device.id;
  const link = await api('/links', 'engineer', {
    body: {
      name: 'sec-cuvan-uplink',
      downstream: { siteCode: 'TN-DT-CUVAN', device: 'sec-r7', interface: 'wan0' },
      upstream: { siteCode: 'TN-DT' },
      speedBps: 1e8,
      role: 'primary',
    },
  });
  linkId = link.json<{ link: { id: string } }>().link.id;
  await waitFor('link polled up', async () => (await linkView()).health.state === 'up', 20_000);
}, 120_000);

afterAll(async () => {
  agent?.kill('SIGTERM');
  await nms?.stop();
  await sfu?.stop();
  if (dir && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
});

describe('forged traps', () => {
  it('ignores a v2c linkDown with community public from the address of a device with another community', async () => {
    await trap(AGENT, ['-v2c', '-c', 'public'], LINK_DOWN, 2);
    // A forged source with the device's own community is no better.
    await trap('127.0.0.9', ['-v2c', '-c', COMMUNITY], LINK_DOWN, 2);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await linkView()).health.state).toBe('up');
    expect(await trapEvents(r7Id)).toEqual([]);
  });

  it('ignores a v2c trap with community public aimed at a device configured for SNMPv3', async () => {
    await trap(V3_ADDRESS, ['-v2c', '-c', 'public'], LINK_DOWN, 2);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await trapEvents(r8Id)).toEqual([]);
  });

  it("a device's own linkDown only triggers a poll: the link goes down when the agent says so, within seconds", async () => {
    const before = (await deviceView(r7Id)).status.lastPollAt;
    // The agent still says up: the trap alone changes nothing, but the device is polled at once.
    await trap(AGENT, ['-v2c', '-c', COMMUNITY], LINK_DOWN, 2);
    await waitFor('poll confirming the trap', async () => (await deviceView(r7Id)).status.lastPollAt !== before, 2500, 100);
    expect((await linkView()).health.state).toBe('up');

    await setAgentLink(false);
    const sent = Date.now();
    await trap(AGENT, ['-v2c', '-c', COMMUNITY], LINK_DOWN, 2);
    await waitFor('link down after the confirming poll', async () => (await linkView()).health.state === 'down', 2500, 100);
    expect(Date.now() - sent).toBeLessThan(2500);

    await setAgentLink(true);
    await trap(AGENT, ['-v2c', '-c', COMMUNITY], LINK_UP, 1);
    await waitFor('link up after the confirming poll', async () => (await linkView()).health.state === 'up', 2500, 100);
  });
});

describe('read access', () => {
  it('refuses the network read API to participants, chairs and operators', async () => {
    for (const who of ['cuvan', 'chair', 'operator'])
      for (const path of ['/sites', '/sites/TN-DT-CUVAN', '/devices', `/devices/${r7Id}`, '/links', `/links/${linkId}`, '/events'])
        expect(`${who} ${path} ${codeOf(await api(path, who))}`).toBe(`${who} ${path} FORBIDDEN`);
    for (const path of ['/sites', '/devices', '/links', '/events']) expect(codeOf(await api(path, 'engineer'))).toBe('OK');
  });

  it("gives a participant their own site's path summary, without addresses, and refuses another site's", async () => {
    const own = await api('/sites/TN-DT-CUVAN/path', 'cuvan');
    expect(codeOf(own)).toBe('OK');
    const body = own.json<{ site: { code: string; path: string[] }; hops: { id: string; name: string }[] }>();
    expect(body.site.code).toBe('TN-DT-CUVAN');
    expect(body.hops.map((h) => h.id)).toEqual(body.site.path);
    expect(body.hops.map((h) => h.name)).toContain('sec-cuvan-uplink');
    expect(own.body).not.toMatch(/127\.0\.0\.|community|sec-r7/);
    expect(codeOf(await api('/sites/TN-PB/path', 'cuvan'))).toBe('FORBIDDEN');
    expect(codeOf(await api('/sites/TN/path', 'chair'))).toBe('OK');
    expect(codeOf(await api('/sites/TN-PB/path', 'engineer'))).toBe('OK');
  });
});

describe('device addresses and fping', () => {
  it('refuses addresses that fping would read as options, through the API and the file import', async () => {
    const count = (await api('/devices', 'engineer')).json<{ devices: unknown[] }>().devices.length;
    for (const address of ['-f/etc/passwd', '--generate', '-g']) {
      const r = await api('/devices', 'engineer', { body: { name: 'evil', siteCode: 'TN-DT', role: 'router', address } });
      expect(codeOf(r)).toBe('BAD_REQUEST');
      expect(r.json<{ error: { message: string } }>().error.message).toContain('address');
    }
    const content = JSON.stringify({ devices: [{ name: 'evil', siteCode: 'TN-DT', role: 'router', address: '-f/etc/passwd' }] });
    const imp = await api('/inventory/import', 'engineer', { body: { format: 'json', content } });
    expect(codeOf(imp)).toBe('IMPORT_INVALID');
    expect((await api('/devices', 'engineer')).json<{ devices: unknown[] }>().devices.length).toBe(count);
  });

  it('ends fping options with -- before the targets', async () => {
    const args = await waitFor(
      'an fping round',
      () => existsSync(join(dir, 'fping-args')) && readFileSync(join(dir, 'fping-args'), 'utf8'),
    );
    const list = String(args).trim().split('\n');
    const end = list.indexOf('--');
    expect(end).toBeGreaterThan(0);
    expect(list.slice(end + 1)).toContain('127.0.0.1');
    expect(list.slice(0, end).every((a) => a.startsWith('-') || /^\d+$/.test(a))).toBe(true);
  });
});

describe('/healthz', () => {
  it('reports a failing fping by a stable code, without its output or paths', async () => {
    const health = await waitFor('probes unhealthy', async () => {
      const h = (await http(`${nms.url}/healthz`)).json<{ checks: Record<string, { ok: boolean; reason?: string }> }>();
      return h.checks.probes?.ok === false ? h : null;
    });
    const text = JSON.stringify(health);
    expect(text).not.toContain('/var/lib');
    expect(text).not.toContain('Permission denied');
    expect(text).not.toContain(dir);
    expect(health.checks.probes!.reason).toMatch(/^PROBE_FAILED\b/);
  });
});
