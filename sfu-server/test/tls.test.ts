// kit/src/tls: the internal CA and server certificates, configured files, and renewal without restart.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import {
  certProblem,
  ensureCa,
  ensureServerCert,
  httpsServerFactory,
  machineNames,
  prepareTls,
  readKeyPair,
  watchKeyPair,
} from '@lienthong/kit/tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lt-tls-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (f: string) => statSync(f).mode & 0o777;
const settings = (extra: Partial<{ certFile: string; keyFile: string; names: string[] }> = {}) => ({
  certFile: '',
  keyFile: '',
  caDir: join(dir, 'ca'),
  names: [],
  ...extra,
});

/** The certificate a TLS client is shown at 127.0.0.1:port. */
function servedCert(port: number): Promise<X509Certificate> {
  return new Promise((done, fail) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const raw = s.getPeerX509Certificate();
      s.end();
      raw ? done(raw) : fail(new Error('no certificate'));
    });
    s.on('error', fail);
  });
}

describe('internal CA', () => {
  it('issues a certificate for every address of the machine, verified by the CA, with private files', async () => {
    const tls = await prepareTls(settings({ names: ['meet.tinh.gov.vn', '10.99.0.7'] }), {
      dataDir: join(dir, 'data'),
      extraNames: ['203.0.113.9'],
    });
    expect(tls.caFile).toBe(join(dir, 'ca', 'ca.pem'));
    expect(tls.issued).toBe('no certificate yet');
    const cert = new X509Certificate(readFileSync(tls.certFile));
    const ca = new X509Certificate(readFileSync(tls.caFile as string));
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    for (const ip of ['127.0.0.1', '::1', '203.0.113.9', '10.99.0.7']) expect(cert.checkIP(ip), ip).toBe(ip);
    for (const a of Object.values(networkInterfaces()).flat()) if (a) expect(cert.checkIP(a.address), a.address).toBe(a.address);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkHost('meet.tinh.gov.vn')).toBe('meet.tinh.gov.vn');
    expect(cert.checkIP('192.0.2.200')).toBeUndefined();
    expect(cert.checkHost('evil.example')).toBeUndefined();
    expect(mode(join(dir, 'ca'))).toBe(0o700);
    expect(mode(join(dir, 'ca', 'ca-key.pem'))).toBe(0o600);
    expect(mode(join(dir, 'ca', 'ca.pem'))).toBe(0o644);
    expect(mode(tls.keyFile)).toBe(0o600);
    expect(mode(tls.certFile)).toBe(0o644);
    expect(mode(join(dir, 'data', 'tls'))).toBe(0o700);
  });

  it('reuses the CA and the certificate on the next start, and re-issues when a name is missing', async () => {
    const first = await prepareTls(settings(), { dataDir: join(dir, 'data') });
    const caPem = readFileSync(first.caFile as string, 'utf8');
    const certPem = readFileSync(first.certFile, 'utf8');
    const again = await prepareTls(settings(), { dataDir: join(dir, 'data') });
    expect(again.issued).toBeUndefined();
    expect(readFileSync(again.certFile, 'utf8')).toBe(certPem);
    const moreNames = await prepareTls(settings({ names: ['198.51.100.4'] }), { dataDir: join(dir, 'data') });
    expect(moreNames.issued).toBe('lacks 198.51.100.4');
    expect(readFileSync(moreNames.caFile as string, 'utf8')).toBe(caPem); // same CA: PCs keep trusting it
    expect(new X509Certificate(readFileSync(moreNames.certFile)).checkIP('198.51.100.4')).toBe('198.51.100.4');
  });

  it('finds a certificate near its end, or from another CA, unusable', async () => {
    const names = machineNames();
    const s = await ensureServerCert({ caDir: join(dir, 'ca'), dir: join(dir, 's'), names });
    const pem = readFileSync(s.certFile, 'utf8');
    const caPem = readFileSync(s.caFile, 'utf8');
    expect(certProblem(pem, caPem, names)).toBeUndefined();
    expect(certProblem(pem, caPem, names, Date.now() + 380 * 86_400_000)).toMatch(/^expires /);
    const other = await ensureCa(join(dir, 'other-ca'));
    expect(certProblem(pem, other.certPem, names)).toBe('not issued by the current CA');
  });

  it('makes one CA when two services start at once on one machine', async () => {
    const [a, b] = await Promise.all([
      ensureServerCert({ caDir: join(dir, 'ca'), dir: join(dir, 'a'), names: machineNames() }),
      ensureServerCert({ caDir: join(dir, 'ca'), dir: join(dir, 'b'), names: machineNames() }),
    ]);
    const ca = new X509Certificate(readFileSync(a.caFile));
    expect(new X509Certificate(readFileSync(a.certFile)).verify(ca.publicKey)).toBe(true);
    expect(new X509Certificate(readFileSync(b.certFile)).verify(ca.publicKey)).toBe(true);
  });
});

describe('configured certificate files', () => {
  it('are served instead of the internal CA, and a replaced pair is served to new connections without restart', async () => {
    const province = await ensureServerCert({ caDir: join(dir, 'province-ca'), dir: join(dir, 'issued'), names: machineNames() });
    const certFile = join(dir, 'server.pem');
    const keyFile = join(dir, 'server.key');
    writeFileSync(certFile, readFileSync(province.certFile));
    writeFileSync(keyFile, readFileSync(province.keyFile));
    const tls = await prepareTls(settings({ certFile, keyFile }), { dataDir: join(dir, 'data') });
    expect(tls.caFile).toBeUndefined();
    const server = httpsServerFactory(tls)((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const changes: (Error | undefined)[] = [];
    const watcher = watchKeyPair(server, tls, { intervalMs: 3_600_000, onChange: (e) => changes.push(e) });
    try {
      const before = await servedCert(port);
      expect(before.fingerprint256).toBe(new X509Certificate(readFileSync(province.certFile)).fingerprint256);
      // The province CA is trusted: a verifying client gets through.
      const body = await new Promise<string>((done, fail) => {
        request({ host: '127.0.0.1', port, ca: readFileSync(province.caFile) }, (res) => {
          res.setEncoding('utf8');
          let b = '';
          res.on('data', (c) => (b += c));
          res.on('end', () => done(b));
        })
          .on('error', fail)
          .end();
      });
      expect(body).toBe('ok');

      // A key that does not match is refused: the old certificate stays.
      const renewed = await ensureServerCert({ caDir: join(dir, 'province-ca'), dir: join(dir, 'renewed'), names: machineNames() });
      writeFileSync(certFile, readFileSync(renewed.certFile));
      await new Promise((r) => setTimeout(r, 20));
      await watcher.check();
      expect(changes.at(-1)).toBeInstanceOf(Error);
      expect((await servedCert(port)).fingerprint256).toBe(before.fingerprint256);

      writeFileSync(keyFile, readFileSync(renewed.keyFile));
      await watcher.check();
      expect(changes.at(-1)).toBeUndefined();
      const after = await servedCert(port);
      expect(after.fingerprint256).toBe(new X509Certificate(readFileSync(renewed.certFile)).fingerprint256);
      expect(after.fingerprint256).not.toBe(before.fingerprint256);
    } finally {
      watcher.stop();
      server.close();
    }
  });

  it('refuses a certificate without its key, or a key that does not match', async () => {
    const s = await ensureServerCert({ caDir: join(dir, 'ca'), dir: join(dir, 's'), names: machineNames() });
    await expect(prepareTls(settings({ certFile: s.certFile }), { dataDir: dir })).rejects.toThrow(/both certFile and keyFile/);
    const other = await ensureServerCert({ caDir: join(dir, 'ca'), dir: join(dir, 'o'), names: machineNames() });
    expect(() => readKeyPair({ certFile: s.certFile, keyFile: other.keyFile })).toThrow();
  });
});
