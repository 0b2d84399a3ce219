// ARCHITECTURE.md names the file that owns every signalling message, REST route, floor rule
// and SNMP rate step. This keeps it true: a new event or route without an owner listed, a
// listed file that no longer exists, or an owner that no longer mentions what it owns fails.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NmsRoutes } from '@lienthong/nms/protocol';
import { ClientRequests, ServerEvents, SfuRoutes } from '@lienthong/sfu-server/protocol';
import { describe, expect, it } from 'vitest';
import { ROOT } from './source-tree';

const doc = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');

/** Rows of the table under a `## heading`, each cell with its backticks removed. */
function table(heading: string): string[][] {
  const section = doc.split(/^## /m).find((s) => s.startsWith(heading));
  if (!section) throw new Error(`ARCHITECTURE.md has no section "## ${heading}"`);
  return section
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l))
    .slice(1)
    .map((l) =>
      l
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim().replace(/`/g, '')),
    );
}

const source = (file: string) => readFileSync(join(ROOT, file), 'utf8');

function checkOwners(rows: string[][], keyCol: number, fileCol: number, mention: (row: string[]) => string) {
  const problems: string[] = [];
  for (const row of rows) {
    const file = row[fileCol] ?? '';
    if (!existsSync(join(ROOT, file))) problems.push(`${row[keyCol]}: ${file} does not exist`);
    else if (!source(file).includes(mention(row))) problems.push(`${row[keyCol]}: ${file} does not mention ${mention(row)}`);
  }
  return problems;
}

describe('ARCHITECTURE.md ownership tables', () => {
  it('lists an owner for every signalling message, and each owner handles or sends it', () => {
    const rows = table('Signalling messages');
    const listed = new Set(rows.map((r) => r[0]));
    const all = [...Object.keys(ClientRequests), ...Object.keys(ServerEvents)];
    expect(all.filter((e) => !listed.has(e))).toEqual([]);
    expect([...listed].filter((e) => !all.includes(e!))).toEqual([]);
    expect(checkOwners(rows, 0, 2, (r) => `'${r[0]}'`)).toEqual([]);
  });

  it('lists an owner for every REST route of both services, and each owner implements it', () => {
    const rows = table('REST routes');
    const listed = new Map(rows.map((r) => [r[0], r]));
    const routes = [...Object.entries(SfuRoutes), ...Object.entries(NmsRoutes)].map(([name, r]) => ({
      name,
      line: `${r.method} ${r.path}`,
    }));
    expect(routes.filter((r) => !listed.has(r.line)).map((r) => r.line)).toEqual([]);
    expect(routes.filter((r) => listed.get(r.line)?.[1] !== r.name).map((r) => `${r.line} is ${r.name}`)).toEqual([]);
    expect(rows.filter((r) => !routes.some((x) => x.line === r[0])).map((r) => r[0])).toEqual([]);
    expect(checkOwners(rows, 0, 2, (r) => `'${r[1]}'`)).toEqual([]);
  });

  it('names the file and symbol of every floor rule and SNMP rate step', () => {
    for (const heading of ['Floor rules', 'SNMP rate steps']) {
      const rows = table(heading);
      expect(rows.length).toBeGreaterThan(3);
      expect(checkOwners(rows, 0, 1, (r) => r[2]!)).toEqual([]);
    }
  });
});
