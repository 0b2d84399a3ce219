// `npm run loadtest` (infra/loadtest/cli.ts) as a child process, with the admin password that
// loginAdmin sets (tests and benches drive it the way an operator would).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ADMIN_PASSWORD } from './sfu-process';

const root = resolve(import.meta.dirname, '../..');

export function spawnLoadTest(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', join(root, 'infra/loadtest/cli.ts'), ...args], {
    cwd: root,
    env: { ...process.env, LIENTHONG_ADMIN_PASSWORD: ADMIN_PASSWORD },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}
