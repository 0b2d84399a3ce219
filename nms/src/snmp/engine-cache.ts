// SNMPv3 engine discovery costs a round trip (and a Report to decode) for every new session,
// and each poll opens a fresh session (one socket per device in flight, not per device). So the
// discovered authoritative engine (ID, boots, time) is kept per device and handed to the next
// session, which then sends its first request authenticated straight away.
import { createHash } from 'node:crypto';
import type * as snmp from 'net-snmp';
import type { SnmpCredentials } from '../protocol/inventory';

export interface EngineState {
  engineID: Buffer;
  boots: number;
  /** snmpEngineTime learned at `receivedAt` (performance.now(), process-wide monotonic). */
  timeBase: number;
  latestTime: number;
  receivedAt: number;
}

/**
 * The fields of a net-snmp 3.29 v3 session that hold the discovered engine (index.js:
 * msgSecurityParameters, set from the discovery Report, and the RFC 3414 time notion).
 * net-snmp is pinned; the integration test (nms-v3-engine) fails if a new version renames them.
 */
interface V3SessionInternals {
  version: number;
  msgSecurityParameters?: {
    msgAuthoritativeEngineID: Buffer;
    msgAuthoritativeEngineBoots: number;
    msgAuthoritativeEngineTime: number;
  };
  engineTimeBoots: number | null;
  engineTimeBase: number | null;
  engineTimeReceivedAt: number | null;
  latestReceivedEngineTime: number | null;
}

const internals = (s: snmp.Session) => s as unknown as V3SessionInternals;

/**
 * A device's engine is keyed by where it is and how we speak to it: a changed address, port,
 * user or key is a new key, so a config change never reuses an engine learned under the old one.
 * Keys hold a digest, not the secrets. v2c has no engine: null.
 */
export function engineKey(address: string, port: number, c: SnmpCredentials): string | null {
  if (c.version !== '3') return null;
  const h = createHash('sha256');
  for (const part of [c.user, c.level, c.authProtocol, c.authKey, c.privProtocol ?? '', c.privKey ?? '']) h.update(`${part}\0`);
  return `${address}|${port}|${h.digest('base64url')}`;
}

export class EngineCache {
  private readonly byKey = new Map<string, EngineState>();
  /** Sessions that started without a known engine (each one discovers). */
  discoveries = 0;

  constructor(private readonly maxEntries = 50_000) {}

  get size(): number {
    return this.byKey.size;
  }

  /** Gives a fresh v3 session the engine learned by an earlier one; false when none is known. */
  seed(session: snmp.Session, key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) {
      this.discoveries++;
      return false;
    }
    const s = internals(session);
    s.msgSecurityParameters = {
      msgAuthoritativeEngineID: e.engineID,
      msgAuthoritativeEngineBoots: e.boots,
      msgAuthoritativeEngineTime: e.timeBase,
    };
    s.engineTimeBoots = e.boots;
    s.engineTimeBase = e.timeBase;
    s.latestReceivedEngineTime = e.latestTime;
    s.engineTimeReceivedAt = e.receivedAt;
    return true;
  }

  /** Keeps what the session knows after a successful poll (it may have resynchronised). */
  remember(session: snmp.Session, key: string): void {
    const s = internals(session);
    const p = s.msgSecurityParameters;
    if (!p || s.engineTimeBoots === null || s.engineTimeBase === null || s.engineTimeReceivedAt === null) return;
    this.byKey.delete(key); // re-inserted last: the oldest entries go first when full
    this.byKey.set(key, {
      engineID: p.msgAuthoritativeEngineID,
      boots: s.engineTimeBoots,
      timeBase: s.engineTimeBase,
      latestTime: s.latestReceivedEngineTime ?? s.engineTimeBase,
      receivedAt: s.engineTimeReceivedAt,
    });
    if (this.byKey.size > this.maxEntries) this.byKey.delete(this.byKey.keys().next().value!);
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }

  /** Drops engines of devices no longer polled (keys not in `keep`). */
  retain(keep: ReadonlySet<string>): void {
    for (const k of this.byKey.keys()) if (!keep.has(k)) this.byKey.delete(k);
  }
}

/** The engine cache of polls made outside a Poller (which has its own). */
export const v3Engines = new EngineCache();
