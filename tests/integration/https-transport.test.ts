// HTTPS and WSS by default (issue 11): the plain port redirects a PC on the network to HTTPS and serves
// only this machine's loopback; signalling runs over WSS verified against the internal CA; the session
// cookie is Secure over HTTPS; a configured certificate replaced on disk is served without a restart;
// nms refuses a session key handed to it by a man in the middle with a certificate from another CA.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { ensureServerCert, machineNames, readKeyPair } from '@lienthong/kit/tls';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/browser';
import { createNetns, type TestNetns } from '../support/netns';
import { type NmsProcess, startNms } from '../support/nms-process';
import { login, type SfuProcess, startSfuServer } from '../support/sfu-process';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** An HTTPS request that trusts only `ca`. */
function httpsCall(url: string, ca: Buffer, o: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((done, fail) => {
    const req = request(
      url,
      { method: o.method ?? 'GET', ca, headers: { ...(o.body ? { 'content-type': 'application/json' } : {}), ...o.headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', fail);
    req.end(o.body ? JSON.stringify(o.body) : undefined);
  });
}

/** The certificate served at 127.0.0.1:port (not verified: we compare it). */
function servedCert(port: number): Promise<X509Certificate> {
  return new Promise((done, fail) => {
    const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const c = s.getPeerX509Certificate();
      s.end();
      c ? done(c) : fail(new Error('no certificate'));
    });
    s.on('error', fail);
  });
}

/** A socket.io (websocket only) handshake: 'connected' or the error. */
function handshake(url: string, o: { token: string; ca?: Buffer; origin?: string }): Promise<string> {
  return new Promise((done) => {
    const s = io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      reconnection: false,
      auth: { token: o.token },
      ...(o.ca ? { ca: o.ca.toString() } : {}),
      ...(o.origin ? { extraHeaders: { origin: o.origin } } : {}),
    });
    s.once('connect', () => {
      s.close();
      done('connected');
    });
    s.once('connect_error', (e) => {
      s.close();
      done(`refused: ${e.message}`);
    });
  });
}

const curlInNs = (ns: TestNetns, args: string[]) =>
  execFileSync('ip', ['netns', 'exec', ns.name, 'curl', '-sS', '--max-time', '5', ...args], { encoding: 'utf8', stdio: 'pipe' });

describe('sfu-server over HTTPS with its internal CA', () => {
  let ns: TestNetns;
  let sfu: SfuProcess;
  let ca: Buffer;

  beforeAll(async () => {
    ns = createNetns('https', 91);
    sfu = await startSfuServer({ listenIp: '0.0.0.0', announcedAddress: ns.hostIp });
    ca = readFileSync(sfu.caFile);
  }, 90_000);
  afterAll(async () => {
    await sfu?.stop();
    ns?.remove();
  });

  it('redirects a PC on the network from the plain port to HTTPS, which it can verify with the CA', () => {
    const plain = curlInNs(ns, ['-o', '/dev/null', '-w', '%{http_code} %{redirect_url}', `http://${ns.hostIp}:${sfu.port}/#/login`]);
    expect(plain).toBe(`308 https://${ns.hostIp}:${sfu.httpsPort}/`);
    const deep = curlInNs(ns, ['-o', '/dev/null', '-w', '%{http_code} %{redirect_url}', `http://${ns.hostIp}:${sfu.port}/api/auth/me?x=1`]);
    expect(deep).toBe(`308 https://${ns.hostIp}:${sfu.httpsPort}/api/auth/me?x=1`);
    // Nothing but the redirect: the API is not served in clear to the network.
    const body = curlInNs(ns, ['-w', '%{http_code}', `http://${ns.hostIp}:${sfu.port}/healthz`]);
    expect(body).toBe('308');

    // Following it with the internal CA installed works; without it, curl refuses the certificate.
    const followed = curlInNs(ns, [
      '-L',
      '--cacert',
      sfu.caFile,
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{url_effective}',
      `http://${ns.hostIp}:${sfu.port}/healthz`,
    ]);
    expect(followed).toBe(`200 https://${ns.hostIp}:${sfu.httpsPort}/healthz`);
    expect(() => curlInNs(ns, ['-o', '/dev/null', `https://${ns.hostIp}:${sfu.httpsPort}/healthz`])).toThrow(/certificate/i);
  });

  it('serves this machine on the plain loopback port (browsers treat it as secure), but not on its other addresses', async () => {
    const res = await fetch(`${sfu.url}/`, { redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="app"');
    const viaLan = await fetch(`http://${ns.hostIp}:${sfu.port}/healthz`, { redirect: 'manual' });
    expect(viaLan.status).toBe(308);
    expect(viaLan.headers.get('location')).toBe(`https://${ns.hostIp}:${sfu.httpsPort}/healthz`);
  });

  it('sets the session cookie Secure over HTTPS (and not on the plain loopback port)', async () => {
    const body = { username: 'daibieu.dt', password: 'lienthong123' };
    const overTls = await httpsCall(`${sfu.httpsUrl()}/api/auth/login`, ca, { method: 'POST', body });
    expect(overTls.status).toBe(200);
    expect(String(overTls.headers['set-cookie'])).toMatch(/lt_session=[^;]+;.*HttpOnly.*; Secure/);
    const plain = await fetch(`${sfu.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('set-cookie')).toContain('lt_session=');
    expect(plain.headers.get('set-cookie')).not.toContain('Secure');
  });

  it('runs signalling over WSS verified with the CA, from the page origin of each listener', async () => {
    const token = await login(sfu.url, 'daibieu.dt', 'lienthong123');
    expect(await handshake(sfu.httpsUrl(), { token, ca, origin: sfu.httpsUrl() })).toBe('connected');
    expect(await handshake(sfu.httpsUrl(ns.hostIp), { token, ca, origin: sfu.httpsUrl(ns.hostIp) })).toBe('connected');
    expect(await handshake(sfu.url, { token, origin: sfu.url })).toBe('connected');
    // A page of the plain port is another origin for the HTTPS listener.
    expect(await handshake(sfu.httpsUrl(), { token, ca, origin: sfu.url })).toMatch(/^refused/);
    // Without the CA the client does not trust the server.
    expect(await handshake(sfu.httpsUrl(), { token })).toMatch(/^refused/);
  });

  it('keeps its CA and certificate across a restart', async () => {
    const before = (await servedCert(sfu.httpsPort)).fingerprint256;
    await sfu.restart();
    expect((await servedCert(sfu.httpsPort)).fingerprint256).toBe(before);
    expect(readFileSync(sfu.caFile).equals(ca)).toBe(true);
  }, 60_000);
});

describe('a configured certificate (the province CA)', () => {
  let dir: string;
  let sfu: SfuProcess;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lt-province-'));
  });
  afterAll(async () => {
    await sfu?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is served instead of the internal CA, and a renewed one is served without a restart (SIGHUP)', async () => {
    const caDir = join(dir, 'province-ca');
    const first = await ensureServerCert({ caDir, dir: join(dir, 'first'), names: machineNames() });
    const certFile = join(dir, 'lienthong.pem');
    const keyFile = join(dir, 'lienthong.key');
    copyFileSync(first.certFile, certFile);
    copyFileSync(first.keyFile, keyFile);
    sfu = await startSfuServer({ tlsFiles: { certFile, keyFile, caFile: first.caFile } });
    const provinceCa = readFileSync(first.caFile);
    expect((await servedCert(sfu.httpsPort)).fingerprint256).toBe(new X509Certificate(readFileSync(first.certFile)).fingerprint256);
    expect((await httpsCall(`${sfu.httpsUrl()}/healthz`, provinceCa)).status).toBe(200);
    const pid = sfu.child.pid;

    const renewed = await ensureServerCert({ caDir, dir: join(dir, 'renewed'), names: machineNames() });
    copyFileSync(renewed.keyFile, keyFile);
    copyFileSync(renewed.certFile, certFile);
    sfu.child.kill('SIGHUP');
    const want = new X509Certificate(readFileSync(renewed.certFile)).fingerprint256;
    await waitFor(
      async () => (await servedCert(sfu.httpsPort)).fingerprint256,
      (f) => f === want,
      10_000,
      'the renewed certificate',
    );
    expect(sfu.child.pid).toBe(pid);
    expect(sfu.child.exitCode).toBeNull();
    expect((await httpsCall(`${sfu.httpsUrl()}/healthz`, provinceCa)).status).toBe(200);
  }, 60_000);
});

describe('nms fetching the session key over HTTPS', () => {
  let sfu: SfuProcess;
  let mitm: Server;
  let dir: string;
  const nmsList: NmsProcess[] = [];
  let forged: string;
  let mitmCaFile: string;
  let mitmUrl: string;

  beforeAll(async () => {
    sfu = await startSfuServer();
    dir = mkdtempSync(join(tmpdir(), 'lt-mitm-'));
    // The attacker: a certificate for 127.0.0.1 from ANOTHER CA, handing out its own key.
    const cert = await ensureServerCert({ caDir: join(dir, 'attacker-ca'), dir: join(dir, 'attacker'), names: machineNames() });
    mitmCaFile = cert.caFile;
    const keys = await generateKeyPair('EdDSA', { extractable: true });
    const pem = await exportSPKI(keys.publicKey);
    mitm = createServer(readKeyPair(cert), (req, res) => {
      if (req.url?.startsWith('/api/auth/public-key')) res.writeHead(200, { 'content-type': 'text/plain' }).end(pem);
      else if (req.url?.startsWith('/api/auth/revocations'))
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ now: new Date().toISOString(), revoked: [] }));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => mitm.listen(0, '127.0.0.1', r));
    mitmUrl = `https://127.0.0.1:${(mitm.address() as AddressInfo).port}`;
    // The same claims as a real session of the network engineer, signed with the attacker's key.
    const real = await login(sfu.url, 'mang.tinh', 'lienthong123');
    const claims = JSON.parse(Buffer.from(real.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    const { iss, aud, sub, exp, iat: _iat, ...rest } = claims;
    forged = await new SignJWT(rest)
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer(String(iss))
      .setAudience(aud as string)
      .setSubject(String(sub))
      .setExpirationTime(Number(exp))
      .sign(keys.privateKey);
  }, 90_000);
  afterAll(async () => {
    for (const n of nmsList) await n.stop();
    await new Promise((r) => mitm?.close(r));
    await sfu?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const nmsAt = async (publicKeyUrl: string, authCaFile: string) => {
    const n = await startNms({ publicKeyUrl, authCaFile, demo: false });
    nmsList.push(n);
    return n;
  };
  const sitesWith = async (n: NmsProcess, token: string) =>
    (await fetch(`${n.url}/api/nms/sites`, { headers: { authorization: `Bearer ${token}` } })).status;
  type Health = { checks: Record<string, { ok: boolean; reason?: string }> };
  const authCheck = async (n: NmsProcess) => ((await (await fetch(`${n.url}/healthz`)).json()) as Health).checks.auth;

  it("refuses a key from a server whose certificate is not from sfu-server's CA, and the attacker's tokens", async () => {
    const victim = await nmsAt(`${mitmUrl}/api/auth/public-key`, sfu.caFile);
    const check = await waitFor(
      () => authCheck(victim),
      (c) => !!c && !c.ok && /UNTRUSTED/.test(c.reason ?? ''),
      15_000,
      'auth check',
    );
    expect(check?.reason).toMatch(/^AUTH_KEY_UNTRUSTED: .*certificate/);
    expect(await sitesWith(victim, forged)).toBe(503);
    // Still refused a while later: it keeps retrying and keeps refusing.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await sitesWith(victim, forged)).not.toBe(200);

    // Control: trusting the attacker's CA, the very same setup takes the key and the forged token.
    const fooled = await nmsAt(`${mitmUrl}/api/auth/public-key`, mitmCaFile);
    await waitFor(
      () => sitesWith(fooled, forged),
      (s) => s === 200,
      15_000,
      'the control nms accepting the forged token',
    );
  });

  it("sfu-server's /api/nms proxy does not talk to an nms whose certificate is from another CA", async () => {
    const proxied = await startSfuServer({ nmsUrl: mitmUrl });
    try {
      const token = await login(proxied.url, 'mang.tinh', 'lienthong123');
      const res = await fetch(`${proxied.url}/api/nms/sites`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(502);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('NMS_UNAVAILABLE');
      expect(body.error.message).toMatch(/certificate|issuer/i);
    } finally {
      await proxied.stop();
    }
  });

  it("takes the real key from sfu-server's HTTPS, verified with the internal CA", async () => {
    const n = await nmsAt(`${sfu.httpsUrl()}/api/auth/public-key`, sfu.caFile);
    const token = await login(sfu.url, 'mang.tinh', 'lienthong123');
    await waitFor(
      () => sitesWith(n, token),
      (s) => s === 200,
      15_000,
      'nms accepting a real session',
    );
    expect(await sitesWith(n, forged)).toBe(401);
    expect((await authCheck(n))?.ok).toBe(true);
  });
});
