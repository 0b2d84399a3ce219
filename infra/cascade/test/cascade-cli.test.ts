// `npm run cascade` sets up a real installation: the CLI writes a hub and two district bundles in a
// temporary directory, each bundle is copied to its own "district machine" directory, three real
// nats-server processes run on loopback with those files, and each server's CascadeBus, opened with
// the natsUrl of its generated cascade block, asks the others and hears their events. A second run
// changes no file (same passwords, keys and certificates).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createParser } from '@lienthong/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CascadeBus } from '../../../sfu-server/src/cascade/bus';
import { SfuConfigSchema } from '../../../sfu-server/src/config/schema';
import { EmptyAnswer, PingAnswer, type ProducerEvent } from '../../../sfu-server/src/protocol/cascade';
import { main } from '../cli';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MEETING = 'm-install';
const tmp = mkdtempSync(join(tmpdir(), 'lt-cascade-cli-'));
const hubDir = join(tmp, 'province');
const caDir = join(tmp, 'ca');
const machine = { d1: join(tmp, 'd1-machine'), d2: join(tmp, 'd2-machine') };
const ports = { p: 0, d1: 0, d2: 0, leaf: 0 };
const children: ChildProcess[] = [];
const buses: Record<string, CascadeBus> = {};
const heard: Record<string, ProducerEvent[]> = { p: [], d1: [], d2: [] };
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The CLI in its own process, as an operator runs it: the exit code, stdout and stderr. */
async function cascadeProcess(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'infra/cascade/cli.ts'), ...args], { cwd: ROOT });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const f = e as { code: number; stdout: string; stderr: string };
    return { code: f.code, out: f.stdout, err: f.stderr };
  }
}

/** The same CLI in this process (a process start costs seconds on this machine). */
async function cascade(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    args,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Every file under `dirs`: its content and mode, to compare two runs. */
function snapshot(...dirs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out[relative(tmp, p)] = `${(st.mode & 0o777).toString(8)} ${readFileSync(p, 'utf8')}`;
    }
  };
  for (const d of dirs) walk(d);
  return out;
}

const hubArgs = () => [
  'hub',
  ...['--dir', hubDir, '--ca-dir', caDir, '--new-ca', '--id', 'p', '--address', '127.0.0.1', '--districts', 'd1,d2'],
  ...['--leaf-listen', '127.0.0.1', '--leaf-port', String(ports.leaf), '--client-port', String(ports.p)],
];
const districtArgs = (d: 'd1' | 'd2') => [
  'district',
  ...['--dir', hubDir, '--id', d, '--link-ip', '127.0.0.1', '--client-port', String(ports[d]), '--install-dir', machine[d]],
];

/** The cascade block a run wrote, checked against sfu-server's own config schema. */
function cascadeBlock(file: string) {
  const block = (parse(readFileSync(file, 'utf8')) as { cascade: unknown }).cascade;
  const parsed = createParser(SfuConfigSchema.properties.cascade).parse(block);
  if (!parsed.ok) throw new Error(`${file}: ${parsed.problems.join('; ')}`);
  return parsed.value;
}

function startNats(conf: string): void {
  const child = spawn('nats-server', ['-c', conf], { stdio: 'ignore' });
  children.push(child);
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

let firstRun: Record<string, string> = {};

beforeAll(async () => {
  for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
  const ok = (r: { code: number; err: string }) => {
    if (r.code !== 0) throw new Error(`cascade exited ${r.code}: ${r.err}`);
  };
  ok(await cascadeProcess(...hubArgs()));
  ok(await cascadeProcess(...districtArgs('d1')));
  ok(await cascade(...districtArgs('d2')));
  firstRun = snapshot(hubDir, caDir);
}, 30_000);

afterAll(async () => {
  for (const b of Object.values(buses)) await b.close();
  for (const c of children) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

describe('npm run cascade', () => {
  it('keeps keys and passwords 0600, and the CA key at the province only', () => {
    for (const f of ['sfu-nats-password', 'nats.conf', 'cascade.yaml', 'tls/server-key.pem'])
      expect(firstRun[join('province', f)]).toMatch(/^600 /);
    for (const f of ['sfu-nats-password', 'nats.conf', 'cascade.yaml', 'tls/client-key.pem'])
      expect(firstRun[join('province/districts/d1', f)]).toMatch(/^600 /);
    const bundle = Object.keys(firstRun).filter((f) => f.startsWith('province/districts/d1/'));
    expect(bundle.map((f) => f.slice('province/districts/d1/'.length)).sort()).toEqual(
      ['cascade.yaml', 'nats.conf', 'sfu-nats-password', 'tls/ca.pem', 'tls/client-key.pem', 'tls/client.pem'].sort(),
    );
    expect(bundle.map((f) => firstRun[f]).join('\n')).not.toContain(readFileSync(join(caDir, 'ca-key.pem'), 'utf8').trim());
  });

  it('runs a hub and two leaves whose servers ask each other and hear each other', async () => {
    for (const d of ['d1', 'd2'] as const) {
      cpSync(join(hubDir, 'districts', d), machine[d], { recursive: true });
      // The leaf reads its files where the bundle was installed, not at the province.
      const conf = readFileSync(join(machine[d], 'nats.conf'), 'utf8');
      expect(conf).toContain(`"${join(machine[d], 'tls/client-key.pem')}"`);
      expect(conf).not.toContain(hubDir);
    }
    startNats(join(hubDir, 'nats.conf'));
    await sleep(300);
    startNats(join(machine.d1, 'nats.conf'));
    startNats(join(machine.d2, 'nats.conf'));
    const blocks = {
      p: cascadeBlock(join(hubDir, 'cascade.yaml')),
      d1: cascadeBlock(join(machine.d1, 'cascade.yaml')),
      d2: cascadeBlock(join(machine.d2, 'cascade.yaml')),
    };
    expect(blocks.p).toMatchObject({ serverId: 'p', parent: '', children: ['d1', 'd2'], routes: {} });
    expect(blocks.d1).toMatchObject({ serverId: 'd1', parent: 'p', children: [], linkIp: '127.0.0.1' });
    await until('each NATS node up', async () => {
      try {
        for (const id of ['p', 'd1', 'd2'] as const)
          buses[id] ??= await CascadeBus.open({ url: blocks[id].natsUrl, serverId: id, requestTimeoutMs: 500 });
        return true;
      } catch {
        return false;
      }
    });
    for (const id of ['p', 'd1', 'd2'] as const) {
      buses[id]!.serve('ping', EmptyAnswer, async () => ({ bootId: `boot-${id}` }));
      buses[id]!.onProducerEvents(MEETING, (e) => heard[id]!.push(e));
    }
    const pairs = [
      ['p', 'd1'],
      ['d1', 'p'],
      ['d1', 'd2'],
      ['d2', 'p'],
    ] as const;
    // The leaves reach the hub within a second or two of starting.
    await until('every pair answering', async () => {
      for (const [a, b] of pairs)
        if (
          !(await buses[a]!.request(b, 'ping', {}, PingAnswer).then(
            () => true,
            () => false,
          ))
        )
          return false;
      return true;
    });
    for (const [a, b] of pairs) expect(await buses[a]!.request(b, 'ping', {}, PingAnswer)).toEqual({ bootId: `boot-${b}` });
    buses.d1!.publish({ meetingId: MEETING, origin: 'd1', producerId: 'cam-d1', event: 'close', kind: 'video', appData: {} });
    await until('the event at p and d2', () => [heard.p, heard.d2].every((h) => h!.some((e) => e.producerId === 'cam-d1')));
  });

  it('changes nothing when run again', async () => {
    const runs = [await cascade(...hubArgs()), await cascade(...districtArgs('d1')), await cascade(...districtArgs('d2'))];
    for (const r of runs) {
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('nothing changed');
    }
    expect(snapshot(hubDir, caDir)).toEqual(firstRun);
  });

  it('refuses a district the hub does not know, and says how to add it', async () => {
    const r = await cascadeProcess('district', '--dir', hubDir, '--id', 'd3', '--link-ip', '127.0.0.1');
    expect(r.code).toBe(2);
    expect(r.err).toContain('d3 is not a district of this hub (d1, d2): run `npm run cascade -- hub --districts d1,d2,d3` first');
  });

  it('--rotate gives a district a new password and a new key', async () => {
    const r = await cascade(...districtArgs('d2'), '--rotate');
    expect(r.code, r.err).toBe(0);
    const now = snapshot(hubDir);
    for (const f of ['sfu-nats-password', 'tls/client-key.pem', 'tls/client.pem', 'nats.conf', 'cascade.yaml'])
      expect(now[join('province/districts/d2', f)], f).not.toEqual(firstRun[join('province/districts/d2', f)]);
    expect(now['province/districts/d1/sfu-nats-password']).toEqual(firstRun['province/districts/d1/sfu-nats-password']);
    expect(now['province/sfu-nats-password']).toEqual(firstRun['province/sfu-nats-password']);
  });
});
