// TURN credentials (coturn's shared-secret scheme), the coturn config sfu-server writes, the
// secret file, and the signalling request that hands credentials to the caller's own user.
// tests/integration/turn-relay.test.ts checks the same credentials against coturn itself.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HealthRegistry } from '@lienthong/kit';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { sfuDefaults } from '../src/config/schema';
import { turnCredential, turnUrls } from '../src/domain/turn/credentials';
import { coturnConfig } from '../src/turn/coturn-config';
import { loadOrCreateTurnSecret, TURN_SECRET_FILE } from '../src/turn/secret';
import { startTurn } from '../src/turn/turn-service';
import { call, fakeConference, socketOf } from './support/fake-signalling';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lt-turn-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('TURN credentials', () => {
  it('are "<expiry>:<user>" and base64 HMAC-SHA1 of it with the secret (value from `openssl dgst -sha1 -hmac`)', () => {
    const c = turnCredential('sekrit-sekrit-sekrit', 'user-1', 1_796_051_410_000, 600);
    expect(c).toEqual({ username: '1796052010:user-1', credential: 'Tb/ahZLEHksWbFzZXcK2HzCtFvw=', expiresAt: 1_796_052_010 });
  });

  it('lists TURN over UDP, TCP and TLS, TLS only with a certificate, IPv6 in brackets', () => {
    expect(turnUrls({ host: '10.0.0.5', port: 3478, tlsPort: 5349 })).toEqual([
      'turn:10.0.0.5:3478?transport=udp',
      'turn:10.0.0.5:3478?transport=tcp',
      'turns:10.0.0.5:5349?transport=tcp',
    ]);
    expect(turnUrls({ host: 'hop.example.vn', port: 3478 })).toEqual([
      'turn:hop.example.vn:3478?transport=udp',
      'turn:hop.example.vn:3478?transport=tcp',
    ]);
    expect(turnUrls({ host: 'fd00::5', port: 3478 })[0]).toBe('turn:[fd00::5]:3478?transport=udp');
  });
});

describe('coturn configuration', () => {
  const base = {
    secret: 's3cret-s3cret-s3cret',
    realm: 'lienthong',
    port: 3478,
    tlsPort: 5349,
    minRelayPort: 49160,
    maxRelayPort: 49999,
    peerAddress: '10.0.0.5',
    pidFile: '/d/turnserver.pid',
    logFile: '/d/turnserver.log',
    dbFile: '/d/turndb',
  };

  it('takes only shared-secret credentials and relays to the SFU alone', () => {
    const lines = coturnConfig({ ...base, tls: { certFile: '/d/server.pem', keyFile: '/d/server-key.pem' } }).split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'use-auth-secret',
        'static-auth-secret=s3cret-s3cret-s3cret',
        'listening-port=3478',
        'tls-listening-port=5349',
        'cert=/d/server.pem',
        'pkey=/d/server-key.pem',
        'no-cli',
        'fingerprint',
        'no-multicast-peers',
        'no-rfc5780',
        'denied-peer-ip=0.0.0.0-255.255.255.255',
        'denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
        'allowed-peer-ip=10.0.0.5',
        'pidfile=/d/turnserver.pid',
        'log-file=/d/turnserver.log',
        'min-port=49160',
        'max-port=49999',
      ]),
    );
    expect(lines).not.toContain('allow-loopback-peers');
    expect(lines.some((l) => l.startsWith('user='))).toBe(false);
  });

  it('has no TLS listener without a certificate, allows a loopback SFU only when it announces loopback', () => {
    const lines = coturnConfig({ ...base, peerAddress: '127.0.0.1' }).split('\n');
    expect(lines).toContain('no-tls');
    expect(lines.some((l) => l.startsWith('tls-listening-port'))).toBe(false);
    expect(lines).toContain('allow-loopback-peers');
  });

  it('refuses an announced address that is not an IP (the relay needs one to allow)', () => {
    expect(() => coturnConfig({ ...base, peerAddress: 'hop.example.vn' })).toThrow(/must be an IP/);
  });
});

describe('the TURN secret', () => {
  it('is generated once into dataDir, 0600, and kept', () => {
    const d = tempDir();
    const a = loadOrCreateTurnSecret(d, '');
    expect(a.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(d, TURN_SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateTurnSecret(d, '')).toBe(a);
    expect(loadOrCreateTurnSecret(d, 'configured-secret-1234')).toBe('configured-secret-1234');
  });

  it('refuses a secret file too short to be one', () => {
    const d = tempDir();
    writeFileSync(join(d, TURN_SECRET_FILE), 'short', { mode: 0o600 });
    expect(() => loadOrCreateTurnSecret(d, '')).toThrow(/too short/);
  });
});

describe('media:iceServers', () => {
  const logger = pino({ level: 'silent' });

  it('gives a signed-in caller credentials for its own user, valid for the configured time', async () => {
    const d = tempDir();
    const now = 1_800_000_000_000;
    const turn = startTurn(
      { ...sfuDefaults.turn, run: false, credentialTtlSeconds: 900 },
      { dataDir: d, announcedAddress: '10.0.0.5', logger, health: new HealthRegistry(), now: () => now },
    );
    const f = fakeConference();
    const ctx = { ...socketOf(f, 'dt'), iceServers: turn.iceServers };
    const res = await call(ctx, 'media:iceServers', {});
    expect(res.ttlSeconds).toBe(900);
    expect(res.iceServers).toHaveLength(1);
    const [server] = res.iceServers;
    expect(server!.username).toBe(`${now / 1000 + 900}:user-dt`);
    const secret = readFileSync(join(d, TURN_SECRET_FILE), 'utf8');
    expect(server!.credential).toBe(turnCredential(secret, 'user-dt', now, 900).credential);
    expect(server!.urls).toEqual(['turn:10.0.0.5:3478?transport=udp', 'turn:10.0.0.5:3478?transport=tcp']);
  });

  it('offers nothing when TURN is off', async () => {
    const turn = startTurn(
      { ...sfuDefaults.turn, enabled: false },
      { dataDir: tempDir(), announcedAddress: '10.0.0.5', logger, health: new HealthRegistry() },
    );
    const ctx = { ...socketOf(fakeConference(), 'dt'), iceServers: turn.iceServers };
    expect(await call(ctx, 'media:iceServers', {})).toEqual({ iceServers: [], ttlSeconds: 0 });
    expect(await call(socketOf(fakeConference(), 'dt'), 'media:iceServers', {})).toEqual({ iceServers: [], ttlSeconds: 0 });
  });
});
