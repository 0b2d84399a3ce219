// What one poll reads, as data (the way snmp_exporter's generated snmp.yml is data): each
// module lists scalars to GET and table columns to walk, and maps every OID to a named field
// with a type. The engine (../poll-engine.ts) reads modules generically; ../snapshot.ts turns
// the well-known fields below into a PollSnapshot.

/** How a varbind value becomes a field value. */
export type FieldType =
  /** Counter32 / Counter64: bigint (rates and wraps are the domain's business). */
  | 'counter32'
  | 'counter64'
  /** Gauge32, INTEGER, TimeTicks: number. */
  | 'gauge'
  | 'integer'
  | 'timeticks'
  /** INTEGER with named values: the number, or nothing when it is not one of `values`. */
  | 'enum'
  /** DisplayString: text (trailing NULs dropped). */
  | 'string'
  /** OBJECT IDENTIFIER: dotted text without a leading dot. */
  | 'oid';

/** Scalars the snapshot understands. */
export type ScalarField =
  | 'sysUpTime'
  | 'sysName'
  | 'sysDescr'
  /** Physical memory in kB, used when no hrStorageRam row is there. */
  | 'memTotalKb'
  | 'memAvailKb'
  /** Processor tick counters summed over processors (UCD ssCpuRaw* style). */
  | 'cpuTicksUser'
  | 'cpuTicksNice'
  | 'cpuTicksSystem'
  | 'cpuTicksIdle'
  | 'cpuTicksWait'
  | 'cpuTicksKernel'
  | 'cpuTicksInterrupt'
  | 'cpuTicksSoftIrq'
  | 'cpuTicksSteal';

/**
 * Table fields the snapshot understands. `interface*` fields belong in the 'interface' table
 * (ifIndex-keyed); `processorLoadPercent` counts from any table, one row per processor;
 * `storage*` fields belong in the 'storage' table (HOST-RESOURCES hrStorageTable layout).
 */
export type ColumnField =
  | 'ifDescr'
  | 'ifName'
  | 'ifAlias'
  | 'ifAdminStatus'
  | 'ifOperStatus'
  /** bits/s */
  | 'ifSpeed'
  /** bits/s (ifHighSpeed scaled); wins over ifSpeed when not 0 */
  | 'ifHighSpeed'
  | 'ifInOctets'
  | 'ifOutOctets'
  | 'ifHCInOctets'
  | 'ifHCOutOctets'
  | 'ifInErrors'
  | 'ifOutErrors'
  | 'ifInDiscards'
  | 'ifOutDiscards'
  | 'processorLoadPercent'
  | 'storageType'
  | 'storageSize'
  | 'storageUsed';

export interface FieldMap<F extends string> {
  oid: string;
  field: F;
  type: FieldType;
  /** Multiplier for a number (ifHighSpeed is in Mbit/s: 1e6). */
  scale?: number;
  /** enum: the values the MIB defines. */
  values?: Record<number, string>;
}

export interface TableMap {
  /** The table rows go into: 'interface', 'storage', or the module's own name for others. */
  table: string;
  /**
   * 'ifIndex': the suffix is an ifIndex, and rows of every module with this index merge
   * (ifTable + ifXTable + a vendor's interface extension). 'integer' / 'any': rows stay
   * the module's own, so two modules' row 1 never mix.
   */
  index: 'ifIndex' | 'integer' | 'any';
  columns: FieldMap<ColumnField>[];
}

export interface PollModule {
  name: string;
  /** The MIB and what it adds. */
  description: string;
  /** Scalar instances (ending in .0) read in the poll's one GET. */
  get: FieldMap<ScalarField>[];
  /** Columns walked together with every other module's columns. */
  walk: TableMap[];
}
