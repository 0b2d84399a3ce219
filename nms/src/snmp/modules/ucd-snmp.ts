// UCD-SNMP-MIB (net-snmp agents): memory in kB and the raw CPU tick counters, for devices
// without HOST-RESOURCES. Its load average (laLoadInt) is deliberately not read: it is
// not a percentage.
import type { PollModule } from './types';

const ss = (n: number) => `1.3.6.1.4.1.2021.11.${n}.0`;

export const ucdSnmpModule: PollModule = {
  name: 'ucd-snmp',
  description: 'UCD-SNMP-MIB memTotalReal/memAvailReal and ssCpuRaw* ticks',
  get: [
    { oid: '1.3.6.1.4.1.2021.4.5.0', field: 'memTotalKb', type: 'integer' },
    { oid: '1.3.6.1.4.1.2021.4.6.0', field: 'memAvailKb', type: 'integer' },
    { oid: ss(50), field: 'cpuTicksUser', type: 'counter32' },
    { oid: ss(51), field: 'cpuTicksNice', type: 'counter32' },
    { oid: ss(52), field: 'cpuTicksSystem', type: 'counter32' },
    { oid: ss(53), field: 'cpuTicksIdle', type: 'counter32' },
    { oid: ss(54), field: 'cpuTicksWait', type: 'counter32' },
    { oid: ss(55), field: 'cpuTicksKernel', type: 'counter32' },
    { oid: ss(56), field: 'cpuTicksInterrupt', type: 'counter32' },
    { oid: ss(61), field: 'cpuTicksSoftIrq', type: 'counter32' },
    { oid: ss(64), field: 'cpuTicksSteal', type: 'counter32' },
  ],
  walk: [],
};
