// Debian's snmptrap sending v2c and v3 authPriv traps and informs to the nms receiver:
// events stored and de-duplicated, link state confirmed at once by a poll of the device
// (a simulated agent whose data the test rewrites), floods cut off.
import { type ChildProcess, execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLogger } from '@lienthong/kit';
import { generateKeyPair } from 'jose';
import * as snmp from 'net-snmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nmsDefaults } from '../../nms/src/config/schema';
import { startSnmpsim } from '../../nms/src/demo/demo';
import { staticKey } from '../../nms/src/http/auth';
import { createNms, type Nms } from '../../nms/src/service';
import { seededSites } from '../support/nms-sites';
import { ifStatusVarbinds, routerRecord, setRouterOper } from '../support/trap-agent';
import { freeUdpPort, tempDir, waitFor } from './nms-support';

const run = promisify(execFile);
let nms: Nms;
let port: number;
let agent: ChildProcess;
let agentPort: number;
let agentDir: string;
const V3 = ['-v3', '-u', 'trapper', '-l', 'authPriv', '-a', 'SHA-256', '-A', 'trap-auth-pass', '-x', 'AES', '-X', 'trap-priv-pass'];

const routerAgent = () => ({ dataDir: join(agentDir, 'data'), host: '127.0.0.1', port: agentPort, community: 'trap-comm', name: 'dt-r1' });
const setAgent = (operUp: boolean) => setRouterOper(routerAgent(), operUp);

beforeAll(async () => {
  port = await freeUdpPort();
  agentPort = await freeUdpPort();
  agentDir = tempDir('nms-traps-agent-');
  agent = startSnmpsim(agentDir, agentPort, { 'trap-comm': routerRecord('dt-r1', true) });
  const { publicKey } = await generateKeyPair('EdDSA');
  nms = await createNms({
    config: {
      ...nmsDefaults,
      dataDir: tempDir('nms-traps-'),
      log: { level: 'silent' },
      demo: { ...nmsDefaults.demo, enabled: false },
      sites: { ...nmsDefaults.sites, followSfuServer: false },
      probes: { ...nmsDefaults.probes, enabled: false },
      traps: {
        ...nmsDefaults.traps,
        host: '127.0.0.1',
        port,
        communities: ['trap-comm'],
        users: [{ user: 'trapper', authProtocol: 'sha256', authKey: 'trap-auth-pass', privProtocol: 'aes128', privKey: 'trap-priv-pass' }],
        perSourceBurst: 40,
        perSourcePerSecond: 1,
      },
    },
    logger: createLogger({ service: 'nms-test', level: 'silent' }),
    keys: staticKey(publicKey),
    sites: seededSites(),
  });
  nms.inventory.import({
    devices: [
      {
        name: 'dt-r1',
        siteCode: 'TN-DT',
        role: 'router',
        address: '127.0.0.1',
        snmpPort: agentPort,
        snmp: { version: '2c', community: 'trap-comm' },
        pollIntervalSeconds: 3600,
        timeoutMs: 1000,
      },
      {
        // Same address, SNMPv3: the trap receiver's user, with the same keys.
        name: 'dt-r3',
        siteCode: 'TN-DT',
        role: 'router',
        address: '127.0.0.1',
        snmpPort: 1,
        snmp: {
          version: '3',
          user: 'trapper',
          level: 'authPriv',
          authProtocol: 'sha256',
          authKey: 'trap-auth-pass',
          privProtocol: 'aes128',
          privKey: 'trap-priv-pass',
        },
        pollIntervalSeconds: 3600,
        timeoutMs: 200,
        retries: 0,
      },
      { name: 'core', siteCode: 'TN', role: 'router', address: '10.9.9.9', snmpPort: 1, snmp: { version: '2c', community: 'x' } },
    ],
    links: [
      {
        name: 'dt-uplink',
        downstream: { siteCode: 'TN-DT', device: 'dt-r1', interface: 'wan0' },
        upstream: { siteCode: 'TN', device: 'core' },
        speedBps: 1e8,
        role: 'primary',
      },
    ],
  });
  await waitFor('first poll: link up', () => linkState() === 'up', 20_000);
});
afterAll(async () => {
  agent?.kill('SIGTERM');
  await nms?.close();
});

const dev = () => nms.inventory.devices().find((d) => d.name === 'dt-r1')!;
const link = () => nms.inventory.links()[0]!;
const linkState = () => nms.monitor.linkView(link()).health.state;
const events = (kind: string) => nms.store.listEvents({ limit: 500 }).filter((e) => e.kind === kind && e.source === 'trap');
const ifVarbinds = ifStatusVarbinds;
const target = () => `127.0.0.1:${port}`;

describe('trap receiver', () => {
  it('a v2c linkDown is stored and the link goes down at once when the confirming poll says so', async () => {
    // The trap alone changes nothing: the agent still says up.
    await run('snmptrap', ['-m', '', '-v2c', '-c', 'trap-comm', target(), '', '1.3.6.1.6.3.1.1.5.4', ...ifVarbinds(1)]);
    await setAgent(false);
    await run('snmptrap', ['-m', '', '-v2c', '-c', 'trap-comm', target(), '', '1.3.6.1.6.3.1.1.5.3', ...ifVarbinds(2)]);
    await waitFor('link down', () => linkState() === 'down', 2500, 20);
    const e = events('link_down');
    expect(e[0]).toMatchObject({ source: 'trap', interface: 'wan0', linkId: link().id, count: 1 });
    const site = nms.monitor.siteHealth().find((s) => s.code === 'TN-DT-CUVAN');
    expect(site).toMatchObject({ state: 'unreachable', cause: { linkName: 'dt-uplink' } });
  });

  it('repeated traps are folded into one event', async () => {
    for (let i = 0; i < 3; i++)
      await run('snmptrap', ['-m', '', '-v2c', '-c', 'trap-comm', target(), '', '1.3.6.1.6.3.1.1.5.3', ...ifVarbinds(2)]);
    await waitFor('dedup', () => events('link_down')[0]?.count === 4, 3000, 20);
    expect(events('link_down')).toHaveLength(1);
  });

  it('a v3 authPriv trap counts for the v3 device; a linkUp confirmed by poll brings the link back', async () => {
    await run('snmptrap', ['-m', '', ...V3, '-e', '0x80001f8880aabbccdd', target(), '', '1.3.6.1.6.3.1.1.5.4', ...ifVarbinds(1)]);
    await waitFor('v3 trap stored', () =>
      events('link_up').find((e) => e.deviceId === nms.inventory.devices().find((d) => d.name === 'dt-r3')!.id),
    );
    expect(linkState()).toBe('down');
    await setAgent(true);
    await run('snmptrap', ['-m', '', '-v2c', '-c', 'trap-comm', target(), '', '1.3.6.1.6.3.1.1.5.4', ...ifVarbinds(1)]);
    await waitFor('link up', () => linkState() === 'up', 2500, 20);
    expect(events('link_up').find((e) => e.deviceId === dev().id)).toMatchObject({ source: 'trap', interface: 'wan0' });
  });

  it('a v3 inform is acknowledged (snmptrap -Ci waits for it) and kept; vendor traps are kept', async () => {
    await run('snmptrap', ['-m', '', '-Ci', '-r', '1', '-t', '2', ...V3, target(), '', '1.3.6.1.6.3.1.1.5.1']);
    await waitFor('coldStart', () => events('cold_start').length === 1, 3000, 20);
    await run('snmptrap', [
      '-m',
      '',
      '-Ci',
      '-r',
      '1',
      '-t',
      '2',
      '-v2c',
      '-c',
      'trap-comm',
      target(),
      '',
      '1.3.6.1.4.1.99999.0.7',
      '1.3.6.1.4.1.99999.1',
      's',
      'fan failure',
    ]);
    await waitFor('vendor trap', () => events('vendor_trap').length === 1, 3000, 20);
    expect(JSON.stringify(events('vendor_trap')[0]!.details)).toContain('fan failure');
  });

  it('wrong v3 password and unknown community are refused, not stored', async () => {
    // Only events that came from traps: a poll may record its own event meanwhile.
    const fromTraps = () => nms.store.listEvents({ limit: 500 }).filter((e) => e.source === 'trap');
    const before = fromTraps().length;
    await run('snmptrap', [
      '-m',
      '',
      '-v3',
      '-u',
      'trapper',
      '-l',
      'authPriv',
      '-a',
      'SHA-256',
      '-A',
      'wrong-password',
      '-x',
      'AES',
      '-X',
      'trap-priv-pass',
      '-e',
      '0x80001f8880aabbccdd',
      target(),
      '',
      '1.3.6.1.6.3.1.1.5.3',
      ...ifVarbinds(2),
    ]);
    await run('snmptrap', ['-m', '', '-v2c', '-c', 'nope', target(), '', '1.3.6.1.6.3.1.1.5.3', ...ifVarbinds(2)]);
    await waitFor(
      'drops counted',
      async () => /lienthong_snmp_traps_dropped_total\{reason="(auth|malformed)"\} [1-9]/.test((await nms.app.inject('/metrics')).body),
      3000,
      50,
    );
    expect(fromTraps().length).toBe(before);
    expect(linkState()).toBe('up');
  });

  it('a trap flood is cut off and noted once; the process keeps serving', async () => {
    const s = snmp.createSession('127.0.0.1', 'trap-comm', { port: 1, trapPort: port, version: snmp.Version2c });
    for (let i = 0; i < 300; i++)
      s.trap('1.3.6.1.4.1.99999.0.8', [{ oid: '1.3.6.1.4.1.99999.2', type: snmp.ObjectType.Integer, value: i }], () => {});
    await waitFor('flood event', () => events('trap_flood').length === 1, 5000, 50);
    s.close();
    const m = (await nms.app.inject('/metrics')).body;
    expect(m).toMatch(/lienthong_snmp_traps_dropped_total\{reason="rate_limited"\} \d{2,}/);
    expect(events('vendor_trap').filter((e) => e.message.includes('99999.0.8'))[0]!.count).toBeLessThan(300);
    expect((await nms.app.inject('/healthz')).statusCode).toBe(200);
  });
});
