// Starts the real nms service (its main.ts) as a child process with a temporary config:
// demo devices on, sessions checked with sfu-server's public key fetched from its URL.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { freePort } from './ports';
import { login, type SfuProcess, startSfuServer } from './sfu-process';

type SfuOptions = NonNullable<Parameters<typeof startSfuServer>[0]>;

export interface NmsProcess {
  /** Plain HTTP on loopback (served, not redirected). */
  url: string;
  /** The plain HTTP port (http.plainPort). */
  port: number;
  /** HTTPS (http.port). */
  httpsPort: number;
  /** The CA (PEM) that issued nms's certificate. */
  caFile: string;
  httpsUrl(host?: string): string;
  /** UDP port of its trap receiver (127.0.0.1). */
  trapPort: number;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

const root = resolve(import.meta.dirname, '../..');

/** A free UDP port (demo agents, trap receiver); see freePort. */
export const freeUdpPort = freePort;

export async function startNms(opts: {
  publicKeyUrl: string;
  port?: number;
  demo?: boolean;
  /** Extra top-level YAML sections appended to the config (e.g. `probes:` lines). */
  extraConfig?: string[];
  /** auth.caFile: the CA sfu-server's certificate must come from (e.g. sfu.caFile); default: nms's own CA. */
  authCaFile?: string;
  /** http.tls.caDir (default: ca/ in its temp dir). Pass the sfu-server's to share one CA. */
  caDir?: string;
  /** http.port, HTTPS (default: a free port). */
  httpsPort?: number;
}): Promise<NmsProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'lt-nms-'));
  // The demo's snmpsimd runs as nobody when we are root: it must traverse to its data files.
  chmodSync(dir, 0o755);
  const port = opts.port ?? (await freePort());
  const httpsPort = opts.httpsPort ?? (await freePort());
  const caDir = opts.caDir ?? join(dir, 'ca');
  const config = join(dir, 'config.yaml');
  const trapPort = await freeUdpPort();
  writeFileSync(
    config,
    [
      'http:',
      '  host: 127.0.0.1',
      `  port: ${httpsPort}`,
      `  plainPort: ${port}`,
      '  tls:',
      `    caDir: ${caDir}`,
      'log:',
      '  level: warn',
      `dataDir: ${join(dir, 'data')}`,
      'auth:',
      `  publicKeyUrl: ${opts.publicKeyUrl}`,
      `  caFile: "${opts.authCaFile ?? join(caDir, 'ca.pem')}"`,
      '  retrySeconds: 1',
      '  revocationPollSeconds: 1',
      'sites:',
      '  pollSeconds: 1',
      'traps:',
      '  host: 127.0.0.1',
      `  port: ${trapPort}`,
      'demo:',
      `  enabled: ${opts.demo ?? true}`,
      `  basePort: ${await freeUdpPort()}`,
      ...(opts.extraConfig ?? []),
      '',
    ].join('\n'),
  );
  let log = '';
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'nms/src/main.ts'), '--config', config], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => {
    log = (log + d).slice(-50_000);
  });
  child.stderr?.on('data', (d) => {
    log = (log + d).slice(-50_000);
  });
  const proc: NmsProcess = {
    url: `http://127.0.0.1:${port}`,
    port,
    httpsPort,
    caFile: join(caDir, 'ca.pem'),
    httpsUrl: (host = '127.0.0.1') => `https://${host.includes(':') ? `[${host}]` : host}:${httpsPort}`,
    trapPort,
    child,
    output: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // Listening is enough here; callers wait for what they need (sessions accepted, data polled).
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nms exited early:\n${log}`);
    try {
      await fetch(`${proc.url}/healthz`);
      break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`nms not listening in 30 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return proc;
}

/**
 * sfu-server and nms over HTTPS from one internal CA (as on one machine), each verifying the other; returns
 * once nms accepts sfu-server's sessions (it fetches the public key first), with a network engineer's token.
 */
export async function startSfuAndNms(
  opts: { sfu?: Omit<SfuOptions, 'nmsUrl'>; nms?: Omit<Parameters<typeof startNms>[0], 'httpsPort' | 'caDir' | 'publicKeyUrl'> } = {},
): Promise<{ sfu: SfuProcess; nms: NmsProcess; engineer: string }> {
  const nmsHttpsPort = await freePort();
  const sfu = await startSfuServer({ ...opts.sfu, nmsUrl: `https://127.0.0.1:${nmsHttpsPort}` });
  const nms = await startNms({
    ...opts.nms,
    httpsPort: nmsHttpsPort,
    caDir: dirname(sfu.caFile),
    publicKeyUrl: `${sfu.httpsUrl()}/api/auth/public-key`,
  });
  const engineer = await login(sfu.url, 'mang.tinh', 'lienthong123');
  const deadline = Date.now() + 20_000;
  while ((await fetch(`${sfu.url}/api/nms/sites`, { headers: { authorization: `Bearer ${engineer}` } })).status !== 200) {
    if (Date.now() > deadline) throw new Error(`nms not accepting sessions in 20 s:\n${nms.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { sfu, nms, engineer };
}
