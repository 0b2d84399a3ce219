// One poll of one device: scalars, then the interface and host-resource columns in one walk.
import * as snmp from 'net-snmp';
import type { PolledInterface, PollSnapshot } from '../domain/interfaces';
import type { SnmpCredentials } from '../protocol/inventory';
import { classifySnmpError, SnmpError } from './errors';
import { HOST_COLUMNS, IF_COLUMNS, OID } from './oids';
import { toBigInt, toNumber, toText } from './values';
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
    s.close();
  }
}

export async function pollDevice(t: SnmpTarget, limits: PollLimits): Promise<PollOutcome> {
  const session = openSession(t);
  let pdus = 0;
  try {
    pdus++;
    let scalars: snmp.Varbind[];
    try {
      scalars = await get(session, [OID.sysUpTime, OID.sysName, OID.sysDescr, OID.memTotalReal, OID.memAvailReal, OID.laLoadInt1]);
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
    const uptime = toNumber(scalars[0]);
    if (uptime === null) throw new SnmpError('SNMP_BAD_RESPONSE', 'no sysUpTime in response');
    const walk = await walkColumns(session, [...IF_COLUMNS, ...HOST_COLUMNS], {
      maxVarbinds: limits.maxVarbinds,
      maxRows: limits.maxInterfaces,
      maxPdus: limits.maxPdus,
      onPdu: () => pdus++,
    });
    const col = (oid: string) => walk.columns.get(oid) ?? new Map<string, snmp.Varbind>();
    const interfaces: PolledInterface[] = [];
    const indexes = new Set([...col(OID.ifDescr).keys(), ...col(OID.ifName).keys()]);
    for (const idx of indexes) {
      const ifIndex = Number(idx);
      if (!Number.isInteger(ifIndex)) continue;
      const hcIn = toBigInt(col(OID.ifHCInOctets).get(idx));
      const hcOut = toBigInt(col(OID.ifHCOutOctets).get(idx));
      const hc = hcIn !== null && hcOut !== null;
      const highSpeed = toNumber(col(OID.ifHighSpeed).get(idx));
      const speed = toNumber(col(OID.ifSpeed).get(idx));
      interfaces.push({
        ifIndex,
        descr: toText(col(OID.ifDescr).get(idx)) ?? '',
        name: toText(col(OID.ifName).get(idx)),
        alias: toText(col(OID.ifAlias).get(idx)) ?? '',
        adminStatus: toNumber(col(OID.ifAdminStatus).get(idx)) ?? 0,
        operStatus: toNumber(col(OID.ifOperStatus).get(idx)) ?? 0,
        speedBps: highSpeed ? highSpeed * 1e6 : (speed ?? 0),
        inOctets: hc ? hcIn : toBigInt(col(OID.ifInOctets).get(idx)),
        outOctets: hc ? hcOut : toBigInt(col(OID.ifOutOctets).get(idx)),
        hc,
        inErrors: toBigInt(col(OID.ifInErrors).get(idx)),
        outErrors: toBigInt(col(OID.ifOutErrors).get(idx)),
        inDiscards: toBigInt(col(OID.ifInDiscards).get(idx)),
        outDiscards: toBigInt(col(OID.ifOutDiscards).get(idx)),
      });
    }
    interfaces.sort((a, b) => a.ifIndex - b.ifIndex);
    const loads = [...col(OID.hrProcessorLoad).values()].map(toNumber).filter((v): v is number => v !== null);
    let cpu: number | null = loads.length > 0 ? loads.reduce((a, b) => a + b, 0) / loads.length : null;
    const la = toNumber(scalars[5]);
    // UCD laLoadInt is the 1-minute load average x 100: a percentage of one core.
    if (cpu === null && la !== null) cpu = la;
    let memUsed: number | null = null;
    for (const [idx, typeVb] of col(OID.hrStorageType)) {
      if (toText(typeVb) !== OID.hrStorageRam) continue;
      const size = toNumber(col(OID.hrStorageSize).get(idx));
      const used = toNumber(col(OID.hrStorageUsed).get(idx));
      if (size && used !== null) memUsed = used / size;
    }
    const total = toNumber(scalars[3]);
    const avail = toNumber(scalars[4]);
    if (memUsed === null && total && avail !== null) memUsed = (total - avail) / total;
    return {
      snapshot: {
        uptimeTicks: uptime,
        sysName: toText(scalars[1]),
        sysDescr: toText(scalars[2]),
        interfaces,
        cpuLoadPercent: cpu,
        memoryUsedRatio: memUsed,
        truncated: walk.truncated,
      },
      pdus,
      varbinds: walk.varbinds + scalars.length,
    };
  } catch (e) {
    let err = classifySnmpError(e);
    const malformed = malformedBySession.get(session) ?? 0;
    // A "timeout" while the agent kept sending undecodable replies is a lying agent, not a dead one.
    if (err.code === 'SNMP_TIMEOUT' && malformed > 0)
      err = new SnmpError('SNMP_BAD_RESPONSE', `agent sent ${malformed} malformed response(s)`);
    throw Object.assign(err, { pdus });
  } finally {
    session.close();
  }
}
