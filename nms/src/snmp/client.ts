// One poll of one device over a net-snmp session: the poll modules' scalars in one GET,
// then all their table columns in one walk (see poll-engine.ts and modules/).
import * as snmp from 'net-snmp';
import type { PollSnapshot } from '../domain/interfaces';
import type { SnmpCredentials } from '../protocol/inventory';
import { type EngineCache, engineKey, v3Engines } from './engine-cache';
import { classifySnmpError, SnmpError } from './errors';
import { DEFAULT_MODULES, modulesByName } from './modules';
import { OID } from './oids';
import { columnOids, decodeColumns, decodeScalars, type PollData, type PollPlan, planOf, type SnmpReader, scalarOids } from './poll-engine';
import { toSnapshot } from './snapshot';
import { get, walkColumns } from './walker';

export interface SnmpTarget {
  address: string;
  port: number;
  credentials: SnmpCredentials;
  timeoutMs: number;
  retries: number;
}

export interface PollLimits {
  maxVarbinds: number;
  maxInterfaces: number;
  maxPdus: number;
}

export interface PollOutcome {
  snapshot: PollSnapshot;
  pdus: number;
  varbinds: number;
}

const AUTH = {
  sha: snmp.AuthProtocols.sha,
  sha224: snmp.AuthProtocols.sha224,
  sha256: snmp.AuthProtocols.sha256,
  sha384: snmp.AuthProtocols.sha384,
  sha512: snmp.AuthProtocols.sha512,
} as const;
const PRIV = { aes128: snmp.PrivProtocols.aes, aes256: snmp.PrivProtocols.aes256b } as const;

export function openSession(t: SnmpTarget): snmp.Session {
  const options: snmp.SessionOptions = {
    port: t.port,
    retries: t.retries,
    timeout: t.timeoutMs,
    backwardsGetNexts: false,
    idBitsSize: 32,
  };
  const c = t.credentials;
  let s: snmp.Session;
  if (c.version === '2c') {
    s = snmp.createSession(t.address, c.community, { ...options, version: snmp.Version2c });
  } else {
    const user: snmp.User = {
      name: c.user,
      level: c.level === 'authPriv' ? snmp.SecurityLevel.authPriv : snmp.SecurityLevel.authNoPriv,
      authProtocol: AUTH[c.authProtocol],
      authKey: c.authKey,
    };
    if (c.level === 'authPriv' && c.privProtocol && c.privKey) {
      user.privProtocol = PRIV[c.privProtocol];
      user.privKey = c.privKey;
    }
    s = snmp.createV3Session(t.address, user, { ...options, version: snmp.Version3 });
  }
  // Unparsable datagrams surface here; request callbacks only see the resulting timeout.
  s.on('error', () => {
    malformedBySession.set(s, (malformedBySession.get(s) ?? 0) + 1);
  });
  return s;
}

const malformedBySession = new WeakMap<snmp.Session, number>();

/**
 * A v2c agent silently drops a wrong community, so a timeout alone cannot tell "dead" from
 * "wrong community". An agent that answers SNMPv3 discovery is alive: then it is the community.
 */
async function agentAnswersV3Discovery(t: SnmpTarget): Promise<boolean> {
  const s = snmp.createV3Session(
    t.address,
    { name: 'lienthong-probe', level: snmp.SecurityLevel.noAuthNoPriv },
    {
      port: t.port,
      retries: 0,
      timeout: Math.min(t.timeoutMs, 2000),
      version: snmp.Version3,
    },
  );
  s.on('error', () => {});
  try {
    await get(s, [OID.sysUpTime]);
    return true;
  } catch (e) {
    return !(e instanceof snmp.RequestTimedOutError);
  } finally {
    closeQuietly(s);
  }
}

const defaultPlan = planOf(modulesByName(DEFAULT_MODULES));

/** A reader over one session; the first GET tells a wrong community from a dead agent. */
function sessionReader(session: snmp.Session, t: SnmpTarget, limits: PollLimits, onPdu: () => void): SnmpReader {
  return {
    async get(oids) {
      onPdu();
      try {
        return await get(session, oids);
      } catch (e) {
        const err = classifySnmpError(e);
        if (err.code === 'SNMP_TIMEOUT' && (await agentAnswersV3Discovery(t))) {
          throw new SnmpError(
            'SNMP_AUTH_FAILED',
            t.credentials.version === '2c'
              ? 'agent is alive (answers SNMPv3 discovery) but ignores this community'
              : 'agent is alive (answers SNMPv3 discovery) but drops these requests: wrong privacy key or protocol?',
          );
        }
        throw err;
      }
    },
    walk: (columns) =>
      walkColumns(session, columns, { maxVarbinds: limits.maxVarbinds, maxRows: limits.maxInterfaces, maxPdus: limits.maxPdus, onPdu }),
  };
}

/** One poll through any reader: the modules' scalars, then (if the agent is sane) their tables. */
export async function readSnapshot(reader: SnmpReader, plan: PollPlan): Promise<{ snapshot: PollSnapshot; varbinds: number }> {
  const scalars = await reader.get(scalarOids(plan));
  const data: PollData = { scalars: decodeScalars(plan, scalars), tables: new Map() };
  if (!data.scalars.has('sysUpTime')) throw new SnmpError('SNMP_BAD_RESPONSE', 'no sysUpTime in response');
  const walk = await reader.walk(columnOids(plan));
  data.tables = decodeColumns(plan, walk.columns);
  const snapshot = toSnapshot(data, walk.truncated);
  if (!snapshot) throw new SnmpError('SNMP_BAD_RESPONSE', 'no sysUpTime in response');
  // Values actually received: noSuchObject/noSuchInstance answers to the GET are not counted.
  const values = scalars.reduce((n, vb) => (snmp.isVarbindError(vb) ? n : n + 1), 0);
  return { snapshot, varbinds: walk.varbinds + values };
}

export async function pollDevice(
  t: SnmpTarget,
  limits: PollLimits,
  plan: PollPlan = defaultPlan,
  engines: EngineCache = v3Engines,
): Promise<PollOutcome> {
  const key = engineKey(t.address, t.port, t.credentials);
  try {
    return await pollOnce(t, limits, plan, key, engines);
  } catch (e) {
    if (!key) throw e;
    engines.forget(key);
    // An engine learned earlier went stale (agent rebooted, engine ID changed): discover afresh once.
    const code = (e as SnmpError).code;
    if (
      (e as { seeded?: boolean }).seeded &&
      (code === 'SNMP_NOT_IN_TIME_WINDOW' || /Engine ID|Unexpected Report/i.test((e as Error).message))
    ) {
      const again = await pollOnce(t, limits, plan, key, engines);
      return { ...again, pdus: again.pdus + ((e as { pdus?: number }).pdus ?? 0) };
    }
    throw e;
  }
}

async function pollOnce(t: SnmpTarget, limits: PollLimits, plan: PollPlan, key: string | null, engines: EngineCache): Promise<PollOutcome> {
  const session = openSession(t);
  const seeded = key !== null && engines.seed(session, key);
  let pdus = 0;
  try {
    const { snapshot, varbinds } = await readSnapshot(
      sessionReader(session, t, limits, () => pdus++),
      plan,
    );
    if (key) engines.remember(session, key);
    return { snapshot, pdus, varbinds };
  } catch (e) {
    let err = classifySnmpError(e);
    const malformed = malformedBySession.get(session) ?? 0;
    // A "timeout" while the agent kept sending undecodable replies is a lying agent, not a dead one.
    if (err.code === 'SNMP_TIMEOUT' && malformed > 0)
      err = new SnmpError('SNMP_BAD_RESPONSE', `agent sent ${malformed} malformed response(s)`);
    throw Object.assign(err, { pdus, seeded });
  } finally {
    closeQuietly(session);
  }
}

/** Closing a session whose socket already closed throws; the poll's outcome is what matters. */
function closeQuietly(s: snmp.Session): void {
  try {
    s.close();
  } catch {
    // already closed
  }
}
