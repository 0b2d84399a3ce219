// `npm run loadtest` (infra/loadtest) as an operator runs it: the real CLI in a child process
// against a real sfu-server over HTTPS (the server's CA), three simulated sites sending simulcast
// VP8 and Opus over WebRTC. And its refusal of a server that did not opt in to load tests.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadTestReport } from '../../infra/loadtest/report';
import { spawnLoadTest } from '../support/loadtest-cli';
import { loginAdmin, type SfuProcess, startSfuServer } from '../support/sfu-process';

function runTool(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawnLoadTest(args);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => done({ code, out }));
  });
}

async function listed(sfu: SfuProcess, path: string): Promise<string> {
  const token = await loginAdmin(sfu.url);
  return JSON.stringify(await (await fetch(`${sfu.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json());
}

describe('npm run loadtest', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lt-loadtest-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('three sites join over HTTPS and WebRTC, each receives the others; the report has join times and server CPU', async () => {
    const sfu = await startSfuServer({ workers: 2, spareWorker: true, extraConfig: 'loadTest:\n  enabled: true' });
    try {
      await loginAdmin(sfu.url); // changes the one-time initial password to ADMIN_PASSWORD
      const json = join(dir, 'report.json');
      const run = await runTool([
        '--url',
        sfu.httpsUrl(),
        '--ca',
        sfu.caFile,
        '--sites',
        '3',
        '--ramp',
        '3',
        '--hold',
        '12',
        '--speaker-every',
        '6',
        '--json',
        json,
      ]);
      expect(run.code, run.out).toBe(0);
      expect(run.out).toMatch(/joined 3\/3/); // the progress lines
      const r = JSON.parse(readFileSync(json, 'utf8')) as LoadTestReport;
      expect(r.errors).toEqual([]);
      expect([r.sites, r.joined, r.failed]).toEqual([3, 3, 0]);
      expect(r.joinMs?.count).toBe(3);
      expect(r.joinMs!.max).toBeGreaterThan(0);
      for (const s of r.perSite) {
        expect(s.firstFrameMs, `site ${s.site}`).toBeGreaterThan(0);
        expect(s.receiveKbps, `site ${s.site}`).toBeGreaterThan(20);
        // Two other sites, each a camera and a microphone; decoded video from both (about 15 fps each).
        expect([s.audioStreams, s.videoStreams], `site ${s.site}`).toEqual([2, 2]);
        expect(s.videoFps, `site ${s.site}`).toBeGreaterThan(10);
        expect(s.videoLayersSent, `site ${s.site}`).toBeGreaterThanOrEqual(2);
      }
      // Site 1 speaks, then site 2 (from 6 s into the hold): the server makes the speaker the main
      // picture, and the others ask for its top layer; at 640x360 the sender's WebRTC sends two
      // layers (160 and 320 wide). The speaker itself sees the latest other speaker (site 1) big, not
      // itself: so every site receives one picture at the top layer and one thumbnail. (Relative, not
      // exact: a sender short of CPU may scale its camera down.)
      for (const s of r.perSite) {
        expect(s.narrowestVideo, `site ${s.site}: ${run.out}`).toBeGreaterThan(0);
        expect(s.widestVideo, `site ${s.site}: ${run.out}`).toBeGreaterThanOrEqual(2 * s.narrowestVideo);
      }
      const cpu = Object.fromEntries(r.server!.processes.map((p) => [p.name, p.cpuSeconds]));
      // Every process of the server: Node, both workers and the spare one started ahead (plus what else it started).
      expect(Object.keys(cpu)).toEqual(expect.arrayContaining(['node', 'worker-0', 'worker-1', 'worker-spare']));
      expect(cpu.node).toBeGreaterThan(0);
      expect(cpu['worker-0']! + cpu['worker-1']!).toBeGreaterThan(0);
      expect(r.server!.rssBytes).toBeGreaterThan(0);
      // The server's view of the same streams: 3 sites x 2 others, per kind, with mediasoup's scores.
      const scores = r.server!.consumerScores;
      expect([scores.audio.consumers, scores.video.consumers]).toEqual([6, 6]);
      expect(scores.video.mean).toBeGreaterThan(5);
      // What the run created is gone again: no load-test site below LOADTEST, no load-test account but its disabled chair.
      const sites = JSON.parse(await listed(sfu, '/api/sites')) as { sites: { code: string }[] };
      expect(sites.sites.filter((s) => s.code.startsWith('LOADTEST-'))).toEqual([]);
      const users = JSON.parse(await listed(sfu, '/api/users')) as { users: { username: string; disabled: boolean }[] };
      expect(users.users.filter((u) => u.username.startsWith('loadtest.')).map((u) => [u.username, u.disabled])).toEqual([
        ['loadtest.chair', true],
      ]);
    } finally {
      await sfu.stop();
    }
  });

  it('refuses a server that did not opt in, and changes nothing there', async () => {
    const sfu = await startSfuServer();
    try {
      const before = [await listed(sfu, '/api/sites'), await listed(sfu, '/api/users')];
      const run = await runTool(['--url', sfu.httpsUrl(), '--ca', sfu.caFile, '--sites', '2', '--hold', '2']);
      expect(run.code, run.out).toBe(2);
      expect(run.out).toContain('does not accept load tests');
      const help = await runTool(['--help']);
      expect([help.code, help.out.includes('--sites N')]).toEqual([0, true]);
      expect([await listed(sfu, '/api/sites'), await listed(sfu, '/api/users')]).toEqual(before);
    } finally {
      await sfu.stop();
    }
  });
});
