// The NATS configuration of a cascade, checked by the real nats-server (`-t`: test the configuration
// and exit) as well as for what it must say: mutual TLS on the WAN uplink, one account per server,
// loopback clients that may publish only as their own server. What nats-server then enforces is in
// cascade-identity.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureClientCert, ensureServerCert } from '@lienthong/kit/tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientUser, hubConfig, leafCertName, leafCertSubject, leafConfig } from '../src/cascade/nats-config';

const dir = mkdtempSync(join(tmpdir(), 'lt-nats-conf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** nats-server's verdict on a configuration: '' when it accepts it. */
function natsCheck(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  try {
    execFileSync('nats-server', ['-t', '-c', file], { stdio: 'pipe' });
    return '';
  } catch (e) {
    return String((e as { stderr?: Buffer }).stderr ?? e);
  }
}

describe('cascade NATS configuration', () => {
  const password = 'a-client-password-of-24c';
  let hubTls = { certFile: '', keyFile: '', caFile: '' };
  let leafTls = { certFile: '', keyFile: '', caFile: '' };
  const hub = (over: Partial<Parameters<typeof hubConfig>[0]> = {}) =>
    hubConfig({
      serverId: 'p',
      clientPort: 4222,
      clientPassword: password,
      leafListen: { ip: '10.0.0.1', port: 7422 },
      tls: hubTls,
      districts: ['d1', 'd-2'],
      ...over,
    });
  const leaf = (over: Partial<Parameters<typeof leafConfig>[0]> = {}) =>
    leafConfig({ serverId: 'd1', clientPort: 4222, clientPassword: password, hubUrl: 'nats-leaf://10.0.0.1:7422', tls: leafTls, ...over });
  beforeAll(async () => {
    const cert = await ensureServerCert({ caDir: join(dir, 'ca'), dir: join(dir, 'hub'), names: { dns: [], ips: ['10.0.0.1'] } });
    hubTls = { certFile: cert.certFile, keyFile: cert.keyFile, caFile: cert.caFile };
    const client = await ensureClientCert({ caDir: join(dir, 'ca'), dir: join(dir, 'd1'), commonName: leafCertName('d1') });
    leafTls = { certFile: client.certFile, keyFile: client.keyFile, caFile: client.caFile };
  });

  it('the check itself refuses what nats-server refuses', () => {
    expect(natsCheck('bad.conf', 'leafnodes { bogus_field: 1 }\n')).toMatch(/unknown field "bogus_field"/);
    // Why accounts: nats-server 2.9 takes no permissions on a leaf user.
    const leafPerms = 'leafnodes { authorization { users: [ { user: "a", password: "b", permissions: { publish: "x" } } ] } }\n';
    expect(natsCheck('perms.conf', leafPerms)).toMatch(/unknown field "permissions"/);
  });

  it('the hub: loopback clients, leaves by their CA certificate, one account per server; nats-server accepts it', () => {
    const text = hub();
    expect(text).toContain('listen: "127.0.0.1:4222"');
    expect(text).toMatch(
      /leafnodes \{\s+listen: "10\.0\.0\.1:7422"\s+tls \{ cert_file: ".*server\.pem", key_file: ".*server-key\.pem", ca_file: ".*ca\.pem", verify_and_map: true/,
    );
    expect(text).toContain(`{ user: "${leafCertSubject('d1')}", account: "S_d1" }`);
    expect(text).toContain(`{ user: "${leafCertSubject('d-2')}", account: "S_d-2" }`);
    // d1 hands the others only its own events and its own requests to each of them.
    expect(text).toContain('{ stream: "lt.mtg.*.*.d1", accounts: ["S_p", "S_d-2"] }');
    expect(text).toContain('{ service: "lt.srv.d1.*.p", accounts: ["S_p"] }');
    expect(text).toContain('{ service: { account: "S_d1", subject: "lt.srv.d1.*.d-2" } }');
    expect(text).toContain(
      `{ user: "${clientUser('p')}", password: "${password}", permissions: { publish: { allow: ["lt.srv.*.*.p", "lt.mtg.*.*.p"] }`,
    );
    expect(text).not.toMatch(/lienthong-leaf|_INBOX\.>/);
    expect(natsCheck('hub.conf', text)).toBe('');
  });

  it('a leaf dials the hub over TLS with its own certificate, and its sfu-server may publish only as itself; nats-server accepts it', () => {
    const text = leaf();
    expect(text).toContain('url: "nats-leaf://10.0.0.1:7422", tls: { cert_file: ');
    expect(text).toMatch(/client\.pem", key_file: ".*client-key\.pem", ca_file: ".*ca\.pem"/);
    expect(text).toContain(
      'publish: { allow: ["lt.srv.*.*.d1", "lt.mtg.*.*.d1"] }, allow_responses: true, subscribe: { allow: ["lt.srv.d1.>", "lt.mtg.>", "_INBOX.d1.>"] }',
    );
    expect(natsCheck('leaf.conf', text)).toBe('');
  });

  it('refuses a weak password, a server id that is not a subject token, twice the same id and a hub URL that is not nats-leaf://ip:port', () => {
    expect(() => hub({ clientPassword: 'short' })).toThrow(/16 characters/);
    expect(() => hub({ clientPassword: 'a-long-password-with"quote' })).toThrow(/quotes/);
    expect(() => hub({ districts: ['d1', 'a.b'] })).toThrow(/server id/);
    expect(() => hub({ districts: ['d1', '>'] })).toThrow(/server id/);
    expect(() => hub({ districts: ['d1', 'p'] })).toThrow(/differ/);
    expect(() => leaf({ serverId: 'd*' })).toThrow(/server id/);
    expect(() => leaf({ clientPassword: 'short' })).toThrow(/16 characters/);
    expect(() => leaf({ hubUrl: 'nats://10.0.0.1:7422' })).toThrow(/nats-leaf/);
    expect(() => leaf({ hubUrl: 'nats-leaf://hub.example:7422" }' })).toThrow(/nats-leaf/);
  });
});
