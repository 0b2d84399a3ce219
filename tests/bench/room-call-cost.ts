// What a meeting-room codec's call costs the server: K baresip room systems (H.264 from their test
// pattern, G.711 talker-like tone) dial the demo's live meeting; each sees the other's picture and
// hears the mix (decode, mix, encode). Two servers run side by side: one passes the other room's
// H.264 through as it is, one re-encodes it (H.264 decode, scale, x264 encode; sip.passThrough
// false). Each is measured with the K calls in and with none, interleaved (pass calls, pass idle,
// encode calls, encode idle, then the other order); the cost per call is the difference of every
// process's CPU (Node, workers, the GStreamer pipelines, from /proc) over the same hold, divided by
// K. Medians with min-max.
// Results: docs/bench/room-call-cost.json.
// Run: npm run bench -- room-call   (BENCH_ROUNDS=3 BENCH_ROOMS=2 BENCH_HOLD=30 BENCH_PICTURE=1280x720;
// the rooms send and are sent that size; 720p is sent at 1500 kbit/s, 640x360 at 800)
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { baresip, speechLike } from '../support/baresip';
import { waitFor } from '../support/browser';
import { loginAdmin, type SfuProcess, startSfuServer, stopChild } from '../support/sfu-process';
import { freeUdpPort } from '../support/sip';
import { commit, machine, spreadOf } from './support/bench-meta';
import { cpuBetween, watchTree } from './support/proc-tree';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROOMS = Number(process.env.BENCH_ROOMS ?? 2);
const HOLD = Number(process.env.BENCH_HOLD ?? 30);
/** After the calls are up: the pipelines' start and the first keyframes are not the steady state. */
const SETTLE_MS = 8000;
const [W, H] = (process.env.BENCH_PICTURE ?? '1280x720').split('x').map(Number) as [number, number];
const picture = { width: W, height: H, fps: 25, kbps: H > 360 ? 1500 : 800 };
const root = resolve(import.meta.dirname, '../..');
const out = join(root, 'docs/bench/room-call-cost.json');
const measured = commit();

/** One server as the bench sees it: its admin, the demo meeting's number, K registered codecs. */
interface Server {
  name: 'pass' | 'encode';
  sfu: SfuProcess;
  sipPort: number;
  number: string;
  users: string[];
  metric: (name: string) => Promise<number>;
}

async function server(name: Server['name']): Promise<Server> {
  const sipPort = await freeUdpPort();
  const sfu = await startSfuServer({ sipPort, workers: 2, spareWorker: true, sipVideo: picture, sipPassThrough: name === 'pass' });
  const admin = { authorization: `Bearer ${await loginAdmin(sfu.url)}`, 'content-type': 'application/json' };
  const get = async <T>(path: string): Promise<T> => (await (await fetch(`${sfu.url}${path}`, { headers: admin })).json()) as T;
  const metric = async (m: string) => {
    const text = await (await fetch(`${sfu.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${m} `));
    return line ? Number(line.split(' ')[1]) : Number.NaN;
  };
  // The demo's live meeting, its number, and one codec at each of K sites of the district it invites.
  const { meetings } = await get<{ meetings: { id: string; phase: string }[] }>('/api/meetings/upcoming');
  const meeting = meetings.find((m) => m.phase === 'live');
  if (!meeting) throw new Error('the demo has no live meeting');
  const { number } = await get<{ number: string }>(`/api/meetings/${meeting.id}/dial-in`);
  const { sites } = await get<{ sites: { id: string; code: string }[] }>('/api/sites');
  const codes = sites.map((s) => s.code).filter((c) => c === 'TN-DT' || c.startsWith('TN-DT-'));
  if (codes.length < ROOMS) throw new Error(`only ${codes.length} sites under TN-DT`);
  const users: string[] = [];
  for (const code of codes.slice(0, ROOMS)) {
    const sipUser = `bench-${code.toLowerCase()}`;
    const r = await fetch(`${sfu.url}/api/room-systems`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ siteId: sites.find((s) => s.code === code)!.id, name: `Bench ${code}`, sipUser }),
    });
    if (r.status !== 201) throw new Error(`registering ${sipUser}: ${r.status} ${await r.text()}`);
    users.push(sipUser);
  }
  return { name, sfu, sipPort, number, users, metric };
}

// Two servers side by side: one passes a room's H.264 to the other room as it is, one re-encodes it.
const servers = [await server('pass'), await server('encode')];
const tmp = mkdtempSync(join(tmpdir(), 'lt-room-bench-'));
speechLike(join(tmp, 'speech.wav'));

async function withCalls(s: Server): Promise<ChildProcess[]> {
  const procs: ChildProcess[] = [];
  for (const u of s.users) {
    const room = await baresip(
      join(tmp, 'speech.wav'),
      join(tmp, `${s.name}-${u}`),
      u,
      'PCMU',
      `sip:${s.number}@127.0.0.1:${s.sipPort}`,
      undefined,
      `${W}x${H}`,
    );
    procs.push(room.proc);
  }
  await waitFor(
    () => s.metric('lienthong_sip_calls'),
    (n) => n === ROOMS,
    30_000,
    `${ROOMS} calls up`,
  );
  return procs;
}

async function hangUp(s: Server, procs: ChildProcess[]): Promise<void> {
  for (const p of procs) await stopChild(p);
  await waitFor(
    async () => [await s.metric('lienthong_sip_calls'), await s.metric('lienthong_sip_media_pipelines')],
    (v) => v[0] === 0 && v[1] === 0,
    20_000,
    'calls and pipelines gone',
  );
}

interface Window {
  server: Server['name'];
  side: 'calls' | 'idle';
  round: number;
  seconds: number;
  cpuSeconds: number;
  byName: Record<string, number>;
  changed: string[];
  /** Calls passing a room's H.264 through at the end of the hold. */
  passingThrough?: number;
}

async function hold(s: Server, side: Window['side'], round: number): Promise<Window> {
  const watch = watchTree(s.sfu.child.pid!);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const from = Date.now();
  await new Promise((r) => setTimeout(r, HOLD * 1000));
  const to = Date.now();
  const passingThrough = side === 'calls' ? await s.metric('lienthong_sip_video_passthrough') : undefined;
  await new Promise((r) => setTimeout(r, 600));
  watch.stop();
  const cpu = cpuBetween(watch.samples, from, to);
  return {
    server: s.name,
    side,
    round,
    seconds: cpu.seconds,
    cpuSeconds: cpu.total,
    byName: cpu.byName,
    changed: cpu.changed,
    ...(passingThrough === undefined ? {} : { passingThrough }),
  };
}

const windows: Window[] = [];
try {
  for (let round = 1; round <= ROUNDS; round++)
    for (const s of round % 2 ? servers : [...servers].reverse()) {
      const procs = await withCalls(s);
      const calls = await hold(s, 'calls', round);
      await hangUp(s, procs);
      const idle = await hold(s, 'idle', round);
      windows.push(calls, idle);
      const perCall = (calls.cpuSeconds / calls.seconds - idle.cpuSeconds / idle.seconds) / ROOMS;
      const gst = (calls.byName['gst-launch-1.0'] ?? 0) / calls.seconds / ROOMS;
      console.log(
        `  round ${round} ${s.name}: ${ROOMS} calls ${(calls.cpuSeconds / calls.seconds).toFixed(3)} cores (${calls.passingThrough} passing through), idle ${(idle.cpuSeconds / idle.seconds).toFixed(3)} cores -> ${perCall.toFixed(3)} cores per call (GStreamer ${gst.toFixed(3)})`,
      );
    }
} finally {
  for (const s of servers) await s.sfu.stop();
  rmSync(tmp, { recursive: true, force: true });
}

const rounds = [...new Set(windows.map((w) => w.round))];
/** Cores of the processes whose name starts so (/proc's comm is cut at 15 characters), or of all. */
const rate = (w: Window, prefix?: string) =>
  (prefix === undefined ? w.cpuSeconds : Object.entries(w.byName).reduce((t, [n, v]) => t + (n.startsWith(prefix) ? v : 0), 0)) / w.seconds;
const pair = (name: Server['name'], r: number) =>
  [
    windows.find((w) => w.server === name && w.round === r && w.side === 'calls')!,
    windows.find((w) => w.server === name && w.round === r && w.side === 'idle')!,
  ] as const;
const perCall = (name: Server['name'], prefix?: string) =>
  spreadOf(
    rounds.map((r) => {
      const [c, i] = pair(name, r);
      return (rate(c, prefix) - rate(i, prefix)) / ROOMS;
    }),
  );
const costs = (name: Server['name']) => ({
  coresPerCall: perCall(name),
  gstreamerCoresPerCall: perCall(name, 'gst-launch-1.0'),
  nodeCoresPerCall: perCall(name, 'node'),
  workerCoresPerCall: perCall(name, 'mediasoup'),
});
const summary = {
  reencoded: costs('encode'),
  passedThrough: costs('pass'),
  goal: 'at most 0.5 core per call re-encoded; almost nothing passed through',
};
writeFileSync(
  out,
  `${JSON.stringify(
    {
      bench: 'room-call-cost',
      commit: measured,
      at: new Date().toISOString(),
      machine: machine(),
      setup: {
        rooms: ROOMS,
        holdSeconds: HOLD,
        rounds: ROUNDS,
        roomSends: `H.264 ${W}x${H} 25 fps, PCMU`,
        roomGets: `the other room's picture: as it is (pass) or H.264 CB ${W}x${H} 25 fps ${picture.kbps} kbit/s (encode); PCMU mix`,
      },
      summary,
      windows,
    },
    null,
    2,
  )}\n`,
);
const f = (s: { median: number; min: number; max: number }) => `${s.median.toFixed(3)} [${s.min.toFixed(3)}-${s.max.toFixed(3)}]`;
const line = (name: string, c: ReturnType<typeof costs>) =>
  `  ${name}: all processes ${f(c.coresPerCall)}; GStreamer ${f(c.gstreamerCoresPerCall)}, node ${f(c.nodeCoresPerCall)}, workers ${f(c.workerCoresPerCall)}\n`;
console.log(
  `\nCPU per room-system call, cores, median [min-max] of ${rounds.length} interleaved rounds (${ROOMS} calls against none):\n` +
    line('re-encoded (goal <= 0.5)', summary.reencoded) +
    line('passed through', summary.passedThrough) +
    `  written to ${out}`,
);
process.exit(0);
