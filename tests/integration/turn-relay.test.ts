// The TURN credentials sfu-server issues, checked by coturn itself (the coturn sfu-server
// supervises, config from turn/coturn-config.ts, TLS with the internal CA's certificate):
// an allocation with an issued credential relays over UDP, TCP and (Chromium, CA installed) TLS; a tampered or expired
// one is refused; the relay reaches the SFU's address and nothing else; a killed coturn comes back.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HealthRegistry } from '@lienthong/kit';
import { ensureServerCert } from '@lienthong/kit/tls';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sfuDefaults } from '../../sfu-server/src/config/schema';
import { turnCredential } from '../../sfu-server/src/domain/turn/credentials';
import { TURN_SECRET_FILE } from '../../sfu-server/src/turn/secret';
import { startTurn, type TurnService } from '../../sfu-server/src/turn/turn-service';
import { launchChromium, waitFor } from '../support/browser';
import { freePort } from '../support/ports';

const run = promisify(execFile);

/** turnutils_uclient: allocate, send 2 messages through the relay; its output and exit code. */
async function uclient(args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout, stderr } = await run('turnutils_uclient', ['-n', '2', '-c', ...args], { timeout: 30_000 });
    return { ok: true, out: stdout + stderr };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    return { ok: false, out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}

describe('TURN relay with issued credentials (real coturn)', () => {
  let dir: string;
  let turn: TurnService;
  let port: number;
  let tlsPort: number;
  let secret: string;
  let caFile: string;
  const health = new HealthRegistry();
  const cred = (ttl = 600, now = Date.now()) => turnCredential(secret, 'user-1', now, ttl);
  const turnHealth = async () => (await health.report()).checks.turn;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lt-turn-'));
    port = await freePort();
    tlsPort = await freePort();
    const tls = await ensureServerCert({
      caDir: join(dir, 'ca'),
      dir: join(dir, 'tls'),
      names: { dns: ['localhost'], ips: ['127.0.0.1'] },
    });
    turn = startTurn(
      { ...sfuDefaults.turn, port, tlsPort, minRelayPort: 40100, maxRelayPort: 40199 },
      { dataDir: dir, announcedAddress: '127.0.0.1', tls, logger: pino({ level: 'silent' }), health },
    );
    secret = readFileSync(join(dir, TURN_SECRET_FILE), 'utf8');
    caFile = tls.caFile;
    await waitFor(turnHealth, (c) => c?.ok === true, 15_000, 'coturn listening');
  }, 30_000);

  afterAll(async () => {
    await turn?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // TURN over TLS is checked with Chromium below: turnutils_uclient 4.6.1 stalls in SSL_connect against
  // coturn about four times in five (openssl s_client handshakes every time).
  it('hands out one credential that coturn accepts over UDP and TCP, and a TLS URL', async () => {
    const [server] = turn.iceServers('user-1').iceServers;
    expect(server!.urls).toEqual([
      `turn:127.0.0.1:${port}?transport=udp`,
      `turn:127.0.0.1:${port}?transport=tcp`,
      `turns:127.0.0.1:${tlsPort}?transport=tcp`,
    ]);
    const auth = ['-u', server!.username, '-w', server!.credential];
    for (const [what, extra] of [
      ['udp', ['-p', String(port)]],
      ['tcp', ['-t', '-p', String(port)]],
    ] as const) {
      // -y: two clients relay to each other (both relays are on the allowed SFU address).
      const r = await uclient(['-y', ...extra, ...auth, '127.0.0.1']);
      expect(r.ok, `${what}: ${r.out.slice(-400)}`).toBe(true);
      expect(r.out, what).toMatch(/tot_recv_msgs=4/);
      expect(r.out, what).toMatch(/Total lost packets 0 /);
    }
  });

  it('refuses a tampered credential, one for another user, and an expired one', async () => {
    const good = cred();
    const tampered = {
      ...good,
      credential: `A${good.credential.slice(1)}` === good.credential ? `B${good.credential.slice(1)}` : `A${good.credential.slice(1)}`,
    };
    const otherUser = { ...good, username: good.username.replace(':user-1', ':user-2') };
    const expired = cred(600, Date.now() - 601_000);
    for (const [what, c] of [
      ['tampered', tampered],
      ['other user', otherUser],
      ['expired', expired],
    ] as const) {
      const r = await uclient(['-y', '-p', String(port), '-u', c.username, '-w', c.credential, '127.0.0.1']);
      expect(r.ok, what).toBe(false);
      expect(r.out, what).toMatch(/Cannot complete Allocation/);
    }
    // The same request with the good credential works: the refusals are about the credential.
    const ok = await uclient(['-y', '-p', String(port), '-u', good.username, '-w', good.credential, '127.0.0.1']);
    expect(ok.ok, ok.out.slice(-400)).toBe(true);
  });

  /** Relay candidates Chromium gathers from our TURN/TLS port, and the ICE errors it reports (within 8 s). */
  async function gatherTls(browser: Browser, username: string, credential: string) {
    const page = await browser.newPage();
    try {
      return await page.evaluate(
        async ({ url, username, credential }) => {
          const pc = new RTCPeerConnection({ iceServers: [{ urls: [url], username, credential }], iceTransportPolicy: 'relay' });
          const relays: string[] = [];
          const errors: number[] = [];
          pc.onicecandidate = (e) => {
            if (e.candidate?.type === 'relay') relays.push(e.candidate.candidate);
          };
          pc.onicecandidateerror = (e) => errors.push((e as RTCPeerConnectionIceErrorEvent).errorCode);
          pc.createDataChannel('probe');
          await pc.setLocalDescription(await pc.createOffer());
          for (let i = 0; i < 80 && relays.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
          pc.close();
          return { relays, errors };
        },
        { url: `turns:127.0.0.1:${tlsPort}?transport=tcp`, username, credential },
      );
    } finally {
      await page.close();
    }
  }

  it('gives Chromium a relay over TLS with an issued credential when the CA is installed; none with a tampered credential or without the CA', async () => {
    const good = cred();
    const trusting = await launchChromium({ caFile });
    try {
      const ok = await gatherTls(trusting, good.username, good.credential);
      expect(ok.relays.length, JSON.stringify(ok)).toBeGreaterThan(0);
      const bad = await gatherTls(trusting, good.username, `x${good.credential}`);
      expect(bad.relays).toEqual([]);
      expect(bad.errors).toContain(401);
    } finally {
      await trusting.close();
    }
    // Chromium checks the TURN server's certificate like a web page's (NSS on Linux): without the
    // internal CA installed, the same credential gets no relay (701: the TLS connection failed).
    const plain = await launchChromium();
    try {
      const refused = await gatherTls(plain, good.username, good.credential);
      expect(refused.relays).toEqual([]);
      expect(refused.errors).toContain(701);
    } finally {
      await plain.close();
    }
  });

  it('relays to the SFU address only: any other peer is Forbidden', async () => {
    const c = cred();
    const r = await uclient(['-p', String(port), '-u', c.username, '-w', c.credential, '-e', '192.0.2.10', '-r', '3480', '127.0.0.1']);
    expect(r.ok).toBe(false);
    expect(r.out).toMatch(/403 \(Forbidden IP\)/);
  });

  it('a coturn that dies is reported by health and started again', async () => {
    const pid = Number(readFileSync(join(dir, 'turnserver.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    await waitFor(turnHealth, (c) => c?.ok === false, 5_000, 'health reporting coturn down');
    expect(await turnHealth()).toMatchObject({ ok: false, reason: expect.stringMatching(/TURN server \(coturn\)/) });
    await waitFor(turnHealth, (c) => c?.ok === true, 15_000, 'coturn back');
    const c = cred();
    expect((await uclient(['-y', '-p', String(port), '-u', c.username, '-w', c.credential, '127.0.0.1'])).ok).toBe(true);
  });
});
