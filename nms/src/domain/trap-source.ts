// Which device a trap may speak for. Anyone can send a UDP datagram with any source address
// and `public`, so a trap counts only when it comes from a device's own address with that
// device's own credentials: v2c its community, v3 its user (authenticated with its keys).
// Even then a trap sets no state: it asks for a poll that confirms (wiring/traps.ts).
import type { SnmpCredentials } from '../protocol/inventory';

export interface TrapSourceDevice {
  id: string;
  address: string;
  snmp: SnmpCredentials | null;
}

/** What the receiver authenticated: a v2c community, or the v3 user whose keys checked the message. */
export type TrapCredentials = { version: '2c'; community: string } | { version: '3'; user: string };

export type TrapRefusal = 'unknown_source' | 'credential_mismatch';
export type TrapSourceVerdict = { ok: true; deviceId: string } | { ok: false; reason: TrapRefusal };

export type V3Keys = Pick<Extract<SnmpCredentials, { version: '3' }>, 'authProtocol' | 'authKey' | 'privProtocol' | 'privKey'>;

const sameKeys = (a: V3Keys, b: V3Keys): boolean =>
  a.authProtocol === b.authProtocol &&
  a.authKey === b.authKey &&
  (a.privKey ?? null) === (b.privKey ?? null) &&
  (a.privKey ? (a.privProtocol ?? 'aes128') === (b.privProtocol ?? 'aes128') : true);

/**
 * `receiverKeys(user)`: the keys the receiver checked that user's message with; the trap
 * counts for a v3 device only when those are the device's own keys.
 */
export function matchTrapSource(
  devices: readonly TrapSourceDevice[],
  address: string,
  creds: TrapCredentials,
  receiverKeys: (user: string) => V3Keys | undefined,
): TrapSourceVerdict {
  const atAddress = devices.filter((d) => d.address === address);
  if (atAddress.length === 0) return { ok: false, reason: 'unknown_source' };
  const match = atAddress.find((d) => {
    const c = d.snmp;
    if (!c || c.version !== creds.version) return false;
    if (c.version === '2c') return creds.version === '2c' && c.community === creds.community;
    if (creds.version !== '3' || c.user !== creds.user) return false;
    const keys = receiverKeys(creds.user);
    const own = c.level === 'authPriv' ? c : { authProtocol: c.authProtocol, authKey: c.authKey };
    return keys !== undefined && sameKeys(keys, own);
  });
  return match ? { ok: true, deviceId: match.id } : { ok: false, reason: 'credential_mismatch' };
}

/**
 * The v3 users the receiver knows: each device's own user (the first device wins a name
 * whose keys differ: the others then never match), then configured users with other names.
 */
export function receiverUsers<U extends { user: string } & V3Keys>(
  devices: readonly TrapSourceDevice[],
  configured: readonly U[],
): (V3Keys & { user: string })[] {
  const out = new Map<string, V3Keys & { user: string }>();
  for (const d of devices) {
    const c = d.snmp;
    if (c?.version !== '3' || out.has(c.user)) continue;
    const priv = c.level === 'authPriv' && c.privKey ? { privKey: c.privKey, privProtocol: c.privProtocol ?? 'aes128' } : {};
    out.set(c.user, { user: c.user, authProtocol: c.authProtocol, authKey: c.authKey, ...priv });
  }
  for (const u of configured) if (!out.has(u.user)) out.set(u.user, u);
  return [...out.values()];
}

/** The communities the receiver accepts: the configured ones and every v2c device's own. */
export function receiverCommunities(devices: readonly TrapSourceDevice[], configured: readonly string[]): string[] {
  const out = new Set(configured);
  for (const d of devices) if (d.snmp?.version === '2c') out.add(d.snmp.community);
  return [...out];
}
