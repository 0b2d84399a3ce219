// infra/production/ is checked by the tools that will read it: the services' --check-config, nft -c,
// systemd-analyze verify (units and drop-ins), logrotate (a real rotation), amtool and promtool, and
// coturn started with the turnserver.conf. Each check is shown to fail on a broken copy where cheap.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sfuDefaults } from '../../sfu-server/src/config/schema';
import { PORTS_PER_CALL } from '../../sfu-server/src/sip/rtp-ports';
import { freePort } from '../support/ports';
import { tempDir, waitFor } from './nms-support';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const prod = join(root, 'infra/production');
const read = (f: string) => readFileSync(join(prod, f), 'utf8');
/** stdout+stderr and exit code, without throwing. */
async function sh(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  try {
    const r = await run(cmd, args, { cwd: opts.cwd ?? root, env: { ...process.env, ...opts.env } });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout + x.stderr };
  }
}
let coturn: ChildProcess | undefined;
afterAll(() => {
  coturn?.kill('SIGTERM');
});

describe('production configuration samples', () => {
  it.each([
    ['sfu-server', 'sfu-server.yaml'],
    ['nms', 'nms.yaml'],
  ])('%s accepts %s (--check-config), without demo data', async (service, file) => {
    const r = await sh(process.execPath, ['--import', 'tsx', `${service}/src/main.ts`, '--config', join(prod, file), '--check-config']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('config OK');
    const cfg = parse(read(file));
    if (service === 'sfu-server') expect(cfg.demo.seed).toBe(false);
    else expect(cfg.demo.enabled).toBe(false);
    expect(cfg.http.plainLoopback).toBe(false);
    expect(cfg.dataDir).toMatch(/^\/var\/lib\/lienthong\//);
    expect(cfg.metrics.token).not.toBe('');
  });
});

describe('firewall', () => {
  it('nft accepts nftables.conf, and a broken copy is refused', async () => {
    const ok = await sh('nft', ['-c', '-f', join(prod, 'nftables.conf')]);
    expect(ok.code, ok.out).toBe(0);
    const bad = join(tempDir('lt-nft-'), 'bad.conf');
    writeFileSync(bad, read('nftables.conf').replace('tcp dport 5349 accept', 'tcp dport 5349 acept'));
    expect((await sh('nft', ['-c', '-f', bad])).code).not.toBe(0);
  });

  it('PORTS.md lists every port the firewall opens', () => {
    const table = read('PORTS.md');
    const nft = read('nftables.conf');
    const ports = [...nft.matchAll(/dport \{? ?([\d, ]+?) ?\}? (?:accept|ct|redirect)/g)].flatMap((m) => m[1]!.split(/, ?/));
    ports.push(/define MEDIA_PORTS = (\d+)/.exec(nft)![1]!);
    ports.push(/define ROOM_RTP_PORTS = (\d+)/.exec(nft)![1]!);
    expect(ports).toEqual(expect.arrayContaining(['22', '80', '443', '3478', '5349', '10162', '162', '20000', '5060', '30000']));
    for (const p of ports) expect(table, p).toMatch(new RegExp(`\\| ${p}\\b|→ ${p}\\b`));
  });

  it("opens the room systems' SIP port and exactly the media ports sfu-server gives their calls", () => {
    const nft = read('nftables.conf');
    const [, min, max] = /define ROOM_RTP_PORTS = (\d+)-(\d+)/.exec(nft)!;
    expect({ min: Number(min), max: Number(max) }).toEqual(sfuDefaults.sip.rtpPorts);
    expect(Number(max) - Number(min) + 1).toBeGreaterThanOrEqual(PORTS_PER_CALL * sfuDefaults.sip.maxCalls);
    expect(nft).toMatch(new RegExp(`udp dport ${sfuDefaults.sip.port} accept`));
    expect(nft).toMatch(/udp dport \$ROOM_RTP_PORTS accept/);
  });
  it('the cascade rules, once uncommented as INSTALL.md says, are accepted, and PORTS.md lists their ports', async () => {
    const nft = read('nftables.conf');
    const rules = [...nft.matchAll(/^ {4}# (ip saddr \$CASCADE_PEERS .+)$/gm)].map((m) => m[1]!);
    expect(rules).toEqual([
      'ip saddr $CASCADE_PEERS tcp dport 7422 accept',
      'ip saddr $CASCADE_PEERS udp dport $CASCADE_LINK_PORTS accept',
    ]);
    const file = join(tempDir('lt-nft-cascade-'), 'cascade.conf');
    writeFileSync(file, nft.replace(/^ {4}# (ip saddr \$CASCADE_PEERS .+)$/gm, '    $1'));
    const r = await sh('nft', ['-c', '-f', file]);
    expect(r.code, r.out).toBe(0);
    expect(/define CASCADE_LINK_PORTS = (\d+)-(\d+)/.exec(nft)!.slice(1)).toEqual(['31000', '31999']);
    expect(read('PORTS.md')).toMatch(/\| 7422 \| TCP \| district servers/);
    expect(read('PORTS.md')).toMatch(/\| 31000 – 31999 \| UDP \| the neighbour servers/);
  });
});

describe('systemd units', () => {
  it('systemd-analyze verify finds nothing to say about the units and drop-ins', async () => {
    const dir = tempDir('lt-units-');
    for (const f of readdirSync(join(prod, 'systemd'))) cpSync(join(prod, 'systemd', f), join(dir, f), { recursive: true });
    // Debian's units the drop-ins extend.
    for (const u of ['coturn.service', 'prometheus.service', 'prometheus-alertmanager.service'])
      cpSync(`/lib/systemd/system/${u}`, join(dir, u));
    const units = readdirSync(dir).filter((f) => /\.(service|timer)$/.test(f));
    expect(units).toEqual(
      expect.arrayContaining(['lienthong-sfu-server.service', 'lienthong-nms.service', 'lienthong-nats.service', 'lienthong-backup.timer']),
    );
    const env = { SYSTEMD_UNIT_PATH: `${dir}:` };
    const r = await sh('systemd-analyze', ['verify', '--man=no', ...units], { env, cwd: dir });
    expect(r.code, r.out).toBe(0);
    expect(r.out.trim()).toBe('');
    // The check does read the drop-ins: a wrong key in one is reported.
    writeFileSync(join(dir, 'coturn.service.d', 'zz-broken.conf'), '[Service]\nNoSuchSetting=1\n');
    expect((await sh('systemd-analyze', ['verify', '--man=no', 'coturn.service'], { env, cwd: dir })).out).toContain('NoSuchSetting');
  });

  it('the services are hardened and run as lienthong', () => {
    for (const u of ['lienthong-sfu-server.service', 'lienthong-nms.service']) {
      const text = read(`systemd/${u}`);
      for (const line of ['User=lienthong', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'StateDirectory=lienthong/', 'ProtectHome=yes'])
        expect(text, `${u}: ${line}`).toContain(line);
    }
    // The cascade's NATS node: as the Debian package's user, on the files `npm run cascade` writes, checked before it starts.
    const nats = read('systemd/lienthong-nats.service');
    for (const line of [
      'User=nats',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'CapabilityBoundingSet=\n',
      'nats-server -t -c /etc/lienthong/nats/nats.conf',
    ])
      expect(nats, line).toContain(line);
    expect(read('systemd/lienthong-sfu-server.service')).toMatch(/^After=.*lienthong-nats\.service/m);
  });
});

describe('log rotation', () => {
  it('logrotate rotates the coturn log file it names', async () => {
    const dir = tempDir('lt-logrotate-');
    const log = join(dir, 'turnserver.log');
    writeFileSync(log, 'coturn line\n');
    const conf = join(dir, 'lienthong');
    // This machine has no lienthong user: the same rules as root, on a file of the test's.
    writeFileSync(
      conf,
      read('logrotate/lienthong')
        .replace('/var/lib/lienthong/sfu-server/turnserver.log', log)
        .replaceAll('lienthong lienthong', 'root root'),
    );
    const debug = await sh('logrotate', ['-d', '-s', join(dir, 'state'), conf]);
    expect(debug.out).not.toMatch(/error/i);
    expect(debug.out).toContain(`rotating pattern: ${log}`);
    expect((await sh('logrotate', ['-f', '-s', join(dir, 'state'), conf])).code).toBe(0);
    expect(readFileSync(`${log}.1`, 'utf8')).toBe('coturn line\n');
    expect(readFileSync(log, 'utf8')).toBe('');
  });
});

describe('monitoring in production', () => {
  it('amtool accepts the production alertmanager.yml; its routing and inhibition equal monitoring/', async () => {
    const r = await sh('amtool', ['check-config', join(prod, 'alertmanager.yml')]);
    expect(r.code, r.out).toBe(0);
    const mine = parse(read('alertmanager.yml'));
    const demo = parse(readFileSync(join(root, 'monitoring/alertmanager.yml'), 'utf8'));
    expect(mine.route).toEqual(demo.route);
    expect(mine.inhibit_rules).toEqual(demo.inhibit_rules);
    const hook = mine.receivers[0].webhook_configs[0];
    expect(hook.url).toMatch(/^https:\/\/.+\/api\/nms\/alerts\/alertmanager$/);
    expect(hook.http_config.authorization.credentials_file).toBeTruthy();
  });

  it('promtool accepts the production prometheus.yml (with its secret files present)', async () => {
    const dir = tempDir('lt-prom-');
    const etc = join(dir, 'monitoring');
    mkdirSync(etc);
    for (const f of ['nms-metrics.token', 'sfu-metrics.token']) writeFileSync(join(etc, f), 'token\n');
    // Any CA certificate will do for the check.
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=test',
      '-keyout',
      join(etc, 'ca-key.pem'),
      '-out',
      join(etc, 'ca.pem'),
      '-days',
      '1',
    ]);
    const conf = join(root, 'infra/production', `.prometheus-check-${process.pid}.yml`);
    writeFileSync(conf, read('prometheus.yml').replaceAll('/etc/lienthong/monitoring/', `${etc}/`));
    try {
      const r = await sh('promtool', ['check', 'config', conf]);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/SUCCESS: \d+ rule files found/);
    } finally {
      (await import('node:fs')).rmSync(conf, { force: true });
    }
  });
});

describe('coturn under systemd', () => {
  it('turnserver starts with the production turnserver.conf and listens for TURN and TURN over TLS', async () => {
    const dir = tempDir('lt-coturn-');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=hop.tinh.example.vn',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
    ]);
    const [port, tlsPort] = [await freePort(), await freePort()];
    const conf = read('turnserver.conf')
      .replace('listening-port=3478', `listening-port=${port}\nlistening-ip=127.0.0.1`)
      .replace('tls-listening-port=5349', `tls-listening-port=${tlsPort}`)
      .replace('/run/credentials/coturn.service/turn-cert.pem', join(dir, 'cert.pem'))
      .replace('/run/credentials/coturn.service/turn-key.pem', join(dir, 'key.pem'))
      .replace('/var/lib/turnserver/turndb', join(dir, 'turndb'))
      .replace('REPLACE-with-the-turn-secret', 'test-secret');
    writeFileSync(join(dir, 'turnserver.conf'), conf);
    let out = '';
    coturn = spawn('turnserver', ['-c', join(dir, 'turnserver.conf'), '--pidfile='], { stdio: ['ignore', 'pipe', 'pipe'] });
    coturn.stdout?.on('data', (d) => (out += d));
    coturn.stderr?.on('data', (d) => (out += d));
    const answers = (p: number) =>
      new Promise<boolean>((done) => {
        const s = connect({ host: '127.0.0.1', port: p });
        s.once('connect', () => {
          s.destroy();
          done(true);
        });
        s.once('error', () => done(false));
      });
    await waitFor(
      `coturn listening\n${out}`,
      async () => coturn!.exitCode === null && (await answers(port)) && (await answers(tlsPort)),
      15_000,
    );
    expect(out).not.toMatch(/CONFIG ERROR|Bad configuration/i);
  });
});
