// Vendor example, data only: Cisco IOS routers have no HOST-RESOURCES; CISCO-PROCESS-MIB's
// cpmCPUTotal1minRev is the busy percentage of each CPU over the last minute.
import type { PollModule } from './types';

export const ciscoProcessModule: PollModule = {
  name: 'cisco-process',
  description: 'CISCO-PROCESS-MIB cpmCPUTotal1minRev (CPU busy %, 1 min)',
  get: [],
  walk: [
    {
      table: 'cpmCPUTotal',
      index: 'integer',
      columns: [{ oid: '1.3.6.1.4.1.9.9.109.1.1.1.1.7', field: 'processorLoadPercent', type: 'gauge' }],
    },
  ],
};
