// Trap sources (which device a trap may speak for) and the poller's confirming polls and
// error containment (a throwing hook must not end the process).
import { createLogger } from '@lienthong/kit';
import { describe, expect, it } from 'vitest';
import type { PollSnapshot } from '../src/domain/interfaces';
import type { Device } from '../src/domain/inventory';
import { matchTrapSource, receiverCommunities, receiverUsers } from '../src/domain/trap-source';
import { Poller, type PollFn } from '../src/snmp/poller';

const v3 = {
  version: '3',
  user: 'r2',
  level: 'authPriv',
  authProtocol: 'sha256',
  authKey: 'auth-key-2',
  privProtocol: 'aes128',
  privKey: 'priv-key-2',
} as const;
const devices = [
  { id: 'd1', address: '10.0.0.1', snmp: { version: '2c', community: 'own-1' } as const },
  { id: 'd2', address: '10.0.0.2', snmp: v3 },
];
const keysOf = (u: string) => receiverUsers(devices, []).find((x) => x.user === u);

describe('trap sources', () => {
  it("accepts a trap only from a device's address with that device's own credentials", () => {
    expect(matchTrapSource(devices, '10.0.0.1', { version: '2c', community: 'own-1' }, keysOf)).toEqual({ ok: true, deviceId: 'd1' });
    expect(matchTrapSource(devices, '10.0.0.1', { version: '2c', community: 'public' }, keysOf)).toEqual({
      ok: false,
      reason: 'credential_mismatch',
    });
    expect(matchTrapSource(devices, '10.0.0.9', { version: '2c', community: 'own-1' }, keysOf)).toEqual({
      ok: false,
      reason: 'unknown_source',
    });
    expect(matchTrapSource(devices, '10.0.0.2', { version: '2c', community: 'public' }, keysOf)).toEqual({
      ok: false,
      reason: 'credential_mismatch',
    });
    expect(matchTrapSource(devices, '10.0.0.2', { version: '3', user: 'r2' }, keysOf)).toEqual({ ok: true, deviceId: 'd2' });
    expect(matchTrapSource(devices, '10.0.0.1', { version: '3', user: 'r2' }, keysOf).ok).toBe(false);
  });

  it('refuses a v3 trap checked with keys other than the device’s own (same user name)', () => {
    const configured = [{ user: 'r2', authProtocol: 'sha256' as const, authKey: 'other-auth-key' }];
    const otherKeys = (u: string) => configured.find((x) => x.user === u);
    expect(matchTrapSource(devices, '10.0.0.2', { version: '3', user: 'r2' }, otherKeys).ok).toBe(false);
    // The device's own keys win the name in the receiver.
    expect(receiverUsers(devices, configured)).toEqual([
      { user: 'r2', authProtocol: 'sha256', authKey: 'auth-key-2', privKey: 'priv-key-2', privProtocol: 'aes128' },
    ]);
    expect(receiverCommunities(devices, ['public']).sort()).toEqual(['own-1', 'public']);
  });
});

const snap: PollSnapshot = {
  uptimeTicks: 1,
  sysName: 'r',
  sysDescr: '',
  interfaces: [],
  cpu: { processorLoads: [], ticks: null },
  memoryUsedRatio: null,
  truncated: false,
};
const device: Device = {
  id: 'd1',
  name: 'r1',
  siteCode: 'TN',
  role: 'router',
  address: '10.0.0.1',
  snmpPort: 161,
  snmp: { version: '2c', community: 'c' },
  pollIntervalSeconds: 3600,
  timeoutMs: 100,
  retries: 0,
  probe: false,
  demo: false,
};
const logger = createLogger({ service: 'nms-test', level: 'silent' });

describe('poller', () => {
  it('polls again right after a poll in flight when a trap asks for confirmation', async () => {
    let polls = 0;
    let release!: () => void;
    const pollFn: PollFn = async () => {
      polls++;
      if (polls === 1) await new Promise<void>((r) => (release = r));
      return { snapshot: snap, pdus: 1, varbinds: 1 };
    };
    const results: number[] = [];
    const p = new Poller({
      concurrency: 4,
      limits: { maxVarbinds: 10, maxInterfaces: 10, maxPdus: 10 },
      logger,
      pollFn,
      hooks: { onResult: () => results.push(polls), onError: () => {} },
    });
    p.setDevices([device]);
    p.confirm('d1');
    p.confirm('d1');
    p.confirm('d1');
    expect(polls).toBe(1);
    release();
    await new Promise((r) => setTimeout(r, 20));
    expect(polls).toBe(2);
    expect(results).toEqual([1, 2]);
  });

  it('contains a throwing hook: counted, logged, and no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    const internal: string[] = [];
    const p = new Poller({
      concurrency: 4,
      limits: { maxVarbinds: 10, maxInterfaces: 10, maxPdus: 10 },
      logger,
      pollFn: async () => {
        throw new Error('session closed under us');
      },
      hooks: {
        onResult: () => {},
        onError: () => {
          throw new Error('store gone');
        },
        onPollDone: () => {
          throw new Error('metrics gone');
        },
        onInternalError: (where) => internal.push(where),
      },
    });
    p.setDevices([device]);
    p.confirm('d1');
    await p.pollNow('d1');
    await new Promise((r) => setTimeout(r, 20));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
    expect(internal).toEqual(['onError', 'onPollDone']);
  });
});
