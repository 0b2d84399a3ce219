// The NATS configuration of a cascade, checked by the real nats-server (`-t`: test the configuration
// and exit) as well as for what it must say: TLS and a password on the WAN uplink, loopback clients.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureServerCert } from '@lienthong/kit/tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubConfig, LEAF_USER, leafConfig } from '../src/cascade/nats-config';

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
  const password = 'a-leaf-password-of-24-ch';
  let files = { certFile: '', keyFile: '' };
  let caFile = '';
  beforeAll(async () => {
    const cert = await ensureServerCert({ caDir: join(dir, 'ca'), dir: join(dir, 'hub'), names: { dns: [], ips: ['10.0.0.1'] } });
    files = { certFile: cert.certFile, keyFile: cert.keyFile };
    caFile = cert.caFile;
  });

  it('the check itself refuses what nats-server refuses', () => {
    expect(natsCheck('bad.conf', 'leafnodes { bogus_field: 1 }\n')).toMatch(/unknown field "bogus_field"/);
  });

  it('the hub listens for clients on loopback only and for leaves with TLS and a password; nats-server accepts it', () => {
    const text = hubConfig({ clientPort: 4222, leafListen: { ip: '10.0.0.1', port: 7422 }, tls: files, leafPassword: password });
    expect(text).toContain('listen: "127.0.0.1:4222"');
    expect(text).toMatch(/leafnodes \{\s+listen: "10\.0\.0\.1:7422"\s+tls \{ cert_file: ".*server\.pem", key_file: ".*server-key\.pem"/);
    expect(text).toContain(`authorization { user: "${LEAF_USER}", password: "${password}" }`);
    expect(natsCheck('hub.conf', text)).toBe('');
  });

  it('a leaf dials the hub with its password over TLS checked against the CA; nats-server accepts it', () => {
    const text = leafConfig({ clientPort: 4222, hubUrl: 'nats-leaf://10.0.0.1:7422', caFile, leafPassword: password });
    expect(text).toContain(`"nats-leaf://${LEAF_USER}:${password}@10.0.0.1:7422"`);
    expect(text).toContain('tls: { ca_file: ');
    expect(natsCheck('leaf.conf', text)).toBe('');
  });

  it('refuses a weak or unquotable password and a hub URL that is not nats-leaf://ip:port', () => {
    const hub = (leafPassword: string) => () =>
      hubConfig({ clientPort: 4222, leafListen: { ip: '10.0.0.1', port: 7422 }, tls: files, leafPassword });
    expect(hub('short')).toThrow(/16 characters/);
    expect(hub('a-long-password-with"quote')).toThrow(/quotes/);
    const leaf = (hubUrl: string) => () => leafConfig({ clientPort: 4222, hubUrl, caFile: 'ca.pem', leafPassword: password });
    expect(leaf('nats://10.0.0.1:7422')).toThrow(/nats-leaf/);
    expect(leaf('nats-leaf://hub.example:7422" }')).toThrow(/nats-leaf/);
  });
});
