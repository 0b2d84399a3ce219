// The simulated devices both sides of the SNMP bench poll: one snmpsimd process (shared, its CPU
// is not counted) with v2c devices (one community each, on one endpoint) and SNMPv3 devices
// (authPriv SHA-256/AES-128): `engines` SNMP engines, each on its own UDP endpoint with its own
// engine ID and data file, each with `usersPerEngine` users (each user is a device of its own).
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateAgentDir } from '../../../nms/src/demo/demo';
import { type SimInterface, snmprec } from '../../../nms/src/demo/snmprec';
import type { SnmpCredentials } from '../../../nms/src/protocol/inventory';
import type { PollPlan } from '../../../nms/src/snmp/poll-engine';
import { freeUdpPort } from '../../integration/nms-support';

export interface BenchDevice {
  name: string;
  port: number;
  credentials: SnmpCredentials;
}

export interface Agents {
  devices: BenchDevice[];
  /** Varbinds under the polled OIDs that every device holds (the count both sides must decode). */
  varbindsPerDevice: number;
  stop(): void;
  pid: number;
}

export interface AgentSpec {
  v2c: number;
  v3Engines: number;
  usersPerEngine: number;
  interfaces: number;
}

const AUTH = (u: number) => `bench-auth-${u}`;
const PRIV = (u: number) => `bench-priv-${u}`;

function deviceRec(name: string, ifs: number): string {
  const interfaces: SimInterface[] = Array.from({ length: ifs }, (_, i) => ({
    ifIndex: i + 1,
    name: `ge-0/0/${i}`,
    speedBps: 1e9,
    inOctets: BigInt(1e9 + i * 1000),
    outOctets: BigInt(2e9 + i),
  }));
  return snmprec({ sysName: name, sysDescr: 'bench', uptimeTicks: 100000, interfaces, cpuLoad: 5, memory: { sizeKb: 1000, usedKb: 100 } });
}

/** How many of a data file's OIDs a poll with `plan` reads: the scalars asked for and every row under a walked column. */
export function polledVarbinds(rec: string, plan: PollPlan): number {
  const scalars = new Set(plan.scalars.map((s) => s.oid));
  const columns = [...new Set(plan.columns.map((c) => `${c.column.oid}.`))];
  return rec
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('|')[0]!)
    .filter((oid) => scalars.has(oid) || columns.some((c) => oid.startsWith(c))).length;
}

export const v3Credentials = (u: number): SnmpCredentials => ({
  version: '3',
  user: `bench${u}`,
  level: 'authPriv',
  authProtocol: 'sha256',
  authKey: AUTH(u),
  privProtocol: 'aes128',
  privKey: PRIV(u),
});

export async function startAgents(spec: AgentSpec, plan: PollPlan): Promise<Agents> {
  const dir = privateAgentDir('nms-bench-agents-');
  const cache = join(dir, 'cache');
  mkdirSync(cache);
  chmodSync(cache, 0o777);
  /** Each engine reads its own data dir (so each indexes only its files). */
  const dataDir = (name: string, files: Record<string, string>) => {
    const d = join(dir, name);
    mkdirSync(d);
    chmodSync(d, 0o755);
    for (const [f, text] of Object.entries(files)) {
      writeFileSync(join(d, f), text);
      chmodSync(join(d, f), 0o644);
    }
    return d;
  };
  const rec = deviceRec('bench', spec.interfaces);
  const devices: BenchDevice[] = [];
  const v2cPort = await freeUdpPort();
  const v2cFiles: Record<string, string> = {};
  for (let i = 0; i < spec.v2c; i++) {
    v2cFiles[`c${i}.snmprec`] = rec;
    devices.push({ name: `v2c-${i}`, port: v2cPort, credentials: { version: '2c', community: `c${i}` } });
  }
  const args = [
    '--v3-engine-id=8000000001ffff0000',
    `--data-dir=${dataDir('v2c', v2cFiles)}`,
    `--agent-udpv4-endpoint=127.0.0.1:${v2cPort}`,
  ];
  // Endpoint i is transport 1.3.6.1.6.1.1.i: an SNMPv3 request (no context) reads that file.
  for (let e = 1; e <= spec.v3Engines; e++) {
    const port = await freeUdpPort();
    args.push(
      `--v3-engine-id=8000000001${e.toString(16).padStart(8, '0')}`,
      `--data-dir=${dataDir(`v3-${e}`, { [`1.3.6.1.6.1.1.${e}.snmprec`]: rec })}`,
    );
    for (let u = 0; u < spec.usersPerEngine; u++) {
      args.push(
        `--v3-user=bench${u}`,
        `--v3-auth-key=${AUTH(u)}`,
        '--v3-auth-proto=SHA256',
        `--v3-priv-key=${PRIV(u)}`,
        '--v3-priv-proto=AES',
      );
      devices.push({ name: `v3-${e}-${u}`, port, credentials: v3Credentials(u) });
    }
    args.push(`--agent-udpv4-endpoint=127.0.0.1:${port}`);
  }
  const argsFile = join(dir, 'args');
  writeFileSync(argsFile, args.join('\n'));
  chmodSync(argsFile, 0o644);
  const runAs = process.getuid?.() === 0 ? ['--process-user=nobody', '--process-group=nogroup'] : [];
  // Niced like every other CPU user of the bench; agents are shared by both sides and not measured.
  const child: ChildProcess = spawn(
    'nice',
    ['-n', '15', 'snmpsimd', `--cache-dir=${cache}`, '--logging-method=null', ...runAs, `--args-from-file=${argsFile}`],
    { stdio: 'ignore' },
  );
  return {
    devices,
    varbindsPerDevice: polledVarbinds(rec, plan),
    pid: child.pid!,
    stop: () => child.kill('SIGTERM'),
  };
}
