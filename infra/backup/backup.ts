// npm run backup -- [--out DIR] [--sfu-config FILE] [--nms-config FILE]
// Online: the services keep running. Each SQLite store is copied with SQLite's backup API (a
// consistent snapshot while writes go on), the other data files (signing key, TURN secret, CA and
// certificates) as they are; a manifest with checksums lets restore verify the copy. Written to
// DIR/lienthong-backup-<UTC time>/ (0700, files 0600).
import { chmodSync, copyFileSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { dataFiles, isSqlite, layout, MANIFEST, type Manifest, type ManifestEntry, modeOf, parseCli, sha256File, stamp } from './stores';

async function sqliteSnapshot(from: string, to: string): Promise<void> {
  const db = new Database(from, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // All pages in one step: a step holds a read transaction, so writers (WAL) are not blocked and the copy is consistent.
    await db.backup(to, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
  const copy = new Database(to);
  try {
    // A stand-alone file: no WAL to carry along.
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

export async function backup(outDir: string, opts: { sfuConfig?: string | undefined; nmsConfig?: string | undefined }): Promise<string> {
  const { roots } = layout(opts);
  mkdirSync(outDir, { recursive: true });
  const final = join(resolve(outDir), `lienthong-backup-${stamp()}`);
  // Built under a temporary name: a half-written backup is never mistaken for one.
  const work = `${final}.partial`;
  mkdirSync(work, { mode: 0o700 });
  const files: ManifestEntry[] = [];
  for (const root of roots) {
    for (const rel of dataFiles(root, roots)) {
      const from = join(root.dir, rel);
      const to = join(work, root.name, rel);
      mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
      const kind = isSqlite(rel) ? 'sqlite' : 'file';
      if (kind === 'sqlite') await sqliteSnapshot(from, to);
      else copyFileSync(from, to);
      chmodSync(to, 0o600);
      files.push({ root: root.name, path: rel, kind, mode: modeOf(from), sha256: sha256File(to), bytes: statSync(to).size });
    }
  }
  if (!files.some((f) => f.kind === 'sqlite')) throw new Error(`no SQLite store found under ${roots.map((r) => r.dir).join(', ')}`);
  const manifest: Manifest = { format: 'lienthong-backup-1', createdAt: new Date().toISOString(), host: hostname(), files };
  writeFileSync(join(work, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  renameSync(work, final);
  return final;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const args = parseCli(process.argv.slice(2), { out: { type: 'string' } });
    const out = (args.out as string | undefined) ?? 'var/backups';
    const dir = await backup(out, {
      sfuConfig: args['sfu-config'] as string | undefined,
      nmsConfig: args['nms-config'] as string | undefined,
    });
    console.log(`backup written: ${dir}`);
  } catch (e) {
    console.error(`backup failed: ${(e as Error).message}`);
    process.exit(1);
  }
}
