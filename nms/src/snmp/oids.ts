// The few OIDs we need, as constants: Debian ships no MIB files.
export const OID = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  sysName: '1.3.6.1.2.1.1.5.0',
  // IF-MIB ifTable columns
  ifDescr: '1.3.6.1.2.1.2.2.1.2',
  ifSpeed: '1.3.6.1.2.1.2.2.1.5',
  ifAdminStatus: '1.3.6.1.2.1.2.2.1.7',
  ifOperStatus: '1.3.6.1.2.1.2.2.1.8',
  ifInOctets: '1.3.6.1.2.1.2.2.1.10',
  ifInDiscards: '1.3.6.1.2.1.2.2.1.13',
  ifInErrors: '1.3.6.1.2.1.2.2.1.14',
  ifOutOctets: '1.3.6.1.2.1.2.2.1.16',
  ifOutDiscards: '1.3.6.1.2.1.2.2.1.19',
  ifOutErrors: '1.3.6.1.2.1.2.2.1.20',
  ifIndex: '1.3.6.1.2.1.2.2.1.1',
  // ifXTable columns
  ifName: '1.3.6.1.2.1.31.1.1.1.1',
  ifHCInOctets: '1.3.6.1.2.1.31.1.1.1.6',
  ifHCOutOctets: '1.3.6.1.2.1.31.1.1.1.10',
  ifHighSpeed: '1.3.6.1.2.1.31.1.1.1.15',
  ifAlias: '1.3.6.1.2.1.31.1.1.1.18',
  // HOST-RESOURCES-MIB
  hrProcessorLoad: '1.3.6.1.2.1.25.3.3.1.2',
  hrStorageType: '1.3.6.1.2.1.25.2.3.1.2',
  hrStorageAllocationUnits: '1.3.6.1.2.1.25.2.3.1.4',
  hrStorageSize: '1.3.6.1.2.1.25.2.3.1.5',
  hrStorageUsed: '1.3.6.1.2.1.25.2.3.1.6',
  hrStorageRam: '1.3.6.1.2.1.25.2.1.2',
  // UCD-SNMP-MIB fallbacks
  laLoadInt1: '1.3.6.1.4.1.2021.10.1.5.1',
  memTotalReal: '1.3.6.1.4.1.2021.4.5.0',
  memAvailReal: '1.3.6.1.4.1.2021.4.6.0',
  // Notifications
  snmpTrapOID: '1.3.6.1.6.3.1.1.4.1.0',
  coldStart: '1.3.6.1.6.3.1.1.5.1',
  warmStart: '1.3.6.1.6.3.1.1.5.2',
  linkDown: '1.3.6.1.6.3.1.1.5.3',
  linkUp: '1.3.6.1.6.3.1.1.5.4',
} as const;

export const IF_COLUMNS = [
  OID.ifDescr,
  OID.ifSpeed,
  OID.ifAdminStatus,
  OID.ifOperStatus,
  OID.ifInOctets,
  OID.ifOutOctets,
  OID.ifInErrors,
  OID.ifOutErrors,
  OID.ifInDiscards,
  OID.ifOutDiscards,
  OID.ifName,
  OID.ifHCInOctets,
  OID.ifHCOutOctets,
  OID.ifHighSpeed,
  OID.ifAlias,
] as const;

export const HOST_COLUMNS = [
  OID.hrProcessorLoad,
  OID.hrStorageType,
  OID.hrStorageAllocationUnits,
  OID.hrStorageSize,
  OID.hrStorageUsed,
] as const;

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
