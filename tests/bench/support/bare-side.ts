// The baseline the SFU benches measure LienThong against: tests/bench/bare-sfu, a minimal mediasoup
// app with the same workers, codecs and transport options, driven by the same `npm run loadtest`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freeMediaBasePort } from '../../support/ports';
import { stopChild } from '../../support/sfu-process';
import type { Target } from './lienthong-side';

const root = resolve(import.meta.dirname, '../../..');

/** Starts the bare app with `workers` mediasoup workers; resolves once it listens. */
export async function startBare(workers: number): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'lt-bare-'));
  const basePort = await freeMediaBasePort(workers);
  const server = join(root, 'tests/bench/bare-sfu/server.ts');
  const args = ['--import', 'tsx', server, '--port', '0', '--workers', String(workers), '--base-port', String(basePort), '--dir', dir];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise<{ url: string; ca: string }>((ok, fail) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      const line = buf.split('\n').find((l) => l.startsWith('{'));
      if (line) ok(JSON.parse(line));
    });
    child.once('exit', (code) => fail(new Error(`bare app exited (${code})`)));
  });
  return {
    url: first.url,
    caFile: first.ca,
    pid: child.pid!,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
