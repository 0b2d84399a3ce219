// Reads poll modules generically: one GET for every module's scalars, one multi-column walk
// for every module's table columns, each value decoded by its field type. No OID is special
// here; ./snapshot.ts gives the well-known fields their meaning.
import type * as snmp from 'net-snmp';
import type { ColumnField, FieldMap, PollModule, ScalarField, TableMap } from './modules';
import { toBigInt, toNumber, toText } from './values';
import type { WalkResult } from './walker';

export type FieldValue = number | bigint | string;
/** One table: row key -> field -> value. */
export type TableRows = Map<string, Map<ColumnField, FieldValue>>;

export interface PollData {
  scalars: Map<ScalarField, FieldValue>;
  tables: Map<string, TableRows>;
}

interface PlannedColumn {
  module: string;
  table: TableMap;
  column: FieldMap<ColumnField>;
}

export interface PollPlan {
  scalars: FieldMap<ScalarField>[];
  columns: PlannedColumn[];
}

/** Where a poll reads from: a net-snmp session in production, recorded varbinds in tests. */
export interface SnmpReader {
  get(oids: string[]): Promise<snmp.Varbind[]>;
  walk(columns: string[]): Promise<WalkResult>;
}

export function planOf(modules: readonly PollModule[]): PollPlan {
  return {
    scalars: modules.flatMap((m) => m.get),
    columns: modules.flatMap((m) => m.walk.flatMap((table) => table.columns.map((column) => ({ module: m.name, table, column })))),
  };
}

export const scalarOids = (plan: PollPlan): string[] => [...new Set(plan.scalars.map((s) => s.oid))];
export const columnOids = (plan: PollPlan): string[] => [...new Set(plan.columns.map((c) => c.column.oid))];

/** A varbind as its field's type says; null when absent, an SNMP exception or out of range. */
export function decodeValue(vb: snmp.Varbind | undefined, map: FieldMap<string>): FieldValue | null {
  switch (map.type) {
    case 'counter32':
    case 'counter64':
      return toBigInt(vb);
    case 'string':
    case 'oid':
      return toText(vb);
    case 'enum': {
      const n = toNumber(vb);
      return n === null || (map.values && !(n in map.values)) ? null : n;
    }
    default: {
      const n = toNumber(vb);
      return n === null ? null : n * (map.scale ?? 1);
    }
  }
}

export function decodeScalars(plan: PollPlan, varbinds: snmp.Varbind[]): Map<ScalarField, FieldValue> {
  const byOid = new Map(varbinds.map((vb) => [vb.oid, vb]));
  const out = new Map<ScalarField, FieldValue>();
  for (const s of plan.scalars) {
    const v = decodeValue(byOid.get(s.oid), s);
    if (v !== null) out.set(s.field, v);
  }
  return out;
}

/** ifIndex rows merge across modules; other rows stay their module's. */
function rowKey(c: PlannedColumn, index: string): string | null {
  if (c.table.index !== 'any' && !/^\d+$/.test(index)) return null;
  return c.table.index === 'ifIndex' ? index : `${c.module}:${index}`;
}

export function decodeColumns(plan: PollPlan, walked: WalkResult['columns']): Map<string, TableRows> {
  const tables = new Map<string, TableRows>();
  for (const c of plan.columns) {
    const rows: TableRows = tables.get(c.table.table) ?? new Map();
    tables.set(c.table.table, rows);
    for (const [index, vb] of walked.get(c.column.oid) ?? []) {
      const key = rowKey(c, index);
      const v = decodeValue(vb, c.column);
      if (key === null || v === null) continue;
      const row = rows.get(key) ?? new Map<ColumnField, FieldValue>();
      rows.set(key, row);
      row.set(c.column.field, v);
    }
  }
  return tables;
}
