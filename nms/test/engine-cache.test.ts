// The SNMPv3 engine cache's keys and bookkeeping (no packets: sessions are made, never used).
// That polls really skip discovery is shown against Debian snmpd in tests/integration/nms-v3-engine.
import * as snmp from 'net-snmp';
import { afterEach, describe, expect, it } from 'vitest';
import type { SnmpCredentials } from '../src/protocol/inventory';
import { EngineCache, engineKey } from '../src/snmp/engine-cache';

const v3: SnmpCredentials = {
  version: '3',
  user: 'nms',
  level: 'authPriv',
  authProtocol: 'sha256',
  authKey: 'auth-pass-256',
  privProtocol: 'aes128',
  privKey: 'priv-pass-256',
};

const sessions: snmp.Session[] = [];
function session(): snmp.Session {
  const s = snmp.createV3Session('127.0.0.1', { name: 'nms', level: snmp.SecurityLevel.noAuthNoPriv }, { version: snmp.Version3 });
  sessions.push(s);
  return s;
}
afterEach(() => {
  for (const s of sessions.splice(0)) s.close();
});

/** What net-snmp sets on a session once it has heard from the agent. */
function discovered(s: snmp.Session, engineID: string, boots: number, time: number): snmp.Session {
  Object.assign(s, {
    msgSecurityParameters: {
      msgAuthoritativeEngineID: Buffer.from(engineID, 'hex'),
      msgAuthoritativeEngineBoots: boots,
      msgAuthoritativeEngineTime: time,
    },
    engineTimeBoots: boots,
    engineTimeBase: time,
    latestReceivedEngineTime: time,
    engineTimeReceivedAt: performance.now(),
  });
  return s;
}

describe('engine cache', () => {
  it('keys v3 devices by address, port and every credential field; v2c has no engine', () => {
    const k = engineKey('10.0.0.1', 161, v3);
    expect(k).toMatch(/^10\.0\.0\.1\|161\|/);
    expect(k).not.toContain('auth-pass');
    expect(engineKey('10.0.0.1', 161, { ...v3 })).toBe(k);
    for (const changed of [
      engineKey('10.0.0.2', 161, v3),
      engineKey('10.0.0.1', 1161, v3),
      engineKey('10.0.0.1', 161, { ...v3, user: 'other' }),
      engineKey('10.0.0.1', 161, { ...v3, authKey: 'auth-pass-new' }),
      engineKey('10.0.0.1', 161, { ...v3, privProtocol: 'aes256' }),
      engineKey('10.0.0.1', 161, { ...v3, level: 'authNoPriv' }),
    ])
      expect(changed).not.toBe(k);
    expect(engineKey('10.0.0.1', 161, { version: '2c', community: 'public' })).toBeNull();
  });

  it('hands an engine learned by one session to the next, until forgotten', () => {
    const c = new EngineCache();
    expect(c.seed(session(), 'a')).toBe(false);
    c.remember(session(), 'a'); // nothing learned: nothing kept
    expect(c.size).toBe(0);
    c.remember(discovered(session(), '80001f8804aa', 3, 1000), 'a');
    const next = session() as unknown as { msgSecurityParameters?: { msgAuthoritativeEngineBoots: number }; engineTimeBase: number };
    expect(c.seed(next as unknown as snmp.Session, 'a')).toBe(true);
    expect(next.msgSecurityParameters?.msgAuthoritativeEngineBoots).toBe(3);
    expect(next.engineTimeBase).toBe(1000);
    expect(c.discoveries).toBe(1);
    c.forget('a');
    expect(c.seed(session(), 'a')).toBe(false);
    expect(c.discoveries).toBe(2);
  });

  it('keeps only the devices still polled, and at most its bound', () => {
    const c = new EngineCache(2);
    for (const k of ['a', 'b', 'c']) c.remember(discovered(session(), '80001f8804aa', 1, 5), k);
    expect(c.size).toBe(2);
    expect(c.seed(session(), 'a')).toBe(false); // the oldest went first
    c.retain(new Set(['c']));
    expect(c.size).toBe(1);
    expect(c.seed(session(), 'c')).toBe(true);
  });
});
