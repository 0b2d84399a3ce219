// Inventory files (YAML or JSON): one parser for the REST import and the start-up import.
import { AppError } from '@lienthong/kit';
import { parse as parseYaml } from 'yaml';
import { ImportFile } from './protocol/inventory';
import { inventoryParser } from './protocol/parse';

const importParser = inventoryParser(ImportFile);

export function parseInventoryFile(content: string, format: 'json' | 'yaml'): ImportFile {
  let data: unknown;
  try {
    data = format === 'json' ? JSON.parse(content) : parseYaml(content);
  } catch (e) {
    throw new AppError('IMPORT_INVALID', `Not valid ${format}: ${(e as Error).message}`, 400);
  }
  const parsed = importParser.parse(data);
  if (!parsed.ok)
    throw new AppError('IMPORT_INVALID', `Not an inventory file: ${parsed.problems.slice(0, 5).join('; ')}`, 400, {
      problems: parsed.problems,
    });
  return parsed.value;
}
