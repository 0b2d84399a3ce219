// nms polling Debian's snmpd: v2c and v3 authPriv (SHA-1/SHA-256/SHA-512, AES-128/AES-256),
// values stored and exposed as metrics, and each kind of bad credential ending in its own code.
import { spawnSync } from 'node:child_process';
import { createLogger } from '@lienthong/kit';
import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nmsDefaults } from '../../nms/src/config/schema';
import { staticKey } from '../../nms/src/http/auth';
import type { DeviceInput } from '../../nms/src/protocol/inventory';
import { createNms, type Nms } from '../../nms/src/service';
import { seededSites } from '../support/nms-sites';
import { freeUdpPort, type Peer, startSnmpd, tempDir, waitFor } from './nms-support';

let snmpd: Peer;
let nms: Nms;
let port: number;

beforeAll(async () => {
  port = await freeUdpPort();
  snmpd = startSnmpd({
    address: '127.0.0.1',
    port,
    community: 'lt-ro-comm',
    users: [
      { name: 'nms256', auth: 'SHA-256', authKey: 'auth-pass-256', priv: 'AES', privKey: 'priv-pass-256' },
      { name: 'nms512', auth: 'SHA-512', authKey: 'auth-pass-512', priv: 'AES-256', privKey: 'priv-pass-512' },
      { name: 'nmssha', auth: 'SHA', authKey: 'auth-pass-sha', priv: 'AES', privKey: 'priv-pass-sha' },
    ],
  });
  const { publicKey } = await generateKeyPair('EdDSA');
  nms = await createNms({
    config: {
      ...nmsDefaults,
      dataDir: tempDir('nms-snmpd-data-'),
      log: { level: 'silent' },
      demo: { ...nmsDefaults.demo, enabled: false },
      sites: { ...nmsDefaults.sites, followSfuServer: false },
      traps: { ...nmsDefaults.traps, enabled: false },
      probes: { ...nmsDefaults.probes, enabled: false },
    },
    logger: createLogger({ service: 'nms-test', level: 'silent' }),
    keys: staticKey(publicKey),
    sites: seededSites(),
  });
  nms.poller.stop(); // polls are driven by the test
  const base = { siteCode: 'TN-DT', role: 'router' as const, address: '127.0.0.1', snmpPort: port, timeoutMs: 800, retries: 0 };
  const devices: DeviceInput[] = [
    { ...base, name: 'v2c-ok', snmp: { version: '2c', community: 'lt-ro-comm' } },
    { ...base, name: 'v2c-wrong', snmp: { version: '2c', community: 'not-the-community' } },
    {
      ...base,
      name: 'v3-sha256',
      snmp: {
        version: '3',
        user: 'nms256',
        level: 'authPriv',
        authProtocol: 'sha256',
        authKey: 'auth-pass-256',
        privProtocol: 'aes128',
        privKey: 'priv-pass-256',
      },
    },
    {
      ...base,
      name: 'v3-sha512',
      snmp: {
        version: '3',
        user: 'nms512',
        level: 'authPriv',
        authProtocol: 'sha512',
        authKey: 'auth-pass-512',
        privProtocol: 'aes256',
        privKey: 'priv-pass-512',
      },
    },
    {
      ...base,
      name: 'v3-sha1',
      snmp: {
        version: '3',
        user: 'nmssha',
        level: 'authPriv',
        authProtocol: 'sha',
        authKey: 'auth-pass-sha',
        privProtocol: 'aes128',
        privKey: 'priv-pass-sha',
      },
    },
    {
      ...base,
      name: 'v3-wrong-pass',
      snmp: {
        version: '3',
        user: 'nms256',
        level: 'authPriv',
        authProtocol: 'sha256',
        authKey: 'not-the-password',
        privProtocol: 'aes128',
        privKey: 'priv-pass-256',
      },
    },
    {
      ...base,
      name: 'v3-wrong-priv',
      snmp: {
        version: '3',
        user: 'nms256',
        level: 'authPriv',
        authProtocol: 'sha256',
        authKey: 'auth-pass-256',
        privProtocol: 'aes128',
        privKey: 'not-the-privkey',
      },
    },
    {
      ...base,
      name: 'v3-unknown-user',
      snmp: {
        version: '3',
        user: 'mallory',
        level: 'authPriv',
        authProtocol: 'sha256',
        authKey: 'auth-pass-256',
        privProtocol: 'aes128',
        privKey: 'priv-pass-256',
      },
    },
    { ...base, name: 'dead', snmpPort: await freeUdpPort(), timeoutMs: 1500, retries: 1, snmp: { version: '2c', community: 'lt-ro-comm' } },
  ];
  nms.inventory.import({ devices });
  await waitFor('snmpd to answer', async () => {
    await nms.poller.pollNow(byName('v2c-ok').id);
    return nms.monitor.runtime(byName('v2c-ok').id).state === 'up';
  });
});

afterAll(async () => {
  await nms?.close();
  await snmpd?.stop();
});

const byName = (name: string) => nms.inventory.devices().find((d) => d.name === name)!;
const view = (name: string) => nms.monitor.deviceView(byName(name));

describe('polling Debian snmpd', () => {
  it('v2c and v3 authPriv (SHA-1, SHA-256/AES-128, SHA-512/AES-256) read the system and IF-MIB', async () => {
    for (const name of ['v3-sha256', 'v3-sha512', 'v3-sha1']) await nms.poller.pollNow(byName(name).id);
    for (const name of ['v2c-ok', 'v3-sha256', 'v3-sha512', 'v3-sha1']) {
      const v = view(name);
      expect(v.status, name).toMatchObject({ state: 'up', errorCode: null });
      expect(v.status.uptimeSeconds).toBeGreaterThan(0);
      expect(v.status.sysName).toBeTruthy();
      const lo = v.interfaces.find((i) => i.name === 'lo');
      expect(lo, name).toMatchObject({ adminUp: true, operUp: true, counterBits: 64 });
    }
    expect(view('v2c-ok').status.memoryUsedRatio).toBeGreaterThan(0);
  });

  it('rates appear on the second poll and the metrics carry site, level, device and interface', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    await nms.poller.pollNow(byName('v2c-ok').id);
    const lo = view('v2c-ok').interfaces.find((i) => i.name === 'lo')!;
    expect(lo.inBps).not.toBeNull();
    expect(lo.inBps!).toBeGreaterThanOrEqual(0);
    const m = (await nms.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(m).toMatch(
      /lienthong_interface_receive_bytes_total\{site="TN-DT",level="district",device="v2c-ok",interface="lo",link=""\} \d+/,
    );
    expect(m).toContain('lienthong_device_up{site="TN-DT",level="district",device="v3-sha512",error=""} 1');
    expect(m).toMatch(/lienthong_snmp_pdus_sent_total \d+/);
    // The whole page parses as Prometheus text (promtool lints prom-client's own nodejs_* names: not parse errors).
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: m, encoding: 'utf8' });
    expect(lint.status).not.toBeNull();
    expect(`${lint.stdout}${lint.stderr}`).not.toMatch(/error while linting|parsing error/);
    expect(m.match(/^# TYPE lienthong_interface_receive_bytes_total counter$/gm)).toHaveLength(1);
  });

  it('a real agent yields CPU as a percentage between 0 and 100', async () => {
    // hrProcessorLoad when the agent has it, else ssCpuRaw ticks between two polls (the agent
    // refreshes them every few seconds, so poll until two polls differ).
    const { percent } = await waitFor(
      'a CPU percentage',
      async () => {
        await nms.poller.pollNow(byName('v2c-ok').id);
        const p = view('v2c-ok').status.cpuLoadPercent;
        return p === null ? null : { percent: p };
      },
      30_000,
      1000,
    );
    expect(percent).toBeGreaterThanOrEqual(0);
    expect(percent).toBeLessThanOrEqual(100);
    const m = (await nms.app.inject({ method: 'GET', url: '/metrics' })).body;
    const ratio = Number(/lienthong_device_cpu_load_ratio\{[^}]*device="v2c-ok"\} (\S+)/.exec(m)?.[1]);
    expect(ratio).toBeCloseTo(percent / 100, 9);
  });

  it('bad credentials and dead agents end in their own codes', async () => {
    await Promise.all(
      ['v2c-wrong', 'v3-wrong-pass', 'v3-wrong-priv', 'v3-unknown-user', 'dead'].map((n) => nms.poller.pollNow(byName(n).id)),
    );
    expect(view('v2c-wrong').status).toMatchObject({ state: 'error', errorCode: 'SNMP_AUTH_FAILED' });
    expect(view('v3-wrong-pass').status).toMatchObject({ state: 'error', errorCode: 'SNMP_AUTH_FAILED' });
    expect(view('v3-wrong-priv').status).toMatchObject({ state: 'error', errorCode: 'SNMP_AUTH_FAILED' });
    expect(view('v3-unknown-user').status).toMatchObject({ state: 'error', errorCode: 'SNMP_UNKNOWN_USER' });
    expect(view('dead').status).toMatchObject({ state: 'unreachable', errorCode: 'SNMP_TIMEOUT' });
    const m = (await nms.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(m).toContain('device="dead",error="SNMP_TIMEOUT"} 0');
    expect(m).toContain('lienthong_snmp_poll_timeouts_total{device="dead"} 1');
    const events = nms.store.listEvents({ deviceId: byName('dead').id });
    expect(events[0]).toMatchObject({ kind: 'device_unreachable', severity: 'critical' });
  });

  it('a dead device does not delay the others', async () => {
    const dead = nms.poller.pollNow(byName('dead').id); // 2 x 1.5 s of timeouts
    const t0 = performance.now();
    await nms.poller.pollNow(byName('v3-sha256').id);
    expect(performance.now() - t0).toBeLessThan(1000);
    await dead;
  });
});
