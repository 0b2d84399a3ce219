// A thin link for a test namespace: tc tbf caps the rate on both veth ends (host side: what the
// site receives; namespace side: what it sends), and nftables drops packets at random in the
// namespace, both ways (this kernel has no sch_netem). Loopback inside the namespace is spared.
import { execFileSync } from 'node:child_process';
import type { TestNetns } from './netns';

export interface LinkShape {
  rateKbit: number;
  /** Random drops, percent of packets, each way. */
  lossPercent: number;
}

const run = (cmd: string, args: string[], input?: string) =>
  execFileSync(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(input === undefined ? {} : { input }) });
const inNs = (ns: TestNetns, cmd: string, args: string[], input?: string) => run('ip', ['netns', 'exec', ns.name, cmd, ...args], input);

/** The namespace's end of the veth pair (its one device besides lo). */
function nsDev(ns: TestNetns): string {
  const links = JSON.parse(inNs(ns, 'ip', ['-j', 'link', 'show']).toString()) as { ifname: string }[];
  const dev = links.map((l) => l.ifname).find((n) => n !== 'lo');
  if (!dev) throw new Error(`no veth in namespace ${ns.name}`);
  return dev;
}

const tbf = (rateKbit: number) => ['root', 'tbf', 'rate', `${rateKbit}kbit`, 'burst', '4kb', 'latency', '200ms'];

const TABLE = 'lt_shape';

function lossRules(percent: number): string {
  // Created then deleted first so that loading it again replaces it.
  const head = [`table inet ${TABLE}`, `delete table inet ${TABLE}`];
  if (percent <= 0) return `${head.join('\n')}\n`;
  return [
    ...head,
    `table inet ${TABLE} {`,
    '  chain in {',
    '    type filter hook input priority -10; policy accept;',
    `    iif != "lo" numgen random mod 100 < ${percent} drop`,
    '  }',
    '  chain out {',
    '    type filter hook output priority -10; policy accept;',
    `    oif != "lo" numgen random mod 100 < ${percent} drop`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Shapes the namespace's link: `rateKbit` each way, `lossPercent` random drops each way. Replaces any earlier shape. */
export function shape(ns: TestNetns, s: LinkShape): void {
  run('tc', ['qdisc', 'replace', 'dev', ns.hostDev, ...tbf(s.rateKbit)]);
  inNs(ns, 'tc', ['qdisc', 'replace', 'dev', nsDev(ns), ...tbf(s.rateKbit)]);
  inNs(ns, 'nft', ['-f', '-'], lossRules(s.lossPercent));
}

/** Lifts the shape: full rate, no drops. */
export function unshape(ns: TestNetns): void {
  for (const del of [
    () => run('tc', ['qdisc', 'del', 'dev', ns.hostDev, 'root']),
    () => inNs(ns, 'tc', ['qdisc', 'del', 'dev', nsDev(ns), 'root']),
  ]) {
    try {
      del();
    } catch {
      // no qdisc there
    }
  }
  inNs(ns, 'nft', ['-f', '-'], lossRules(0));
}
