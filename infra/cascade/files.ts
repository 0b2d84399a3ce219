// The file side of `npm run cascade`: files written only when their content changes (a second run
// changes nothing, and keeps owners set by hand), secrets 0600, passwords kept unless rotated, and
// every nats-server configuration checked by nats-server itself before it replaces the old one.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export class UsageError extends Error {}

/** What one run did to one file, for the report. */
export type Change = { file: string; what: 'written' | 'kept' };

export class Changes {
  readonly list: Change[] = [];
  add(file: string, written: boolean): void {
    this.list.push({ file, what: written ? 'written' : 'kept' });
  }
  get written(): string[] {
    return this.list.filter((c) => c.what === 'written').map((c) => c.file);
  }
}

/** Writes `content` unless the file already holds it; the mode is set either way. True when written. */
export function writeIfChanged(file: string, content: string, mode: number): boolean {
  const same = existsSync(file) && readFileSync(file, 'utf8') === content;
  if (!same) {
    // In place when it exists: its owner (set by hand or by --owner) stays.
    writeFileSync(file, content, { mode });
  }
  chmodSync(file, mode);
  return !same;
}

export function ensureDir(dir: string, mode: number): void {
  mkdirSync(dir, { recursive: true, mode });
  chmodSync(dir, mode);
}

const PASSWORD = /^[A-Za-z0-9_-]{16,}$/;

/** The password kept in `file` (0600), made on first use or when rotating. base64url: safe in a URL and a NATS config. */
export function ensurePassword(file: string, rotate: boolean, changes: Changes): string {
  if (!rotate && existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (!PASSWORD.test(kept)) throw new Error(`${file} holds no usable password (16+ of A-Z a-z 0-9 - _); remove it or run with --rotate`);
    chmodSync(file, 0o600);
    changes.add(file, false);
    return kept;
  }
  const made = randomBytes(24).toString('base64url');
  writeFileSync(`${file}.new`, `${made}\n`, { mode: 0o600 });
  renameSync(`${file}.new`, file);
  changes.add(file, true);
  return made;
}

function natsServerBinary(): string {
  const onPath = spawnSync('nats-server', ['--version'], { stdio: 'ignore' });
  if (!onPath.error) return 'nats-server';
  if (existsSync('/usr/sbin/nats-server')) return '/usr/sbin/nats-server';
  throw new Error('nats-server not found: install it (apt-get install nats-server)');
}

/** nats-server's own check of a configuration (it also reads the certificates and keys it names). */
export function checkNatsConfig(file: string): void {
  const r = spawnSync(natsServerBinary(), ['-t', '-c', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nats-server refuses ${file}: ${(r.stderr || r.stdout).trim()}`);
}

/** Checks `content` in a scratch file, then writes it to `file` if it differs. */
export function writeNatsConfig(file: string, content: string, check: string = content): boolean {
  const scratch = mkdtempSync(join(tmpdir(), 'lt-cascade-check-'));
  try {
    const f = join(scratch, 'nats.conf');
    writeFileSync(f, check, { mode: 0o600 });
    checkNatsConfig(f);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return writeIfChanged(file, content, 0o600);
}

/** Gives `paths` to a local user (the one nats-server runs as); only root can. */
export function chownTo(user: string, paths: string[]): void {
  if (process.getuid?.() !== 0) throw new UsageError(`--owner ${user} needs root (run as root, or leave --owner out)`);
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8', stdio: 'pipe' }).trim());
    gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8', stdio: 'pipe' }).trim());
  } catch {
    throw new UsageError(`--owner ${user}: no such user (the Debian nats-server package creates "nats")`);
  }
  for (const p of paths) chownSync(p, uid, gid);
}

export function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export const writeJson = (file: string, value: unknown): boolean => writeIfChanged(file, `${JSON.stringify(value, null, 2)}\n`, 0o600);

export interface CascadeBlock {
  serverId: string;
  natsUrl: string;
  parent: string;
  children: string[];
  routes: Record<string, string>;
  linkIp: string;
  /** The links' UDP ports, opened between the servers (nftables CASCADE_LINK_PORTS). */
  linkPorts: { min: number; max: number };
}

/** Below the ephemeral range, beside the room systems' RTP ports (30000–30999; PORTS.md). */
export const LINK_PORTS = { min: 31000, max: 31999 };

/** The `cascade:` section of an sfu-server config, with a line saying where it goes. */
export function cascadeYaml(block: CascadeBlock): string {
  return [
    '# The cascade section of /etc/lienthong/sfu-server.yaml (replace the one there; infra/production/INSTALL.md).',
    "# It holds this server's NATS password: keep the file 0600 and sfu-server.yaml root:lienthong 0640.",
    stringify({ cascade: block }, { flowCollectionPadding: false }).trimEnd(),
    '',
  ].join('\n');
}

/** The same text with the password hidden, for the terminal. */
export const hidePassword = (text: string): string => text.replace(/(nats:\/\/[^:\s]+:)[^@\s]+@/g, '$1***@');
