// Trap and inform receiver (v2c and v3). net-snmp acknowledges informs itself. Sources are
// matched to devices by address, then by community or v3 user; floods are rate-limited.
import * as snmp from 'net-snmp';
import type { Logger } from 'pino';
import type { TrapInfo } from '../domain/device-intake';
import type { SnmpCredentials } from '../protocol/inventory';
import { OID } from './oids';
import { toNumber, toText } from './values';

export interface TrapDeviceRef {
  id: string;
  address: string;
  snmp: SnmpCredentials | null;
}

export interface TrapReceiverOptions {
  port: number;
  address: string;
  communities: string[];
  users: { user: string; authProtocol: string; authKey: string; privProtocol?: string; privKey?: string }[];
  engineID?: string;
  devices: () => TrapDeviceRef[];
  logger: Logger;
  onTrap(t: TrapInfo): void;
  onBadMessage?(reason: string): void;
}

const AUTH: Record<string, number> = {
  sha: snmp.AuthProtocols.sha,
  sha224: snmp.AuthProtocols.sha224,
  sha256: snmp.AuthProtocols.sha256,
  sha384: snmp.AuthProtocols.sha384,
  sha512: snmp.AuthProtocols.sha512,
};
const PRIV: Record<string, number> = { aes128: snmp.PrivProtocols.aes, aes256: snmp.PrivProtocols.aes256b };

function kindOf(trapOid: string): TrapInfo['kind'] {
  if (trapOid === OID.linkDown) return 'link_down';
  if (trapOid === OID.linkUp) return 'link_up';
  if (trapOid === OID.coldStart) return 'cold_start';
  if (trapOid === OID.warmStart) return 'warm_start';
  return 'vendor_trap';
}

export function startTrapReceiver(o: TrapReceiverOptions): { close(): Promise<void>; users: string[] } {
  const receiver = snmp.createReceiver(
    { port: o.port, address: o.address, transport: 'udp4', includeAuthentication: true, ...(o.engineID ? { engineID: o.engineID } : {}) },
    (error, data) => {
      if (error || !data) {
        o.onBadMessage?.(error?.message ?? 'empty message');
        return;
      }
      try {
        const info = toTrapInfo(data, o.devices());
        if (info) o.onTrap(info);
        else o.onBadMessage?.('not a trap PDU with snmpTrapOID');
      } catch (e) {
        o.logger.warn({ err: (e as Error).message }, 'trap handling failed');
        o.onBadMessage?.((e as Error).message);
      }
    },
  );
  const auth = receiver.getAuthorizer();
  for (const c of o.communities) auth.addCommunity(c);
  for (const u of o.users) {
    const user: snmp.User = {
      name: u.user,
      level: u.privKey ? snmp.SecurityLevel.authPriv : snmp.SecurityLevel.authNoPriv,
      authProtocol: AUTH[u.authProtocol] ?? snmp.AuthProtocols.sha,
      authKey: u.authKey,
    };
    if (u.privKey) {
      user.privProtocol = PRIV[u.privProtocol ?? 'aes128'] ?? snmp.PrivProtocols.aes;
      user.privKey = u.privKey;
    }
    auth.addUser(user);
  }
  return {
    users: o.users.map((u) => u.user),
    close: () => new Promise<void>((resolve) => receiver.close(() => resolve())),
  };
}

export function toTrapInfo(data: snmp.TrapData, devices: TrapDeviceRef[]): TrapInfo | null {
  const { pdu, rinfo } = data;
  const vbs = pdu.varbinds ?? [];
  let trapOid = toText(vbs.find((v) => v.oid === OID.snmpTrapOID));
  if (!trapOid && pdu.type === snmp.PduType.Trap) {
    // SNMPv1 trap: generic 2/3 are linkDown/linkUp
    trapOid = pdu.generic === 2 ? OID.linkDown : pdu.generic === 3 ? OID.linkUp : `${pdu.enterprise}.0.${pdu.specific}`;
  }
  if (!trapOid) return null;
  const kind = kindOf(trapOid);
  const atAddress = devices.filter((d) => d.address === rinfo.address);
  const byCreds = atAddress.filter((d) =>
    pdu.community !== undefined
      ? d.snmp?.version === '2c' && d.snmp.community === pdu.community
      : d.snmp?.version === '3' && d.snmp.user === pdu.user,
  );
  const device = byCreds[0] ?? (atAddress.length === 1 ? atAddress[0] : undefined);
  const info: TrapInfo = {
    deviceId: device?.id ?? null,
    source: `${rinfo.address}:${rinfo.port}`,
    kind,
    trapOid,
    inform: pdu.type === snmp.PduType.InformRequest,
    varbinds: vbs.slice(0, 50).map((v) => ({ oid: v.oid, value: toText(v) ?? '' })),
  };
  for (const v of vbs) {
    const column = v.oid.slice(0, v.oid.lastIndexOf('.'));
    const index = Number(v.oid.slice(v.oid.lastIndexOf('.') + 1));
    if (column === OID.ifIndex) info.ifIndex = toNumber(v) ?? index;
    else if (column === OID.ifAdminStatus) {
      info.ifIndex ??= index;
      info.adminUp = toNumber(v) === 1;
    } else if (column === OID.ifOperStatus) {
      info.ifIndex ??= index;
      info.operUp = toNumber(v) === 1;
    }
  }
  return info;
}
