// OIDs outside the poll modules (modules/ has what a poll reads): the discovery probe and
// notifications. Constants, because Debian ships no MIB files.
export const OID = {
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  // IF-MIB ifTable columns carried by linkDown/linkUp
  ifIndex: '1.3.6.1.2.1.2.2.1.1',
  ifAdminStatus: '1.3.6.1.2.1.2.2.1.7',
  ifOperStatus: '1.3.6.1.2.1.2.2.1.8',
  // Notifications
  snmpTrapOID: '1.3.6.1.6.3.1.1.4.1.0',
  coldStart: '1.3.6.1.6.3.1.1.5.1',
  warmStart: '1.3.6.1.6.3.1.1.5.2',
  linkDown: '1.3.6.1.6.3.1.1.5.3',
  linkUp: '1.3.6.1.6.3.1.1.5.4',
} as const;

/** Lexicographic OID order; true when b comes after a. */
export function oidAfter(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return d < 0;
  }
  return y.length > x.length;
}

export const isUnder = (base: string, oid: string) => oid.startsWith(`${base}.`);
