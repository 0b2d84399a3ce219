// Step: the operator's own inventory file. Read and checked at start (a bad file stops nms);
// imported once sites are known, after the demo so it can override names.
import { readFileSync } from 'node:fs';
import type { Logger } from '@lienthong/kit';
import type { Inventory } from '../domain/inventory';
import { parseInventoryFile } from '../inventory-file';
import type { ImportFile } from '../protocol/inventory';

export function readInventoryFile(file: string): ImportFile {
  return parseInventoryFile(readFileSync(file, 'utf8'), /\.json$/i.test(file) ? 'json' : 'yaml');
}

export function importInventoryFile(file: string, content: ImportFile, inventory: Inventory, logger: Logger): void {
  const res = inventory.import(content);
  logger.info({ file, ...res }, 'inventory file imported');
}
