// .snmprec files for snmpsimd (demo agents, tests, benchmark): one file per community.
// Counters can move with snmpsim's `numeric` variation (rate per second).

export interface SimInterface {
  ifIndex: number;
  name: string;
  descr?: string;
  alias?: string;
  speedBps: number;
  adminUp?: boolean;
  operUp?: boolean;
  inOctets: bigint;
  outOctets: bigint;
  /** false: a 32-bit-only device (no ifXTable counters). */
  hc?: boolean;
  /** Bytes per second the counters grow by, via the numeric variation (absent: static). */
  inRate?: number;
  outRate?: number;
  inErrors?: number;
}

export interface SimDevice {
  sysName: string;
  sysDescr: string;
  uptimeTicks: number;
  /** sysUpTime ticks with time (numeric variation). */
  liveUptime?: boolean;
  interfaces: SimInterface[];
  cpuLoad?: number;
  memory?: { sizeKb: number; usedKb: number };
}

const str = (s: string) => `4|${s.replace(/\|/g, '/')}`;

export function snmprec(d: SimDevice): string {
  const rows: [string, string][] = [];
  const add = (oid: string, v: string) => rows.push([oid, v]);
  const counter = (tag: 65 | 70, value: bigint, rate: number | undefined) =>
    rate ? `${tag}:numeric|rate=${rate},initial=${value},wrap=1${tag === 65 ? ',max=4294967295' : ''}` : `${tag}|${value}`;
  add('1.3.6.1.2.1.1.1.0', str(d.sysDescr));
  add('1.3.6.1.2.1.1.2.0', '6|1.3.6.1.4.1.8072.3.2.10');
  add('1.3.6.1.2.1.1.3.0', d.liveUptime ? `67:numeric|rate=100,initial=${d.uptimeTicks}` : `67|${d.uptimeTicks}`);
  add('1.3.6.1.2.1.1.5.0', str(d.sysName));
  add('1.3.6.1.2.1.2.1.0', `2|${d.interfaces.length}`);
  for (const i of d.interfaces) {
    const x = i.ifIndex;
    const speed32 = Math.min(4294967295, i.speedBps);
    add(`1.3.6.1.2.1.2.2.1.1.${x}`, `2|${x}`);
    add(`1.3.6.1.2.1.2.2.1.2.${x}`, str(i.descr ?? i.name));
    add(`1.3.6.1.2.1.2.2.1.3.${x}`, '2|6');
    add(`1.3.6.1.2.1.2.2.1.5.${x}`, `66|${speed32}`);
    add(`1.3.6.1.2.1.2.2.1.7.${x}`, `2|${i.adminUp === false ? 2 : 1}`);
    add(`1.3.6.1.2.1.2.2.1.8.${x}`, `2|${i.operUp === false ? 2 : 1}`);
    add(`1.3.6.1.2.1.2.2.1.10.${x}`, counter(65, i.inOctets % (1n << 32n), i.inRate));
    add(`1.3.6.1.2.1.2.2.1.13.${x}`, '65|0');
    add(`1.3.6.1.2.1.2.2.1.14.${x}`, `65|${i.inErrors ?? 0}`);
    add(`1.3.6.1.2.1.2.2.1.16.${x}`, counter(65, i.outOctets % (1n << 32n), i.outRate));
    add(`1.3.6.1.2.1.2.2.1.19.${x}`, '65|0');
    add(`1.3.6.1.2.1.2.2.1.20.${x}`, '65|0');
    add(`1.3.6.1.2.1.31.1.1.1.1.${x}`, str(i.name));
    if (i.hc !== false) {
      add(`1.3.6.1.2.1.31.1.1.1.6.${x}`, counter(70, i.inOctets, i.inRate));
      add(`1.3.6.1.2.1.31.1.1.1.10.${x}`, counter(70, i.outOctets, i.outRate));
    }
    add(`1.3.6.1.2.1.31.1.1.1.15.${x}`, `66|${Math.round(i.speedBps / 1e6)}`);
    add(`1.3.6.1.2.1.31.1.1.1.18.${x}`, str(i.alias ?? ''));
  }
  if (d.cpuLoad !== undefined) add('1.3.6.1.2.1.25.3.3.1.2.1', `2|${d.cpuLoad}`);
  if (d.memory) {
    add('1.3.6.1.2.1.25.2.3.1.2.1', '6|1.3.6.1.2.1.25.2.1.2');
    add('1.3.6.1.2.1.25.2.3.1.4.1', '2|1024');
    add('1.3.6.1.2.1.25.2.3.1.5.1', `2|${d.memory.sizeKb}`);
    add('1.3.6.1.2.1.25.2.3.1.6.1', `2|${d.memory.usedKb}`);
  }
  rows.sort((a, b) => compareOid(a[0], b[0]));
  return `${rows.map(([o, v]) => `${o}|${v}`).join('\n')}\n`;
}

function compareOid(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}
