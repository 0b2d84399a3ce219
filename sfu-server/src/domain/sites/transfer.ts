// Import and export of the site tree as JSON and CSV. Sites are matched by code.
// An import is validated as a whole first and then applied in one transaction, so
// a file with a bad row changes nothing and every bad row is reported by its line.

import { createParser } from '@lienthong/kit';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import type { ImportProblem } from '../../protocol/errors';
import { type ImportReply, SITE_CSV_COLUMNS, SiteRow, type SiteTreeFile } from '../../protocol/sites';
import { isAdmin } from '../permissions';
import { type Actor, type Clock, fail, iso, newId } from '../shared';
import { inertCell, restoreCell } from '../spreadsheet';
import type { SiteService } from './service';
import type { SiteRecord, SiteStore } from './store';
import { SiteTree } from './tree';

const rowParser = createParser(SiteRow);

export interface NumberedRow {
  line: number;
  value: unknown;
}

export class SiteTransfer {
  constructor(
    private readonly sites: SiteService,
    private readonly store: SiteStore,
    private readonly clock: Clock,
  ) {}

  rows(): SiteRow[] {
    const tree = this.sites.tree();
    return tree.ordered().map((s) => ({
      code: s.code,
      name: s.name,
      kind: s.kind,
      parentCode: s.parentId === null ? null : (tree.get(s.parentId)?.code ?? null),
    }));
  }

  exportJson(): SiteTreeFile & { sites: SiteRow[] } {
    return { format: 'lienthong-sites', version: 1, sites: this.rows() };
  }

  /** UTF-8 with a BOM so spreadsheet programs keep the Vietnamese diacritics; no cell runs as a formula. */
  exportCsv(): string {
    return stringifyCsv(
      this.rows().map((r) => ({
        code: inertCell(r.code),
        name: inertCell(r.name),
        kind: r.kind,
        parentCode: inertCell(r.parentCode ?? ''),
      })),
      { header: true, columns: [...SITE_CSV_COLUMNS], bom: true },
    );
  }

  importJson(actor: Actor, file: SiteTreeFile): ImportReply {
    return this.importRows(
      actor,
      file.sites.map((value, i) => ({ line: i + 1, value })),
    );
  }

  importCsv(actor: Actor, text: string): ImportReply {
    this.requireAdmin(actor);
    let records: { record: Record<string, string>; info: { lines: number } }[];
    try {
      records = parseCsv(text, { bom: true, columns: true, skip_empty_lines: true, trim: true, info: true, relax_column_count: false });
    } catch (e) {
      const line = Number((e as { lines?: number }).lines ?? 0);
      const problems: ImportProblem[] = [{ line, message: (e as Error).message }];
      fail('IMPORT_FAILED', `CSV could not be read (line ${line})`, { problems });
    }
    const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
    const cols = header.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    const missing = SITE_CSV_COLUMNS.filter((c) => !cols.includes(c));
    const extra = cols.filter((c) => !(SITE_CSV_COLUMNS as readonly string[]).includes(c));
    if (missing.length || extra.length) {
      const message = `header must be ${SITE_CSV_COLUMNS.join(',')}${missing.length ? `; missing ${missing.join(',')}` : ''}${extra.length ? `; unknown ${extra.join(',')}` : ''}`;
      fail('IMPORT_FAILED', `CSV header is wrong: ${message}`, { problems: [{ line: 1, message }] });
    }
    return this.importRows(
      actor,
      records.map(({ record, info }) => ({
        line: info.lines,
        value: csvRecordRow(record),
      })),
    );
  }

  importRows(actor: Actor, input: readonly NumberedRow[]): ImportReply {
    this.requireAdmin(actor);
    const { rows, problems } = parseRows(input);
    const tree = this.sites.tree();
    problems.push(...treeProblems(tree, rows));
    if (input.length === 0) problems.push({ line: 0, message: 'the file has no sites' });
    if (problems.length) {
      problems.sort((a, b) => a.line - b.line);
      const first = problems[0]!;
      fail('IMPORT_FAILED', `Nothing imported: ${problems.length} bad row(s), first on line ${first.line}: ${first.message}`, { problems });
    }
    let counts: { created: number; updated: number; unchanged: number };
    try {
      counts = this.store.transaction(() => {
        const done = this.apply(
          actor,
          tree,
          rows.map((r) => r.row),
        );
        // Moves that would strand a media server roll the whole import back.
        this.sites.checkTree(new SiteTree(this.store.listSites()));
        return done;
      });
    } finally {
      this.sites.invalidate();
    }
    return { ok: true, ...counts };
  }

  /** Writes checked rows: new sites parent-first (foreign keys hold at every insert), then changes. */
  private apply(actor: Actor, tree: SiteTree, rows: SiteRow[]): { created: number; updated: number; unchanged: number } {
    const now = iso(this.clock.now());
    const counts = { created: 0, updated: 0, unchanged: 0 };
    const idOf = new Map<string, string>(tree.all().map((s) => [s.code, s.id]));
    const fresh = new Map(rows.filter((row) => !tree.getByCode(row.code)).map((row) => [row.code, row]));
    for (const code of fresh.keys()) idOf.set(code, newId());
    const inserted = new Set<string>();
    const insert = (row: SiteRow) => {
      if (inserted.has(row.code)) return;
      const parent = row.parentCode === null ? undefined : fresh.get(row.parentCode);
      if (parent) insert(parent);
      inserted.add(row.code);
      const parentId = row.parentCode === null ? null : idOf.get(row.parentCode)!;
      const rec: SiteRecord = {
        id: idOf.get(row.code)!,
        code: row.code,
        name: row.name,
        kind: row.kind,
        parentId,
        demo: false,
        createdAt: now,
        updatedAt: now,
      };
      this.store.insertSite(rec);
      counts.created++;
    };
    for (const row of fresh.values()) insert(row);
    for (const row of rows) {
      const cur = tree.getByCode(row.code);
      if (!cur) continue;
      const parentId = row.parentCode === null ? null : idOf.get(row.parentCode)!;
      if (cur.name === row.name && cur.kind === row.kind && cur.parentId === parentId) {
        counts.unchanged++;
        continue;
      }
      this.store.updateSite({ ...cur, name: row.name, kind: row.kind, parentId, updatedAt: now });
      if (cur.parentId !== parentId)
        this.store.insertSiteMove({ siteId: cur.id, fromParentId: cur.parentId, toParentId: parentId, movedAt: now, movedBy: actor.sub });
      counts.updated++;
    }
    return counts;
  }

  private requireAdmin(actor: Actor): void {
    if (!isAdmin(actor)) fail('FORBIDDEN', 'Only an administrator may import the site tree');
  }
}

/** Each row valid on its own, and each code once in the file. */
function parseRows(input: readonly NumberedRow[]): { rows: { line: number; row: SiteRow }[]; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const rows: { line: number; row: SiteRow }[] = [];
  const seenCodes = new Map<string, number>();
  for (const { line, value } of input) {
    const r = rowParser.parse(value);
    if (!r.ok) {
      problems.push({ line, message: r.problems.join('; ') });
      continue;
    }
    const row = { ...r.value, name: r.value.name.trim() };
    const first = seenCodes.get(row.code);
    if (first !== undefined) {
      problems.push({ line, message: `code ${row.code} already appears on line ${first}` });
      continue;
    }
    seenCodes.set(row.code, line);
    rows.push({ line, row });
  }
  return { rows, problems };
}

/** The tree as it would be after the import: every parent known, no site its own ancestor. */
function treeProblems(tree: SiteTree, rows: { line: number; row: SiteRow }[]): ImportProblem[] {
  const problems: ImportProblem[] = [];
  const parentOf = new Map<string, string | null>();
  for (const s of tree.all()) parentOf.set(s.code, s.parentId === null ? null : (tree.get(s.parentId)?.code ?? null));
  for (const { row } of rows) parentOf.set(row.code, row.parentCode);
  for (const { line, row } of rows) {
    if (row.parentCode !== null && !parentOf.has(row.parentCode)) {
      problems.push({ line, message: `parent ${row.parentCode} is neither in the file nor an existing site` });
      continue;
    }
    const seen = new Set<string>([row.code]);
    for (let p = row.parentCode; p !== null && p !== undefined; p = parentOf.get(p) ?? null) {
      if (seen.has(p)) {
        problems.push({ line, message: `site ${row.code} would be its own ancestor` });
        break;
      }
      seen.add(p);
    }
  }
  return problems;
}

/** A CSV record as a row to check: the exporter's formula guards taken off, an empty parent as none. */
function csvRecordRow(record: Record<string, string>): Record<string, string | null> {
  const row: Record<string, string | null> = Object.fromEntries(Object.entries(record).map(([k, v]) => [k, restoreCell(v)]));
  if (row.parentCode === '') row.parentCode = null;
  return row;
}
