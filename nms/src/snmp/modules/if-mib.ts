// IF-MIB ifTable and ifXTable, merged by ifIndex. 64-bit ifHC* octets when present, else the
// 32-bit ones (the snapshot picks); ifHighSpeed is in Mbit/s.
import type { PollModule } from './types';

const ADMIN = { 1: 'up', 2: 'down', 3: 'testing' };
const OPER = { 1: 'up', 2: 'down', 3: 'testing', 4: 'unknown', 5: 'dormant', 6: 'notPresent', 7: 'lowerLayerDown' };

export const ifMibModule: PollModule = {
  name: 'if-mib',
  description: 'IF-MIB ifTable + ifXTable: names, status, speed, octets, errors, discards',
  get: [],
  walk: [
    {
      table: 'interface',
      index: 'ifIndex',
      columns: [
        { oid: '1.3.6.1.2.1.2.2.1.2', field: 'ifDescr', type: 'string' },
        { oid: '1.3.6.1.2.1.2.2.1.5', field: 'ifSpeed', type: 'gauge' },
        { oid: '1.3.6.1.2.1.2.2.1.7', field: 'ifAdminStatus', type: 'enum', values: ADMIN },
        { oid: '1.3.6.1.2.1.2.2.1.8', field: 'ifOperStatus', type: 'enum', values: OPER },
        { oid: '1.3.6.1.2.1.2.2.1.10', field: 'ifInOctets', type: 'counter32' },
        { oid: '1.3.6.1.2.1.2.2.1.16', field: 'ifOutOctets', type: 'counter32' },
        { oid: '1.3.6.1.2.1.2.2.1.14', field: 'ifInErrors', type: 'counter32' },
        { oid: '1.3.6.1.2.1.2.2.1.20', field: 'ifOutErrors', type: 'counter32' },
        { oid: '1.3.6.1.2.1.2.2.1.13', field: 'ifInDiscards', type: 'counter32' },
        { oid: '1.3.6.1.2.1.2.2.1.19', field: 'ifOutDiscards', type: 'counter32' },
      ],
    },
    {
      table: 'interface',
      index: 'ifIndex',
      columns: [
        { oid: '1.3.6.1.2.1.31.1.1.1.1', field: 'ifName', type: 'string' },
        { oid: '1.3.6.1.2.1.31.1.1.1.6', field: 'ifHCInOctets', type: 'counter64' },
        { oid: '1.3.6.1.2.1.31.1.1.1.10', field: 'ifHCOutOctets', type: 'counter64' },
        { oid: '1.3.6.1.2.1.31.1.1.1.15', field: 'ifHighSpeed', type: 'gauge', scale: 1e6 },
        { oid: '1.3.6.1.2.1.31.1.1.1.18', field: 'ifAlias', type: 'string' },
      ],
    },
  ],
};
