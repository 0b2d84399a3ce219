// Demo network (flagged demo everywhere): snmpsimd serves one simulated router per district
// of the site tree plus the province core, counters moving; one district uplink is down so
// the folding of its communes under that cause is visible at once.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
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

export interface DemoOptions {
  /** Districts to simulate (0 = all). */
  districts: number;
  /** The district whose uplink is cut; absent from the tree: the last district by code. */
  cutSiteCode: string;
}

/**
 * Districts in code order with the cut one last, so the plan depends on the tree only, not
 * on the order it was read in: the same district is cut at every start.
 */
export function demoDistricts(sites: DemoSite[], o: DemoOptions): { province: DemoSite; districts: DemoSite[] } | null {
  const province = [...sites].sort((a, b) => a.code.localeCompare(b.code)).find((s) => s.parentCode === null);
  if (!province) return null;
  const all = sites.filter((s) => s.parentCode === province.code).sort((a, b) => a.code.localeCompare(b.code));
  const cut = all.find((s) => s.code === o.cutSiteCode) ?? all[all.length - 1];
  if (!cut) return { province, districts: [] };
  let others = all.filter((s) => s !== cut);
  if (o.districts > 0) others = others.slice(0, o.districts - 1);
  return { province, districts: [...others, cut] };
}

const demoDevice = (name: string, siteCode: string, port: number): DeviceInput => ({
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

const UPLINK_SPEED = 100e6;

/** District i's router (uplink ge-0/0/0 to the core's ge-0/0/<i+1>), its link and the core's end. */
function districtRouter(d: DemoSite, i: number, down: boolean, province: DemoSite, coreName: string) {
  const name = `demo-${ascii(d.code)}-r1`;
  const load = [0.15, 0.35, 0.55, 0.85, 0.25][i % 5]! * (UPLINK_SPEED / 8);
  const coreIf: SimInterface = {
    ifIndex: i + 2,
    name: `ge-0/0/${i + 1}`,
    alias: `to ${d.code}`,
    speedBps: UPLINK_SPEED,
    operUp: !down,
    inOctets: 10n ** 9n,
    outOctets: 2n * 10n ** 9n,
    inRate: down ? 0 : load / 3,
    outRate: down ? 0 : load,
  };
  const uplink: SimInterface = {
    ifIndex: 1,
    name: 'ge-0/0/0',
    alias: `uplink to ${province.code}`,
    speedBps: UPLINK_SPEED,
    operUp: !down,
    inOctets: 5n * 10n ** 9n,
    outOctets: 10n ** 9n,
    inRate: down ? 0 : load,
    outRate: down ? 0 : load / 3,
  };
  const lan: SimInterface = {
    ifIndex: 2,
    name: 'ge-0/0/1',
    alias: 'LAN',
    speedBps: 1e9,
    inOctets: 10n ** 8n,
    outOctets: 10n ** 8n,
    inRate: 20_000,
    outRate: 50_000,
  };
  const file = snmprec({
    sysName: name,
    sysDescr: `LienThong DEMO router for ${d.code} (simulated)`,
    uptimeTicks: 8_640_000 + i * 1000,
    liveUptime: true,
    cpuLoad: 10 + i * 7,
    memory: { sizeKb: 1_048_576, usedKb: 300_000 + i * 50_000 },
    interfaces: [uplink, lan],
  });
  const link: LinkInput = {
    name: `demo-${ascii(d.code)}-uplink`,
    downstream: { siteCode: d.code, device: name, interface: 'ge-0/0/0' },
    upstream: { siteCode: province.code, device: coreName, interface: coreIf.name },
    speedBps: UPLINK_SPEED,
    role: 'primary',
    demo: true,
  };
  return { name, file, link, coreIf };
}

function coreRouter(coreName: string, districtIfs: SimInterface[]): string {
  const toDataCentre: SimInterface = {
    ifIndex: 1,
    name: 'ge-0/0/0',
    alias: 'to data centre',
    speedBps: 1e9,
    inOctets: 10n ** 10n,
    outOctets: 10n ** 10n,
    inRate: 2_000_000,
    outRate: 1_500_000,
  };
  return snmprec({
    sysName: coreName,
    sysDescr: `LienThong DEMO province core router (simulated)`,
    uptimeTicks: 50_000_000,
    liveUptime: true,
    cpuLoad: 22,
    memory: { sizeKb: 4_194_304, usedKb: 1_500_000 },
    interfaces: [toDataCentre, ...districtIfs],
  });
}

export function demoPlan(sites: DemoSite[], port: number, o: DemoOptions): DemoPlan {
  const chosen = demoDistricts(sites, o);
  if (!chosen) return { files: {}, inventory: {} };
  const { province, districts } = chosen;
  const coreName = `demo-${ascii(province.code)}-core`;
  const files: Record<string, string> = {};
  const devices: DeviceInput[] = [demoDevice(coreName, province.code, port)];
  const links: LinkInput[] = [];
  const coreIfs: SimInterface[] = [];
  districts.forEach((d, i) => {
    // The last district's uplink is cut.
    const r = districtRouter(d, i, i === districts.length - 1, province, coreName);
    files[r.name] = r.file;
    devices.push(demoDevice(r.name, d.code, port));
    links.push(r.link);
    coreIfs.push(r.coreIf);
  });
  files[coreName] = coreRouter(coreName, coreIfs);
  return { files, inventory: { devices, links } };
}

/** Writes the .snmprec files and starts snmpsimd on address:port (127.0.0.1 by default). */
export function startSnmpsim(
  dir: string,
  port: number,
  files: Record<string, string>,
  logFile?: string,
  address = '127.0.0.1',
): ChildProcess {
  const data = join(dir, 'data');
  const cache = join(dir, 'cache');
  mkdirSync(data, { recursive: true });
  mkdirSync(cache, { recursive: true });
  for (const [community, text] of Object.entries(files)) {
    const f = join(data, `${community}.snmprec`);
    writeFileSync(f, text);
    chmodSync(f, 0o644);
  }
  // snmpsimd refuses to run as root; it drops to nobody, who must read the data and write the cache
  // (and traverse every directory above them: see privateAgentDir).
  for (const p of [dir, data]) chmodSync(p, 0o755);
  chmodSync(cache, 0o777);
  const args = [`--data-dir=${data}`, `--cache-dir=${cache}`, `--agent-udpv4-endpoint=${address}:${port}`, '--logging-method=null'];
  if (process.getuid?.() === 0) args.push('--process-user=nobody', '--process-group=nogroup');
  const child = spawn('snmpsimd', args, { stdio: ['ignore', 'ignore', logFile ? 'pipe' : 'ignore'] });
  return child;
}

/**
 * A fresh directory for agent data that `nobody` can reach wherever the checkout lives (a clone
 * under a 0700 home or `mktemp -d` is not traversable): under the system temp dir, 0755.
 */
export function privateAgentDir(prefix = 'lienthong-demo-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** Whether `nobody` (other users) can traverse every directory from / down to dir. */
export function traversableByOthers(dir: string): boolean {
  let cur = resolve(dir);
  for (;;) {
    if ((statSync(cur).mode & 0o001) === 0) return false;
    const up = dirname(cur);
    if (up === cur) return true;
    cur = up;
  }
}

export function writeInventoryFile(path: string, inv: ImportFile): void {
  writeFileSync(path, JSON.stringify(inv, null, 2));
}
