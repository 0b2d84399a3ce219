// The well-known fields of the poll modules (modules/types.ts) turned into a PollSnapshot.
// Pure: no I/O, so recorded responses can be checked without an agent.
import type { CpuSample, CpuTicks } from '../domain/cpu';
import type { PolledInterface, PollSnapshot } from '../domain/interfaces';
import type { ColumnField, ScalarField } from './modules';
import type { FieldValue, PollData, TableRows } from './poll-engine';

/** hrStorageType of physical memory. */
export const HR_STORAGE_RAM = '1.3.6.1.2.1.25.2.1.2';

const num = (v: FieldValue | undefined): number | null => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null);
const big = (v: FieldValue | undefined): bigint | null =>
  typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(Math.trunc(v)) : null;
const text = (v: FieldValue | undefined): string | null => (v === undefined ? null : String(v));

function polledInterface(ifIndex: number, row: Map<ColumnField, FieldValue>): PolledInterface {
  const hcIn = big(row.get('ifHCInOctets'));
  const hcOut = big(row.get('ifHCOutOctets'));
  const hc = hcIn !== null && hcOut !== null;
  const highSpeed = num(row.get('ifHighSpeed'));
  return {
    ifIndex,
    descr: text(row.get('ifDescr')) ?? '',
    name: text(row.get('ifName')),
    alias: text(row.get('ifAlias')) ?? '',
    adminStatus: num(row.get('ifAdminStatus')) ?? 0,
    operStatus: num(row.get('ifOperStatus')) ?? 0,
    speedBps: highSpeed ? highSpeed : (num(row.get('ifSpeed')) ?? 0),
    inOctets: hc ? hcIn : big(row.get('ifInOctets')),
    outOctets: hc ? hcOut : big(row.get('ifOutOctets')),
    hc,
    inErrors: big(row.get('ifInErrors')),
    outErrors: big(row.get('ifOutErrors')),
    inDiscards: big(row.get('ifInDiscards')),
    outDiscards: big(row.get('ifOutDiscards')),
  };
}

export function interfacesOf(rows: TableRows | undefined): PolledInterface[] {
  const out: PolledInterface[] = [];
  for (const [key, row] of rows ?? []) {
    if (!row.has('ifDescr') && !row.has('ifName')) continue;
    out.push(polledInterface(Number(key), row));
  }
  return out.sort((a, b) => a.ifIndex - b.ifIndex);
}

const TICKS: [keyof CpuTicks, ScalarField][] = [
  ['user', 'cpuTicksUser'],
  ['nice', 'cpuTicksNice'],
  ['system', 'cpuTicksSystem'],
  ['idle', 'cpuTicksIdle'],
  ['wait', 'cpuTicksWait'],
  ['kernel', 'cpuTicksKernel'],
  ['interrupt', 'cpuTicksInterrupt'],
  ['softIrq', 'cpuTicksSoftIrq'],
  ['steal', 'cpuTicksSteal'],
];

/** Processor loads from every table that has them; tick counters when user, system and idle are there. */
export function cpuOf(data: PollData): CpuSample {
  const processorLoads: number[] = [];
  for (const rows of data.tables.values())
    for (const row of rows.values()) {
      const load = num(row.get('processorLoadPercent'));
      if (load !== null) processorLoads.push(load);
    }
  const s = data.scalars;
  const complete = ['cpuTicksUser', 'cpuTicksSystem', 'cpuTicksIdle'].every((f) => s.has(f as ScalarField));
  const ticks = complete ? (Object.fromEntries(TICKS.map(([k, f]) => [k, big(s.get(f)) ?? 0n])) as unknown as CpuTicks) : null;
  return { processorLoads, ticks };
}

/** The RAM row of the storage table, else the UCD kB scalars. */
export function memoryUsedRatioOf(data: PollData): number | null {
  let ratio: number | null = null;
  for (const row of data.tables.get('storage')?.values() ?? []) {
    if (row.get('storageType') !== HR_STORAGE_RAM) continue;
    const size = num(row.get('storageSize'));
    const used = num(row.get('storageUsed'));
    if (size && used !== null) ratio = used / size;
  }
  const total = num(data.scalars.get('memTotalKb'));
  const avail = num(data.scalars.get('memAvailKb'));
  if (ratio === null && total && avail !== null) ratio = (total - avail) / total;
  return ratio;
}

/** Null when the agent gave no sysUpTime (the caller reports a bad response). */
export function toSnapshot(data: PollData, truncated: boolean): PollSnapshot | null {
  const uptimeTicks = num(data.scalars.get('sysUpTime'));
  if (uptimeTicks === null) return null;
  return {
    uptimeTicks,
    sysName: text(data.scalars.get('sysName')),
    sysDescr: text(data.scalars.get('sysDescr')),
    interfaces: interfacesOf(data.tables.get('interface')),
    cpu: cpuOf(data),
    memoryUsedRatio: memoryUsedRatioOf(data),
    truncated,
  };
}
