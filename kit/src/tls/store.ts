// Create-or-load the internal CA (shared by the services of one machine) and this service's server
// certificate. Key material 0600 in 0700 directories; ca.pem is public (IT installs it on the PCs).
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Issued, ServerNames } from './x509';

// Loaded only when a certificate must be issued: the X.509 library costs a quarter second at start.
const x509 = () => import('./x509');

const DAY = 86_400_000;
/** Re-issue a certificate this close to its end. */
export const RENEW_BEFORE_MS = 30 * DAY;

export interface CaFiles {
  dir: string;
  certFile: string;
  keyFile: string;
}

export const caFiles = (caDir: string): CaFiles => ({ dir: caDir, certFile: join(caDir, 'ca.pem'), keyFile: join(caDir, 'ca-key.pem') });

function writeAtomic(file: string, data: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Two services starting together on one machine must not make two CAs: a mkdir lock, stale after 30 s. */
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, '.lock');
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock, { mode: 0o700 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 30_000 || i > 300) rmSync(lock, { recursive: true, force: true });
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The internal CA in caDir, created on first use. */
export async function ensureCa(caDir: string): Promise<Issued & CaFiles> {
  const f = caFiles(caDir);
  mkdirSync(caDir, { recursive: true, mode: 0o700 });
  chmodSync(caDir, 0o700);
  return withLock(caDir, async () => {
    if (!existsSync(f.certFile) || !existsSync(f.keyFile)) {
      const ca = await (await x509()).issueCa('LienThong internal CA');
      writeAtomic(f.keyFile, ca.keyPem, 0o600);
      writeAtomic(f.certFile, ca.certPem, 0o644);
    }
    return { ...f, certPem: readFileSync(f.certFile, 'utf8'), keyPem: readFileSync(f.keyFile, 'utf8') };
  });
}

/** What is wrong with an existing server certificate, or undefined when it can be kept. */
export function certProblem(certPem: string, caPem: string, names: ServerNames, now = Date.now()): string | undefined {
  const cert = new X509Certificate(certPem);
  const ca = new X509Certificate(caPem);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'not issued by the current CA';
  if (Date.parse(cert.validTo) - now < RENEW_BEFORE_MS) return `expires ${cert.validTo}`;
  const missing = [...names.dns.filter((n) => !cert.checkHost(n, { wildcards: false })), ...names.ips.filter((ip) => !cert.checkIP(ip))];
  return missing.length ? `lacks ${missing.join(', ')}` : undefined;
}

export interface ServerCertResult {
  certFile: string;
  keyFile: string;
  caFile: string;
  /** Why a new certificate was issued; undefined when the stored one was reused. */
  issued?: string;
}

/** This service's certificate in `dir` (server.pem 0644, server-key.pem 0600), issued or renewed as needed. */
export async function ensureServerCert(opts: { caDir: string; dir: string; names: ServerNames }): Promise<ServerCertResult> {
  const ca = await ensureCa(opts.caDir);
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  chmodSync(opts.dir, 0o700);
  const certFile = join(opts.dir, 'server.pem');
  const keyFile = join(opts.dir, 'server-key.pem');
  let issued: string | undefined = 'no certificate yet';
  if (existsSync(certFile) && existsSync(keyFile)) {
    try {
      issued = certProblem(readFileSync(certFile, 'utf8'), ca.certPem, opts.names);
    } catch (e) {
      issued = `unreadable (${(e as Error).message})`;
    }
  }
  if (issued) {
    const s = await (await x509()).issueServerCert(ca, opts.names);
    writeAtomic(keyFile, s.keyPem, 0o600);
    writeAtomic(certFile, s.certPem, 0o644);
  }
  return { certFile, keyFile, caFile: ca.certFile, ...(issued ? { issued } : {}) };
}

/** A client certificate for `commonName` in `dir` (client.pem 0644, client-key.pem 0600), issued when absent, from another CA or near its end. */
export async function ensureClientCert(opts: { caDir: string; dir: string; commonName: string }): Promise<ServerCertResult> {
  const ca = await ensureCa(opts.caDir);
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  chmodSync(opts.dir, 0o700);
  const certFile = join(opts.dir, 'client.pem');
  const keyFile = join(opts.dir, 'client-key.pem');
  let issued: string | undefined = 'no certificate yet';
  if (existsSync(certFile) && existsSync(keyFile)) {
    try {
      issued = certProblem(readFileSync(certFile, 'utf8'), ca.certPem, { dns: [], ips: [] });
      if (!issued && !new X509Certificate(readFileSync(certFile, 'utf8')).subject.split('\n').includes(`CN=${opts.commonName}`))
        issued = 'names another peer';
    } catch (e) {
      issued = `unreadable (${(e as Error).message})`;
    }
  }
  if (issued) {
    const c = await (await x509()).issueClientCert(ca, opts.commonName);
    writeAtomic(keyFile, c.keyPem, 0o600);
    writeAtomic(certFile, c.certPem, 0o644);
  }
  return { certFile, keyFile, caFile: ca.certFile, ...(issued ? { issued } : {}) };
}
