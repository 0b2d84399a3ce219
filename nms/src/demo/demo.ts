// Demo network (flagged demo everywhere): snmpsimd serves one simulated router per seeded
// district plus the province core, counters moving; one district uplink is down so the
// folding of its communes under that cause is visible at once.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceInput, ImportFile, LinkInput } from '../protocol/inventory';
import { type SimInterface, snmprec } from './snmprec';

export interface DemoSite {
  code: string;
  parentCode: string | null;
}

export interface DemoPlan {
  files: Record<string, string>;
  inventory: ImportFile;
}

const ascii = (code: string) => code.toLowerCase().replace(/[^a-z0-9]+/g, '-');

export function demoPlan(sites: DemoSite[], port: number, districts: number): DemoPlan {
  const province = sites.find((s) => s.parentCode === null);
  if (!province) return { files: {}, inventory: {} };
  let ds = sites.filter((s) => s.parentCode === province.code);
  if (districts > 0) ds = ds.slice(0, districts);
  const files: Record<string, string> = {};
  const devices: DeviceInput[] = [];
  const links: LinkInput[] = [];
  const device = (name: string, siteCode: string): DeviceInput => ({
    name,
    siteCode,
    role: 'router',
    address: '127.0.0.1',
    snmpPort: port,
    snmp: { version: '2c', community: name },
    pollIntervalSeconds: 15,
    timeoutMs: 1500,
    retries: 1,
    probe: true,
    demo: true,
  });
  const coreName = `demo-${ascii(province.code)}-core`;
  const coreIfs: SimInterface[] = [];
  ds.forEach((d, i) => {
    const name = `demo-${ascii(d.code)}-r1`;
    const down = i === ds.length - 1; // the last district's uplink is cut
    const speed = 100e6;
    const load = [0.15, 0.35, 0.55, 0.85, 0.25][i % 5]! * (speed / 8);
    coreIfs.push({
      ifIndex: i + 2,
      name: `ge-0/0/${i + 1}`,
      alias: `to ${d.code}`,
      speedBps: speed,
      operUp: !down,
      inOctets: 10n ** 9n,
      outOctets: 2n * 10n ** 9n,
      inRate: down ? 0 : load / 3,
      outRate: down ? 0 : load,
    });
    files[name] = snmprec({
      sysName: name,
      sysDescr: `LienThong DEMO router for ${d.code} (simulated)`,
      uptimeTicks: 8_640_000 + i * 1000,
      liveUptime: true,
      cpuLoad: 10 + i * 7,
      memory: { sizeKb: 1_048_576, usedKb: 300_000 + i * 50_000 },
      interfaces: [
        {
          ifIndex: 1,
          name: 'ge-0/0/0',
          alias: `uplink to ${province.code}`,
          speedBps: speed,
          operUp: !down,
          inOctets: 5n * 10n ** 9n,
          outOctets: 10n ** 9n,
          inRate: down ? 0 : load,
          outRate: down ? 0 : load / 3,
        },
        {
          ifIndex: 2,
          name: 'ge-0/0/1',
          alias: 'LAN',
          speedBps: 1e9,
          inOctets: 10n ** 8n,
          outOctets: 10n ** 8n,
          inRate: 20_000,
          outRate: 50_000,
        },
      ],
    });
    devices.push(device(name, d.code));
    links.push({
      name: `demo-${ascii(d.code)}-uplink`,
      downstream: { siteCode: d.code, device: name, interface: 'ge-0/0/0' },
      upstream: { siteCode: province.code, device: coreName, interface: `ge-0/0/${i + 1}` },
      speedBps: speed,
      role: 'primary',
      demo: true,
    });
  });
  coreIfs.unshift({
    ifIndex: 1,
    name: 'ge-0/0/0',
    alias: 'to data centre',
    speedBps: 1e9,
    inOctets: 10n ** 10n,
    outOctets: 10n ** 10n,
    inRate: 2_000_000,
    outRate: 1_500_000,
  });
  files[coreName] = snmprec({
    sysName: coreName,
    sysDescr: `LienThong DEMO province core router (simulated)`,
    uptimeTicks: 50_000_000,
    liveUptime: true,
    cpuLoad: 22,
    memory: { sizeKb: 4_194_304, usedKb: 1_500_000 },
    interfaces: coreIfs,
  });
  devices.unshift(device(coreName, province.code));
  return { files, inventory: { devices, links } };
}

/** Writes the .snmprec files and starts snmpsimd on 127.0.0.1:port. */
export function startSnmpsim(dir: string, port: number, files: Record<string, string>, logFile?: string): ChildProcess {
  const data = join(dir, 'data');
  const cache = join(dir, 'cache');
  mkdirSync(data, { recursive: true });
  mkdirSync(cache, { recursive: true });
  for (const [community, text] of Object.entries(files)) writeFileSync(join(data, `${community}.snmprec`), text);
  // snmpsimd refuses to run as root; it drops to nobody, who must read the data and write the cache.
  for (const p of [dir, data, cache]) chmodSync(p, 0o777);
  const args = [`--data-dir=${data}`, `--cache-dir=${cache}`, `--agent-udpv4-endpoint=127.0.0.1:${port}`, '--logging-method=null'];
  if (process.getuid?.() === 0) args.push('--process-user=nobody', '--process-group=nogroup');
  const child = spawn('snmpsimd', args, { stdio: ['ignore', 'ignore', logFile ? 'pipe' : 'ignore'] });
  return child;
}

export function writeInventoryFile(path: string, inv: ImportFile): void {
  writeFileSync(path, JSON.stringify(inv, null, 2));
}
