// The poll modules nms knows, by name; `snmp.modules` in the config picks the ones polled.
//
// Adding a vendor MIB is a data change:
//   1. write modules/<vendor>.ts: a PollModule whose `get` lists scalar instances (ending in .0) and
//      whose `walk` lists table columns, each mapped to a field of types.ts with its type;
//      reuse the well-known fields (ScalarField, ColumnField) so the snapshot picks the values
//      up: e.g. a router's CPU table maps its busy % to `processorLoadPercent`, a vendor
//      interface extension uses table 'interface' with index 'ifIndex';
//   2. add it to MODULES below and to `snmp.modules` in the config;
//   3. record a real response and unit-test the mapping (see nms/test/poll-modules.test.ts).
import { ciscoProcessModule } from './cisco-process';
import { hostResourcesModule } from './host-resources';
import { ifMibModule } from './if-mib';
import { systemModule } from './system';
import type { PollModule } from './types';
import { ucdSnmpModule } from './ucd-snmp';

export const MODULES: Record<string, PollModule> = Object.fromEntries(
  [systemModule, ifMibModule, hostResourcesModule, ucdSnmpModule, ciscoProcessModule].map((m) => [m.name, m]),
);

/** What every device is polled with unless the config says otherwise. */
export const DEFAULT_MODULES = ['system', 'if-mib', 'host-resources', 'ucd-snmp'];

/** The named modules, 'system' always first (sysUpTime is what every poll needs). */
export function modulesByName(names: readonly string[]): PollModule[] {
  const unknown = names.filter((n) => !MODULES[n]);
  if (unknown.length > 0) throw new Error(`unknown SNMP poll module(s): ${unknown.join(', ')}`);
  return [systemModule, ...names.filter((n) => n !== systemModule.name).map((n) => MODULES[n]!)];
}

export type { ColumnField, FieldMap, FieldType, PollModule, ScalarField, TableMap } from './types';
