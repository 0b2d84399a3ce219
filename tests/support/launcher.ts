// For tests that run `npm start`'s launcher (infra/run/start.ts): a copy of the checkout (the launcher
// writes var/, the CA, the stores and the cascade demo's keys, under its own root, so the work tree's
// var/ stays untouched) and a free LIENTHONG_PORT_OFFSET.
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

/** The working tree as checked out (tracked and new files, not ignored ones), plus the built web app. */
export function copyCheckout(dest: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const f of new Set(files)) {
    const from = join(root, f);
    if (!existsSync(from) || statSync(from).isDirectory()) continue; // deleted in the work tree, or a submodule
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    copyFileSync(from, join(dest, f));
    chmodSync(join(dest, f), statSync(from).mode & 0o777);
  }
  cpSync(join(root, 'web/dist'), join(dest, 'web/dist'), { recursive: true });
  // Installed packages are linked from the root; the workspace links point into the copy itself.
  mkdirSync(join(dest, 'node_modules'));
  for (const e of readdirSync(join(root, 'node_modules'))) {
    if (e === '@lienthong')
      cpSync(join(root, 'node_modules', e), join(dest, 'node_modules', e), { recursive: true, verbatimSymlinks: true });
    else symlinkSync(join(root, 'node_modules', e), join(dest, 'node_modules', e));
  }
}

const tcpFree = (port: number) =>
  new Promise<boolean>((done) => {
    const s = createServer();
    s.once('error', () => done(false));
    s.listen(port, '0.0.0.0', () => s.close(() => done(true)));
  });
const udpFree = (port: number) =>
  new Promise<boolean>((done) => {
    const s = createSocket('udp4');
    s.once('error', () => done(false));
    s.bind(port, '0.0.0.0', () => s.close(() => done(true)));
  });

/** An offset whose moved ports are all free now; media ports stay below the ephemeral range (32768+). */
export async function freeOffset(ports: { tcp: number[]; udp: number[] }, max = 11_500): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const n = 500 + Math.floor(Math.random() * max);
    const free = await Promise.all([...ports.tcp.map((p) => tcpFree(p + n)), ...ports.udp.map((p) => udpFree(p + n))]);
    if (free.every(Boolean)) return n;
  }
  throw new Error('no free port offset');
}
