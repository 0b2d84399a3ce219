// Trap and inform receiver (v2c and v3). net-snmp acknowledges informs itself and checks v3
// keys; it accepts the configured credentials and every device's own. Which device a trap may
// speak for is domain/trap-source.ts's rule; floods are rate-limited in wiring/traps.ts.
import * as snmp from 'net-snmp';
import type { Logger } from 'pino';
import type { TrapInfo } from '../domain/device-intake';
import {
  matchTrapSource,
  receiverCommunities,
  receiverUsers,
  type TrapRefusal,
  type TrapSourceDevice,
  type V3Keys,
} from '../domain/trap-source';
import { OID } from './oids';
import { toNumber, toText } from './values';

export type TrapDeviceRef = TrapSourceDevice;
type ReceiverUser = V3Keys & { user: string };

export interface TrapReceiverOptions {
  port: number;
  address: string;
  communities: string[];
  users: ReceiverUser[];
  engineID?: string;
  devices: () => TrapDeviceRef[];
  logger: Logger;
  /** A trap from a device's own address with its own credentials. */
  onTrap(t: TrapInfo): void;
  /** A well-formed, authenticated trap that no device's address and credentials match. */
  onRefused(t: TrapInfo, reason: TrapRefusal): void;
  onBadMessage?(reason: string): void;
}

export interface TrapReceiver {
  close(): Promise<void>;
  /** Re-reads the devices' credentials (after an inventory change). */
  refresh(): void;
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

export function startTrapReceiver(o: TrapReceiverOptions): TrapReceiver {
  let users = new Map<string, ReceiverUser>();
  const receiver = snmp.createReceiver(
    { port: o.port, address: o.address, transport: 'udp4', includeAuthentication: true, ...(o.engineID ? { engineID: o.engineID } : {}) },
    (error, data) => {
      if (error || !data) {
        o.onBadMessage?.(error?.message ?? 'empty message');
        return;
      }
      try {
        const t = toTrapInfo(data, o.devices(), (u) => users.get(u));
        if (!t) o.onBadMessage?.('not a trap PDU with snmpTrapOID');
        else if (t.refused) o.onRefused(t.info, t.refused);
        else o.onTrap(t.info);
      } catch (e) {
        o.logger.warn({ err: (e as Error).message }, 'trap handling failed');
        o.onBadMessage?.((e as Error).message);
      }
    },
  );
  const auth = receiver.getAuthorizer();
  const refresh = () => {
    const devices = o.devices();
    const communities = new Set(receiverCommunities(devices, o.communities));
    for (const c of [...auth.getCommunities()]) if (!communities.has(c)) auth.deleteCommunity(c);
    for (const c of communities) auth.addCommunity(c);
    users = new Map(receiverUsers(devices, o.users).map((u) => [u.user, u]));
    for (const u of [...auth.getUsers()]) auth.deleteUser(u.name);
    for (const u of users.values()) auth.addUser(toSnmpUser(u));
  };
  refresh();
  return {
    refresh,
    close: () => new Promise<void>((resolve) => receiver.close(() => resolve())),
  };
}

function toSnmpUser(u: ReceiverUser): snmp.User {
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
  return user;
}

export function toTrapInfo(
  data: snmp.TrapData,
  devices: TrapDeviceRef[],
  receiverKeys: (user: string) => V3Keys | undefined,
): { info: TrapInfo; refused: TrapRefusal | null } | null {
  const { pdu, rinfo } = data;
  const vbs = pdu.varbinds ?? [];
  let trapOid = toText(vbs.find((v) => v.oid === OID.snmpTrapOID));
  if (!trapOid && pdu.type === snmp.PduType.Trap) {
    // SNMPv1 trap: generic 2/3 are linkDown/linkUp
    trapOid = pdu.generic === 2 ? OID.linkDown : pdu.generic === 3 ? OID.linkUp : `${pdu.enterprise}.0.${pdu.specific}`;
  }
  if (!trapOid) return null;
  const kind = kindOf(trapOid);
  const creds =
    pdu.community !== undefined ? { version: '2c' as const, community: pdu.community } : { version: '3' as const, user: pdu.user ?? '' };
  const verdict = matchTrapSource(devices, rinfo.address, creds, receiverKeys);
  const info: TrapInfo = {
    deviceId: verdict.ok ? verdict.deviceId : null,
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
  return { info, refused: verdict.ok ? null : verdict.reason };
}
