// Helpers for the nms integration tests: free UDP ports, real peers as child processes.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free UDP port (free for TCP too; outside the ephemeral range, see freePort). */
export { freePort as freeUdpPort } from '../support/ports';

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 20_000, everyMs = 200): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export interface Peer {
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

export function startPeer(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Peer {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => {
    out = (out + d).slice(-20_000);
  });
  child.stderr?.on('data', (d) => {
    out = (out + d).slice(-20_000);
  });
  return {
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

export interface SnmpdUser {
  name: string;
  auth: 'SHA' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';
  authKey: string;
  priv: 'AES' | 'AES-256';
  privKey: string;
}

/** Debian snmpd on 127.0.0.1:port (or a namespace address) with a v2c community and v3 authPriv users. */
export function startSnmpd(opts: {
  address: string;
  port: number;
  community: string;
  users: SnmpdUser[];
  netns?: string;
  extra?: string[];
  /** Reuse the directory of an earlier run: the same engine ID, one more boot. */
  dir?: string;
}): Peer & { dir: string } {
  const dir = opts.dir ?? tempDir('nms-snmpd-');
  mkdirSync(join(dir, 'persist'), { recursive: true });
  const conf = [
    `agentaddress udp:${opts.address}:${opts.port}`,
    `rocommunity ${opts.community} default`,
    ...opts.users.flatMap((u) => [`createUser ${u.name} ${u.auth} ${u.authKey} ${u.priv} ${u.privKey}`, `rouser ${u.name} priv`]),
    ...(opts.extra ?? []),
  ].join('\n');
  writeFileSync(join(dir, 'snmpd.conf'), `${conf}\n`);
  // -C skips the persistent file too; name it so a rerun keeps its engine ID and counts a boot.
  const persisted = join(dir, 'persist', 'snmpd.conf');
  const confs = [join(dir, 'snmpd.conf'), ...(opts.dir && existsSync(persisted) ? [persisted] : [])].join(',');
  const args = ['-f', '-Lo', '-C', '-c', confs, '-p', join(dir, 'snmpd.pid')];
  const env = { SNMP_PERSISTENT_DIR: join(dir, 'persist'), MIBS: '' };
  const peer = opts.netns ? startPeer('ip', ['netns', 'exec', opts.netns, 'snmpd', ...args], env) : startPeer('snmpd', args, env);
  return { ...peer, dir };
}
