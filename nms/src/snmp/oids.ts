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

/**
 * Lexicographic OID order; true when b comes after a. Called for every walked varbind: the
 * common prefix is skipped by character, and only the first differing arc is parsed.
 */
export function oidAfter(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  let i = 0;
  let arc = 0;
  for (; i < n && a.charCodeAt(i) === b.charCodeAt(i); i++) if (a.charCodeAt(i) === 46) arc = i + 1;
  if (i === a.length || i === b.length) {
    // One is a prefix of the other: the longer comes after if its next character starts a new arc,
    // else (e.g. 1.3.6.1 vs 1.3.6.10) that arc is simply larger.
    return b.length > a.length;
  }
  const end = (s: string) => {
    const d = s.indexOf('.', arc);
    return d < 0 ? s.length : d;
  };
  return Number(a.slice(arc, end(a))) < Number(b.slice(arc, end(b)));
}

export const isUnder = (base: string, oid: string) => oid.startsWith(`${base}.`);
