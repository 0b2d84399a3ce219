// Foundation guard: the offline-built worker (with the DtlsTransport fix) carries
// real WebRTC media. A headless Chromium sends camera + microphone through the
// SFU and receives both back through consumers (the technical-check page).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createMetricsRegistry, HealthRegistry, importPublicKeyPem, verifySessionToken } from '@lienthong/kit';
import { httpsServerFactory, prepareTls } from '@lienthong/kit/tls';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../sfu-server/src/http/app';
import { MediaWorkerPool } from '../../sfu-server/src/media/worker-pool';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../sfu-server/src/protocol';
import { attachSignalling } from '../../sfu-server/src/signalling/server';
import { inboundByPeer, launchChromium, waitFor } from '../support/browser';
import { freeMediaBasePort, freePort } from '../support/ports';

describe('media loopback through the built mediasoup worker', () => {
  let pool: MediaWorkerPool;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let signalling: ReturnType<typeof attachSignalling>;
  let browser: Browser;
  let url: string;
  let token: string;
  let tmp: string | undefined;

  beforeAll(async () => {
    const logger = pino({ level: 'warn' });
    const keys = await generateKeyPair('EdDSA', { extractable: true });
    const verifyKey = await importPublicKeyPem(await exportSPKI(keys.publicKey));
    token = await new SignJWT({ name: 'Kỹ thuật viên', siteId: 's1', siteCode: 'TN', roles: ['operator'], sid: 'sid1' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject('u1')
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setExpirationTime('1h')
      .sign(keys.privateKey);

    pool = new MediaWorkerPool({
      workers: 1,
      listenIp: '127.0.0.1',
      announcedAddress: '',
      basePort: await freeMediaBasePort(1),
      logLevel: 'warn',
      logger,
    });
    await pool.start();
    // HTTPS with a certificate from a throwaway internal CA that the browser trusts.
    tmp = mkdtempSync(join(tmpdir(), 'lt-loopback-'));
    const tls = await prepareTls({ certFile: '', keyFile: '', caDir: join(tmp, 'ca'), names: [] }, { dataDir: tmp });
    app = await buildApp({
      serverFactory: httpsServerFactory(tls),
      logger,
      health: new HealthRegistry(),
      metrics: createMetricsRegistry(),
      bodyLimit: 65536,
      webRoot: resolve(__dirname, '../../web/dist'),
    });
    signalling = attachSignalling({
      httpServer: app.server,
      pool,
      logger,
      authenticate: (t) => verifySessionToken(verifyKey, t),
      meetings: {
        checkJoin: () => Promise.reject(new Error('no meetings in this test')),
        operators: () => {
          throw new Error('no meetings in this test');
        },
      },
      maxPeersPerRouter: 10,
      graceMs: 5000,
    });
    const port = await freePort();
    await app.listen({ host: '127.0.0.1', port });
    url = `https://127.0.0.1:${port}`;
    browser = await launchChromium({ caFile: tls.caFile as string });
  });

  afterAll(async () => {
    await browser?.close();
    await signalling?.close();
    await app?.close();
    await pool?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('decodes its own video and audio received back through the SFU', async () => {
    const page = await browser.newPage();
    // The session is the HttpOnly cookie; the page keeps only who is signed in, for display.
    await page.context().addCookies([{ name: 'lt_session', value: token, url, httpOnly: true }]);
    await page.addInitScript(() => sessionStorage.setItem('lt_name', 'Kỹ thuật viên'));
    await page.goto(`${url}/#/selftest`);
    await page.getByTestId('selftest-start').click();
    await page.getByTestId('session-status').and(page.locator('[data-status="connected"]')).waitFor({ timeout: 30_000 });

    const stats = await waitFor(
      () => inboundByPeer(page),
      (s) => Object.values(s).some((p) => p.framesDecoded > 10 && p.audioBytes > 0 && p.audioEnergy > 0),
      30_000,
      'frames decoded and audio received',
    );
    const own = Object.values(stats)[0]!;
    expect(own.framesDecoded).toBeGreaterThan(10);
    expect(own.videoBytes).toBeGreaterThan(0);
    expect(own.audioBytes).toBeGreaterThan(0);
    expect(own.audioEnergy).toBeGreaterThan(0);

    // Server side: the producers really received packets from the browser.
    const room = [...signalling.conference.rooms.values()].find((r) => r.key.startsWith('selftest:'));
    expect(room).toBeDefined();
    const packets = await room!.media.producerPackets();
    const video = packets.filter((p) => p.kind === 'video').reduce((a, p) => a + p.packets, 0);
    const audio = packets.filter((p) => p.kind === 'audio').reduce((a, p) => a + p.packets, 0);
    expect(video).toBeGreaterThan(10);
    expect(audio).toBeGreaterThan(10);
    await page.close();
  });
});
