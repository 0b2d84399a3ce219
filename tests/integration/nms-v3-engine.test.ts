// SNMPv3 engine discovery happens once per device, not once per poll: counted by Debian snmpd
// itself (usmStatsUnknownEngineIDs counts every discovery request it answers). A changed
// credential discovers again; an agent that reboots or is replaced by another engine on the
// same address is picked up without a failed poll.
import * as snmp from 'net-snmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnmpCredentials } from '../../nms/src/protocol/inventory';
import { pollDevice, type SnmpTarget } from '../../nms/src/snmp/client';
import { EngineCache } from '../../nms/src/snmp/engine-cache';
import { freeUdpPort, type Peer, startSnmpd, waitFor } from './nms-support';

const COMMUNITY = 'lt-engine-comm';
const users = [
  { name: 'eng256', auth: 'SHA-256' as const, authKey: 'auth-pass-256', priv: 'AES' as const, privKey: 'priv-pass-256' },
  { name: 'eng512', auth: 'SHA-512' as const, authKey: 'auth-pass-512', priv: 'AES-256' as const, privKey: 'priv-pass-512' },
];
const v3a: SnmpCredentials = {
  version: '3',
  user: 'eng256',
  level: 'authPriv',
  authProtocol: 'sha256',
  authKey: 'auth-pass-256',
  privProtocol: 'aes128',
  privKey: 'priv-pass-256',
};
const v3b: SnmpCredentials = {
  version: '3',
  user: 'eng512',
  level: 'authPriv',
  authProtocol: 'sha512',
  authKey: 'auth-pass-512',
  privProtocol: 'aes256',
  privKey: 'priv-pass-512',
};
const limits = { maxVarbinds: 120, maxInterfaces: 4096, maxPdus: 400 };

let port: number;
let agent: (Peer & { dir: string }) | undefined;

/** snmpd's own counters, read over v2c (which does no discovery). */
function agentCounters(): Promise<{ unknownEngineIds: number; notInTimeWindows: number; engineId: string; boots: number }> {
  const s = snmp.createSession('127.0.0.1', COMMUNITY, { port, version: snmp.Version2c, timeout: 1000, retries: 1 });
  return new Promise((resolve, reject) =>
    s.get(['1.3.6.1.6.3.15.1.1.4.0', '1.3.6.1.6.3.15.1.1.2.0', '1.3.6.1.6.3.10.2.1.1.0', '1.3.6.1.6.3.10.2.1.2.0'], (err, vbs) => {
      s.close();
      if (err) return reject(err);
      resolve({
        unknownEngineIds: Number(vbs[0]!.value),
        notInTimeWindows: Number(vbs[1]!.value),
        engineId: (vbs[2]!.value as Buffer).toString('hex'),
        boots: Number(vbs[3]!.value),
      });
    }),
  );
}

const target = (credentials: SnmpCredentials): SnmpTarget => ({ address: '127.0.0.1', port, credentials, timeoutMs: 1500, retries: 0 });

async function stopAgent() {
  await agent?.stop();
  agent = undefined;
}

beforeAll(async () => {
  port = await freeUdpPort();
  agent = startSnmpd({ address: '127.0.0.1', port, community: COMMUNITY, users });
  await waitFor('snmpd to answer', () => agentCounters().catch(() => null));
});

afterAll(stopAgent);

describe('SNMPv3 engine discovery is cached per device', () => {
  const engines = new EngineCache();

  it('the second and later polls of a v3 device do not rediscover the engine', async () => {
    const before = await agentCounters();
    const first = await pollDevice(target(v3a), limits, undefined, engines);
    expect(first.snapshot.uptimeTicks).toBeGreaterThan(0);
    const afterFirst = await agentCounters();
    expect(afterFirst.unknownEngineIds - before.unknownEngineIds).toBe(1);
    const second = await pollDevice(target(v3a), limits, undefined, engines);
    await pollDevice(target(v3a), limits, undefined, engines);
    const afterThird = await agentCounters();
    expect(afterThird.unknownEngineIds).toBe(afterFirst.unknownEngineIds);
    expect(second.varbinds).toBeGreaterThan(10);
    expect(second.pdus).toBe(first.pdus);
    expect(engines.discoveries).toBe(1);
  });

  it('v2c polls and other credentials keep their own state; changed credentials discover again', async () => {
    const before = await agentCounters();
    await pollDevice(target({ version: '2c', community: COMMUNITY }), limits, undefined, engines);
    expect((await agentCounters()).unknownEngineIds).toBe(before.unknownEngineIds);
    await pollDevice(target(v3b), limits, undefined, engines);
    await pollDevice(target(v3b), limits, undefined, engines);
    expect((await agentCounters()).unknownEngineIds - before.unknownEngineIds).toBe(1);
    // A wrong key is its own device key: it discovers, fails, and is not kept.
    await expect(pollDevice(target({ ...v3a, authKey: 'not-the-password' }), limits, undefined, engines)).rejects.toMatchObject({
      code: 'SNMP_AUTH_FAILED',
    });
    expect(engines.size).toBe(2);
  });

  it('an agent that rebooted (same engine, boots + 1, time from 0) is polled without a failure, then cached again', async () => {
    const old = await agentCounters();
    await restartAgent(agent!.dir);
    const now = await agentCounters();
    expect(now.engineId).toBe(old.engineId);
    expect(now.boots).toBe(old.boots + 1);
    const out = await pollDevice(target(v3a), limits, undefined, engines);
    expect(out.snapshot.uptimeTicks).toBeGreaterThan(0);
    const after = await agentCounters();
    // Resynchronised through the agent's notInTimeWindow report, not a new discovery.
    expect(after.notInTimeWindows).toBe(1);
    expect(after.unknownEngineIds).toBe(0);
    await pollDevice(target(v3a), limits, undefined, engines);
    expect(await agentCounters()).toMatchObject({ unknownEngineIds: 0, notInTimeWindows: 1 });
  });

  it('another agent (a new engine ID) on the same address is polled without a failure, then cached again', async () => {
    const old = await agentCounters();
    await restartAgent();
    expect((await agentCounters()).engineId).not.toBe(old.engineId);
    const out = await pollDevice(target(v3a), limits, undefined, engines);
    expect(out.snapshot.uptimeTicks).toBeGreaterThan(0);
    const after = await agentCounters();
    // The request carrying the old engine ID is reported (1), then the engine is discovered (2).
    expect(after.unknownEngineIds).toBe(2);
    await pollDevice(target(v3a), limits, undefined, engines);
    expect((await agentCounters()).unknownEngineIds).toBe(2);
  });
});

async function restartAgent(dir?: string) {
  await stopAgent();
  agent = startSnmpd({ address: '127.0.0.1', port, community: COMMUNITY, users, ...(dir ? { dir } : {}) });
  await waitFor('snmpd back', () => agentCounters().catch(() => null));
}
