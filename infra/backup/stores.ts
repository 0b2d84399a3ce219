// What a backup holds and where it goes back: both services' data directories (SQLite stores, the
// session signing key, the TURN secret, certificates) and the internal CA, read from the same config
// files the services use (--sfu-config / --nms-config, else LIENTHONG_SFU_CONFIG / LIENTHONG_NMS_CONFIG,
// else the embedded defaults, relative to the current directory as for the services).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@lienthong/kit';
import { NmsConfigSchema, nmsDefaults } from '../../nms/src/config/schema';
import { SfuConfigSchema, sfuDefaults } from '../../sfu-server/src/config/schema';

/** A place files are backed up from and restored to, named so a backup restores onto other paths. */
export interface Root {
  name: 'sfu-server' | 'nms' | 'ca' | 'nms-ca';
  dir: string;
}
export interface Service {
  name: 'sfu-server' | 'nms';
  /** host:port pairs where a running service answers (its HTTPS and plain HTTP ports). */
  ports: { host: string; port: number }[];
}
export interface Layout {
  roots: Root[];
  services: Service[];
}

export interface ManifestEntry {
  root: Root['name'];
  /** Relative to the root, with forward slashes. */
  path: string;
  kind: 'sqlite' | 'file';
  mode: number;
  sha256: string;
  bytes: number;
}
export interface Manifest {
  format: 'lienthong-backup-1';
  createdAt: string;
  host: string;
  files: ManifestEntry[];
}
export const MANIFEST = 'manifest.json';

/** Runtime files that are not data: SQLite's side files (the backup API copies a consistent store), logs, pids, locks. */
const SKIP = [/-(wal|shm|journal)$/, /\.(log|pid)$/, /^\.lock$/, /^turnserver\.conf$/, /^turndb/, /\.tmp$/];
/** Folders restore leaves behind (the files it replaced): never backed up again. */
export const ASIDE_PREFIX = 'replaced-';

export function parseCli(argv: string[], extra: Record<string, { type: 'string' | 'boolean' }>) {
  const { values } = parseArgs({
    args: argv,
    options: { 'sfu-config': { type: 'string' }, 'nms-config': { type: 'string' }, ...extra },
    strict: true,
  });
  return values as Record<string, string | boolean | undefined>;
}

// A bind address means "every address": knock on loopback.
const knockHost = (host: string) => (host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host);

type Http = { host: string; port: number; plainPort?: number; tls?: { caDir?: string } };
function servicePorts(http: Http): Service['ports'] {
  const host = knockHost(http.host);
  return [http.port, ...(http.plainPort ? [http.plainPort] : [])].map((port) => ({ host, port }));
}

export function layout(opts: { sfuConfig?: string | undefined; nmsConfig?: string | undefined }): Layout {
  const sfu = loadConfig({ schema: SfuConfigSchema, defaults: sfuDefaults, file: opts.sfuConfig ?? process.env.LIENTHONG_SFU_CONFIG });
  const nms = loadConfig({ schema: NmsConfigSchema, defaults: nmsDefaults, file: opts.nmsConfig ?? process.env.LIENTHONG_NMS_CONFIG });
  const sfuHttp = sfu.http as Http;
  const nmsHttp = nms.http as Http;
  const roots: Root[] = [
    { name: 'sfu-server', dir: resolve(sfu.dataDir) },
    { name: 'nms', dir: resolve(nms.dataDir) },
  ];
  // The internal CA of the services' HTTPS: one per machine, usually shared by both.
  const sfuCa = sfuHttp.tls?.caDir ? resolve(sfuHttp.tls.caDir) : undefined;
  const nmsCa = nmsHttp.tls?.caDir ? resolve(nmsHttp.tls.caDir) : undefined;
  if (sfuCa) roots.push({ name: 'ca', dir: sfuCa });
  if (nmsCa && nmsCa !== sfuCa) roots.push({ name: 'nms-ca', dir: nmsCa });
  return {
    roots,
    services: [
      { name: 'sfu-server', ports: servicePorts(sfuHttp) },
      { name: 'nms', ports: servicePorts(nmsHttp) },
    ],
  };
}

/** Files worth keeping under a root (recursively), relative paths. A missing root has none. */
export function dataFiles(root: Root, others: Root[]): string[] {
  if (!existsSync(root.dir)) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      // Another root inside this one (a caDir under dataDir) is backed up as itself.
      if (others.some((o) => o !== root && o.dir === full)) continue;
      if (e.isDirectory()) {
        if (!e.name.startsWith(ASIDE_PREFIX)) walk(full);
      } else if (e.isFile() && !SKIP.some((re) => re.test(e.name))) {
        out.push(relative(root.dir, full).split('\\').join('/'));
      }
    }
  };
  walk(root.dir);
  return out.sort();
}

export const isSqlite = (path: string) => path.endsWith('.sqlite');

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export const modeOf = (path: string) => statSync(path).mode & 0o777;

/** The services of this layout that answer on one of their ports now. */
export async function runningServices(services: Service[]): Promise<string[]> {
  const answers = (host: string, port: number) =>
    new Promise<boolean>((done) => {
      const s = connect({ host, port });
      s.setTimeout(1000);
      s.once('connect', () => {
        s.destroy();
        done(true);
      });
      s.once('timeout', () => {
        s.destroy();
        done(false);
      });
      s.once('error', () => done(false));
    });
  const running: string[] = [];
  for (const svc of services) {
    for (const p of svc.ports) {
      if (await answers(p.host, p.port)) {
        running.push(`${svc.name} (${p.host}:${p.port})`);
        break;
      }
    }
  }
  return running;
}

export const stamp = (d = new Date()) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
