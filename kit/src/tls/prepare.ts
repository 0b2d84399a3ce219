// HTTPS material for a service: configured certificate files, or an internal CA that issues one.
import { join, resolve } from 'node:path';
import { machineNames } from './names';
import { type KeyPair, readKeyPair } from './servers';
import { ensureServerCert } from './store';

/** The `http.tls` config section of both services. */
export interface TlsSettings {
  certFile: string;
  keyFile: string;
  caDir: string;
  names: readonly string[];
}

export interface PreparedTls extends KeyPair {
  /** The internal CA's certificate (absent with configured files). */
  caFile?: string;
  /** Why the internal CA issued a new certificate at this start. */
  issued?: string;
  /** Internal CA: re-issue when a name is missing or the end is near; true when it did. */
  renew?: () => Promise<boolean>;
}

export async function prepareTls(tls: TlsSettings, o: { dataDir: string; extraNames?: readonly string[] }): Promise<PreparedTls> {
  if (tls.certFile || tls.keyFile) {
    if (!tls.certFile || !tls.keyFile) throw new Error('http.tls: set both certFile and keyFile, or neither (internal CA)');
    const files = { certFile: resolve(tls.certFile), keyFile: resolve(tls.keyFile) };
    readKeyPair(files);
    return files;
  }
  const opts = { caDir: resolve(tls.caDir), dir: join(o.dataDir, 'tls'), names: machineNames([...(o.extraNames ?? []), ...tls.names]) };
  const first = await ensureServerCert(opts);
  return {
    certFile: first.certFile,
    keyFile: first.keyFile,
    caFile: first.caFile,
    ...(first.issued ? { issued: first.issued } : {}),
    renew: async () => !!(await ensureServerCert(opts)).issued,
  };
}
