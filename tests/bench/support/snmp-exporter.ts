// The baseline side of the SNMP bench: Debian's prometheus-snmp-exporter 0.21 reading the same
// OIDs our poll plan reads (every scalar by GET, every column by walk), one module per set of
// credentials (0.21 keeps auth in the module), scraped the way Prometheus scrapes it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SnmpCredentials } from '../../../nms/src/protocol/inventory';
import { columnOids, type PollPlan, scalarOids } from '../../../nms/src/snmp/poll-engine';
import { freePort } from '../../support/ports';
import type { BenchDevice } from './snmp-agents';

const moduleName = (c: SnmpCredentials) => (c.version === '2c' ? `v2c_${c.community}` : `v3_${c.user}`);

function auth(c: SnmpCredentials): Record<string, string> {
  if (c.version === '2c') return { community: c.community };
  return {
    security_level: c.level,
    username: c.user,
    auth_protocol: c.authProtocol.toUpperCase(),
    password: c.authKey,
    priv_protocol: 'AES',
    priv_password: c.privKey ?? '',
  };
}

export function exporterConfig(devices: BenchDevice[], plan: PollPlan): Record<string, unknown> {
  const kind = new Map([...plan.scalars, ...plan.columns.map((c) => c.column)].map((f) => [f.oid, f.type]));
  const type = (oid: string) => {
    const t = kind.get(oid);
    if (t === 'string' || t === 'oid') return 'DisplayString';
    return t === 'counter32' || t === 'counter64' ? 'counter' : 'gauge';
  };
  const walk = columnOids(plan);
  const get = scalarOids(plan);
  const metrics = [
    ...walk.map((oid, i) => ({ name: `c${i}`, oid, type: type(oid), indexes: [{ labelname: 'idx', type: 'gauge' }] })),
    ...get.map((oid, i) => ({ name: `s${i}`, oid, type: type(oid) })),
  ];
  const modules: Record<string, unknown> = {};
  for (const d of devices) {
    const v3 = d.credentials.version === '3';
    modules[moduleName(d.credentials)] ??= {
      walk,
      get,
      version: v3 ? 3 : 2,
      max_repetitions: 25,
      retries: 1,
      timeout: '5s',
      auth: auth(d.credentials),
      metrics,
    };
  }
  return modules;
}

export interface Exporter {
  pid: number;
  /** One Prometheus-style scrape of one device: the samples it carried (each one decoded varbind). */
  scrape(d: BenchDevice): Promise<number>;
  stop(): void;
}

export async function startExporter(devices: BenchDevice[], plan: PollPlan): Promise<Exporter> {
  const dir = mkdtempSync(join(tmpdir(), 'nms-bench-exporter-'));
  // JSON is YAML; 0.21 has its modules at the top level.
  writeFileSync(join(dir, 'snmp.yml'), JSON.stringify(exporterConfig(devices, plan)));
  const port = await freePort();
  const child: ChildProcess = spawn(
    'nice',
    ['-n', '15', 'prometheus-snmp-exporter', `--config.file=${join(dir, 'snmp.yml')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (d) => {
    log = (log + d).slice(-5000);
  });
  const scrape = async (d: BenchDevice) => {
    const res = await fetch(`http://127.0.0.1:${port}/snmp?target=127.0.0.1:${d.port}&module=${moduleName(d.credentials)}`);
    const text = await res.text();
    if (!res.ok) throw new Error(`exporter ${res.status}: ${text.slice(0, 300)}`);
    let samples = 0;
    for (const line of text.split('\n')) if (line && line[0] !== '#' && !line.startsWith('snmp_scrape_')) samples++;
    return samples;
  };
  for (let i = 0; ; i++) {
    try {
      await scrape(devices[0]!);
      break;
    } catch (e) {
      if (i > 80) throw new Error(`${(e as Error).message}\n${log}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return { pid: child.pid!, scrape, stop: () => child.kill('SIGTERM') };
}
