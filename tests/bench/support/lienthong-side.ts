// What the benches that put `npm run loadtest` on LienThong share: the product started as
// deployed, the load tool run against it, and the hold's CPU and forwarded packets cut out of a
// /proc watch of the server's process tree.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { LoadTestReport } from '../../../infra/loadtest/report';
import { spawnLoadTest } from '../../support/loadtest-cli';
import { loginAdmin, startSfuServer } from '../../support/sfu-process';
import { cpuBetween, type TreeSample } from './proc-tree';

export interface Target {
  url: string;
  caFile: string;
  pid: number;
  stop(): Promise<void>;
}

/** The product as deployed: its defaults (adaptation, a spare worker), loadTest opted in. */
export async function startLienThong(workers: number, profileDir?: string): Promise<Target> {
  const sfu = await startSfuServer({
    workers,
    spareWorker: true,
    extraConfig: 'loadTest:\n  enabled: true',
    nodeArgs: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
  });
  await loginAdmin(sfu.url); // the one-time initial password becomes ADMIN_PASSWORD
  return { url: sfu.httpsUrl(), caFile: sfu.caFile, pid: sfu.child.pid!, stop: () => sfu.stop() };
}

/** Only a load process's phase changes and final summary: one progress line a second would drown the rest. */
export function relayLoadOutput(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  child.stdout.on('data', (d: Buffer) => {
    for (const line of String(d).split('\n'))
      if (/^(server over|this tool|errors|Load test|hold:)/.test(line)) process.stdout.write(`    ${line.trim()}\n`);
  });
  child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  return new Promise((r) => child.on('exit', r));
}

/** `npm run loadtest` against a target; the report goes to `json`. Resolves with its exit code. */
export function runLoadTool(t: Target, o: { sites: number; hold: number; json: string }): Promise<number | null> {
  return relayLoadOutput(
    spawnLoadTest([
      '--url',
      t.url,
      '--ca',
      t.caFile,
      '--sites',
      String(o.sites),
      '--ramp',
      '2',
      '--hold',
      String(o.hold),
      '--json',
      o.json,
    ]),
  );
}

/** The first seconds of the hold still carry the ramp's last layer switches: they are skipped. */
export const SKIP_MS = 5000;

/**
 * The server tree's CPU over the hold (less its first SKIP_MS), and the RTP packets the sites
 * received in that window (the hold's count, pro rata: the sites' counters span the whole hold).
 */
export function holdMeasure(samples: TreeSample[], hold: { startedAt: number; endedAt: number }, perSite: LoadTestReport['perSite']) {
  const cpu = cpuBetween(samples, hold.startedAt + SKIP_MS, hold.endedAt);
  const packets = perSite.reduce((a, s) => a + s.receivedPackets, 0) * ((cpu.seconds * 1000) / (hold.endedAt - hold.startedAt));
  return { cpu, packets };
}
