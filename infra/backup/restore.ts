// npm run restore -- --from DIR [--sfu-config FILE] [--nms-config FILE]
// Puts a backup (npm run backup) back. Refuses while sfu-server or nms answers on its port (stop them
// first: systemctl stop lienthong-sfu-server lienthong-nms). Verifies everything before touching
// anything: every file against the manifest's checksum, every store with PRAGMA integrity_check.
// The files it replaces (with SQLite's -wal/-shm) are moved to <dir>/replaced-<UTC time>/, not deleted.
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { ASIDE_PREFIX, layout, MANIFEST, type Manifest, parseCli, type Root, runningServices, sha256File, stamp } from './stores';

export class RestoreRefused extends Error {}

function readManifest(from: string): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(join(from, MANIFEST), 'utf8')) as Manifest;
  } catch (e) {
    throw new RestoreRefused(`${from} is not a LienThong backup (${MANIFEST}: ${(e as Error).message})`);
  }
  if (m.format !== 'lienthong-backup-1' || !Array.isArray(m.files)) throw new RestoreRefused(`${from}: unknown backup format`);
  return m;
}

function integrity(path: string): string {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const rows = db.pragma('integrity_check') as { integrity_check: string }[];
      return rows.map((r) => r.integrity_check).join('; ');
    } finally {
      db.close();
    }
  } catch (e) {
    return (e as Error).message;
  }
}

/** Every problem of the backup; empty = safe to restore. */
export function verify(from: string, m: Manifest, roots: Root[]): string[] {
  const problems: string[] = [];
  for (const f of m.files) {
    const path = join(from, f.root, f.path);
    if (f.path.split('/').includes('..')) problems.push(`${f.root}/${f.path}: path leaves its folder`);
    else if (!roots.some((r) => r.name === f.root)) problems.push(`${f.root}/${f.path}: no such place in this configuration`);
    else if (!existsSync(path)) problems.push(`${f.root}/${f.path}: missing`);
    else if (sha256File(path) !== f.sha256) problems.push(`${f.root}/${f.path}: checksum differs (damaged or changed)`);
    else if (f.kind === 'sqlite') {
      const r = integrity(path);
      if (r !== 'ok') problems.push(`${f.root}/${f.path}: integrity_check: ${r}`);
    }
  }
  if (!m.files.some((f) => f.kind === 'sqlite')) problems.push('no SQLite store in the backup');
  return problems;
}

export async function restore(from: string, opts: { sfuConfig?: string | undefined; nmsConfig?: string | undefined }): Promise<string[]> {
  const src = resolve(from);
  const { roots, services } = layout(opts);
  const running = await runningServices(services);
  if (running.length > 0)
    throw new RestoreRefused(
      `still running: ${running.join(', ')}. Stop the services first (systemctl stop lienthong-sfu-server lienthong-nms)`,
    );
  const m = readManifest(src);
  const problems = verify(src, m, roots);
  if (problems.length > 0) throw new RestoreRefused(`the backup is not usable, nothing was changed:\n  ${problems.join('\n  ')}`);

  const aside = `${ASIDE_PREFIX}${stamp()}`;
  const asides = new Set<string>();
  for (const f of m.files) {
    const root = roots.find((r) => r.name === f.root)!;
    const target = join(root.dir, f.path);
    mkdirSync(root.dir, { recursive: true, mode: 0o700 });
    // Run as root for a service user: the restored files belong to whoever owns the folder.
    const owner = statSync(root.dir);
    const own = (p: string) => process.getuid?.() === 0 && chownSync(p, owner.uid, owner.gid);
    // The live file and SQLite's side files: an old -wal next to a restored store would be replayed into it.
    for (const side of f.kind === 'sqlite' ? ['', '-wal', '-shm', '-journal'] : ['']) {
      if (!existsSync(target + side)) continue;
      const to = join(root.dir, aside, f.path + side);
      mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
      renameSync(target + side, to);
      asides.add(join(root.dir, aside));
    }
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    own(dirname(target));
    copyFileSync(join(src, f.root, f.path), target);
    // The original mode, never writable by others.
    chmodSync(target, f.mode & 0o755);
    own(target);
  }
  return [...asides];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const args = parseCli(process.argv.slice(2), { from: { type: 'string' } });
    if (typeof args.from !== 'string') throw new RestoreRefused('say which backup: npm run restore -- --from DIR');
    const asides = await restore(args.from, {
      sfuConfig: args['sfu-config'] as string | undefined,
      nmsConfig: args['nms-config'] as string | undefined,
    });
    console.log(`restored from ${resolve(args.from)}`);
    for (const a of asides) console.log(`the files it replaced are kept in ${a}`);
  } catch (e) {
    console.error(`restore refused: ${(e as Error).message}`);
    process.exit(1);
  }
}
