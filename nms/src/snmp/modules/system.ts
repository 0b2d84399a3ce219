// SNMPv2-MIB system group: who the device is and how long it has been up (reboot detection).
import type { PollModule } from './types';

export const systemModule: PollModule = {
  name: 'system',
  description: 'SNMPv2-MIB system group',
  get: [
    { oid: '1.3.6.1.2.1.1.3.0', field: 'sysUpTime', type: 'timeticks' },
    { oid: '1.3.6.1.2.1.1.5.0', field: 'sysName', type: 'string' },
    { oid: '1.3.6.1.2.1.1.1.0', field: 'sysDescr', type: 'string' },
  ],
  walk: [],
};
