// HOST-RESOURCES-MIB: per-processor load (percent) and the storage table (RAM row for memory).
import type { PollModule } from './types';

export const hostResourcesModule: PollModule = {
  name: 'host-resources',
  description: 'HOST-RESOURCES-MIB hrProcessorLoad and hrStorageTable',
  get: [],
  walk: [
    {
      table: 'hrProcessor',
      index: 'integer',
      columns: [{ oid: '1.3.6.1.2.1.25.3.3.1.2', field: 'processorLoadPercent', type: 'integer' }],
    },
    {
      table: 'storage',
      index: 'integer',
      columns: [
        { oid: '1.3.6.1.2.1.25.2.3.1.2', field: 'storageType', type: 'oid' },
        { oid: '1.3.6.1.2.1.25.2.3.1.5', field: 'storageSize', type: 'integer' },
        { oid: '1.3.6.1.2.1.25.2.3.1.6', field: 'storageUsed', type: 'integer' },
      ],
    },
  ],
};
