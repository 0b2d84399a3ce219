// Starts the real sfu-server (its main.ts) as a child process with a temporary
// config and data directory, the way an operator would run it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bridgeIntoNetns, type NetnsBridge } from './netns-bridge';
import { freeMediaBasePort, freePort } from './ports';

export interface SfuProcess {
  /** Plain HTTP on loopback (served, not redirected): for Node-side fetches and sockets (bridged in from `netns`). */
  url: string;
  /** The plain HTTP port (http.plainPort). */
  port: number;
  /** HTTPS and WSS (http.port). */
  httpsPort: number;
  /** The CA (PEM) that issued the server's certificate: give it to launchChromium({ caFile }). */
  caFile: string;
  /** https://<host>:<httpsPort>; the certificate names every address of the machine (and tlsNames). */
  httpsUrl(host?: string): string;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
  /** Stop and start again on the same data and ports (restart test). */
  restart(): Promise<void>;
}

const root = resolve(import.meta.dirname, '../..');

export async function startSfuServer(
  opts: {
    workers?: number;
    maxPeersPerRouter?: number;
    announcedAddress?: string;
    listenIp?: string;
    graceSeconds?: number;
    nmsUrl?: string;
    /** auth.sessionTtlSeconds (the schema's minimum is 60). */
    sessionTtlSeconds?: number;
    /** More top-level YAML sections, appended as they are (e.g. `limits:` for attack tests). */
    extraConfig?: string;
    /** Room systems dial this UDP port (SIP off when absent). */
    sipPort?: number;
    /** sip.optionsIntervalSeconds: how often room systems are asked whether they are there (default 30). */
    sipOptionsIntervalSeconds?: number;
    /** sip.video: the picture room systems are sent. */
    sipVideo?: { width: number; height: number; fps: number; kbps: number };
    /** sip.passThrough: another room's H.264 is sent to a room as it is (default true). */
    sipPassThrough?: boolean;
    /** sip.rtpPorts: the ports room systems send their media to. */
    sipRtpPorts?: { min: number; max: number };
    /** sip.listenIp and sip.announcedAddress: where room systems send their media (default media's). */
    sipListenIp?: string;
    /** media.basePort (default: a free range found by freeMediaBasePort). */
    basePort?: number;
    /** http.plainPort, the loopback plain HTTP port of `url` (default: a free port). */
    httpPort?: number;
    /** http.port, HTTPS (default: a free port). */
    httpsPort?: number;
    /** http.tls.caDir (default: ca/ in the server's temp dir); share one with nms to verify each other. */
    caDir?: string;
    /** http.tls.names: extra names for the certificate (addresses that appear after the server started). */
    tlsNames?: string[];
    /** http.tls certFile/keyFile instead of the internal CA. */
    tlsFiles?: { certFile: string; keyFile: string; caFile: string };
    /** nms.caFile (default: the CA this server uses). */
    nmsCaFile?: string;
    /** Run coturn (turn.run) on these ports; default: no coturn (credentials are still issued). */
    turn?: { port: number; tlsPort: number };
    /** Called with the server's output as it comes (e.g. to act when it logs something during start). */
    onOutput?: (text: string) => void;
    /** media.spareWorker (default off here, so worker processes are exactly `workers`). */
    spareWorker?: boolean;
    /** log.level (default warn). */
    logLevel?: 'debug' | 'info' | 'warn';
    /** media.adaptation.enabled (default: the server's default, on). */
    adaptation?: boolean;
    /** The built web app to serve (default: web/dist). */
    webRoot?: string;
    /** Extra node options (e.g. --cpu-prof for a bench). */
    nodeArgs?: string[];
    /** Run inside this network namespace (ip netns exec); `url` reaches its plain port over a bridge. */
    netns?: string;
  } = {},
): Promise<SfuProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'lt-sfu-'));
  const port = opts.httpPort ?? (await freePort());
  const httpsPort = opts.httpsPort ?? (await freePort());
  const caDir = opts.caDir ?? join(dir, 'ca');
  const caFile = opts.tlsFiles?.caFile ?? join(caDir, 'ca.pem');
  const basePort = opts.basePort ?? (await freeMediaBasePort(opts.workers ?? 1));
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      'http:',
      '  host: 0.0.0.0',
      `  port: ${httpsPort}`,
      `  plainPort: ${port}`,
      '  plainLoopback: true',
      '  tls:',
      `    certFile: "${opts.tlsFiles?.certFile ?? ''}"`,
      `    keyFile: "${opts.tlsFiles?.keyFile ?? ''}"`,
      `    caDir: ${caDir}`,
      `    names: ${JSON.stringify(opts.tlsNames ?? [])}`,
      'log:',
      `  level: ${opts.logLevel ?? 'warn'}`,
      `dataDir: ${join(dir, 'data')}`,
      `webRoot: ${opts.webRoot ?? join(root, 'web/dist')}`,
      'media:',
      `  workers: ${opts.workers ?? 1}`,
      `  spareWorker: ${opts.spareWorker ?? false}`,
      `  listenIp: ${opts.listenIp ?? '127.0.0.1'}`,
      `  announcedAddress: "${opts.announcedAddress ?? ''}"`,
      `  basePort: ${basePort}`,
      `  maxPeersPerRouter: ${opts.maxPeersPerRouter ?? 40}`,
      `  reconnectGraceSeconds: ${opts.graceSeconds ?? 45}`,
      ...(opts.adaptation === undefined ? [] : ['  adaptation:', `    enabled: ${opts.adaptation}`]),
      'auth:',
      '  initialAdminPassword: admin-password-1',
      ...(opts.sessionTtlSeconds ? [`  sessionTtlSeconds: ${opts.sessionTtlSeconds}`] : []),
      'nms:',
      `  url: "${opts.nmsUrl ?? ''}"`,
      `  caFile: "${opts.nmsCaFile ?? caFile}"`,
      'turn:',
      ...(opts.turn ? ['  run: true', `  port: ${opts.turn.port}`, `  tlsPort: ${opts.turn.tlsPort}`] : ['  run: false']),
      'sip:',
      // SIP on with a port; without one, only where room systems send media (a district's room calls).
      opts.sipPort ? '  enabled: true' : '  enabled: false',
      ...(opts.sipPort ? [`  port: ${opts.sipPort}`] : []),
      ...(opts.sipOptionsIntervalSeconds ? [`  optionsIntervalSeconds: ${opts.sipOptionsIntervalSeconds}`] : []),
      ...(opts.sipVideo ? ['  video:', ...Object.entries(opts.sipVideo).map(([k, v]) => `    ${k}: ${v}`)] : []),
      ...(opts.sipPassThrough === false ? ['  passThrough: false'] : []),
      ...(opts.sipListenIp ? [`  listenIp: ${opts.sipListenIp}`, `  announcedAddress: ${opts.sipListenIp}`] : []),
      ...(opts.sipRtpPorts ? ['  rtpPorts:', `    min: ${opts.sipRtpPorts.min}`, `    max: ${opts.sipRtpPorts.max}`] : []),
      ...(opts.extraConfig ? [opts.extraConfig] : []),
      '',
    ].join('\n'),
  );
  let log = '';
  const bridge: NetnsBridge | undefined = opts.netns ? await bridgeIntoNetns(opts.netns, port) : undefined;
  const proc: SfuProcess = {
    url: `http://127.0.0.1:${bridge?.port ?? port}`,
    port,
    httpsPort,
    caFile,
    httpsUrl: (host = '127.0.0.1') => `https://${host.includes(':') ? `[${host}]` : host}:${httpsPort}`,
    dataDir: join(dir, 'data'),
    child: undefined as unknown as ChildProcess,
    output: () => log,
    async stop() {
      await stopChild(proc.child);
    },
    async restart() {
      await stopChild(proc.child);
      await launch();
    },
  };
  const launch = async () => {
    const args = [...(opts.nodeArgs ?? []), '--import', 'tsx', join(root, 'sfu-server/src/main.ts'), '--config', config];
    // ip netns exec execs the command: the child is the server itself.
    const child = opts.netns
      ? spawn('ip', ['netns', 'exec', opts.netns, process.execPath, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const take = (d: Buffer) => {
      log += d;
      opts.onOutput?.(log);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    proc.child = child;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`sfu-server exited early (code ${child.exitCode}):\n${log}`);
      try {
        if ((await fetch(`${proc.url}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`sfu-server not healthy in 60 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  await launch().catch((e) => {
    bridge?.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  const stop = proc.stop;
  proc.stop = async () => {
    await stop();
    bridge?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return proc;
}

/** SIGTERM, then SIGKILL after 5 s; resolves when it exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export async function login(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { token?: string };
  if (!body.token) throw new Error(`login ${username} failed: ${JSON.stringify(body)}`);
  return body.token;
}

/** The seeded admin's initial password in startSfuServer's config (one-time: changed at first login). */
export const INITIAL_ADMIN_PASSWORD = 'admin-password-1';
/** What loginAdmin changes it to. */
export const ADMIN_PASSWORD = 'admin-password-changed-1';
const adminChanged = new Set<string>();

/**
 * A usable admin token: the first time for a server, logs in with the initial password and changes
 * it to ADMIN_PASSWORD (the initial one only allows that); afterwards logs in with ADMIN_PASSWORD.
 */
export async function loginAdmin(url: string): Promise<string> {
  if (adminChanged.has(url)) return login(url, 'admin', ADMIN_PASSWORD);
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: INITIAL_ADMIN_PASSWORD }),
  });
  const body = (await res.json()) as { token?: string; mustChangePassword?: boolean; error?: { code: string } };
  if (body.error?.code === 'INVALID_CREDENTIALS') {
    adminChanged.add(url);
    return login(url, 'admin', ADMIN_PASSWORD);
  }
  if (!body.token) throw new Error(`admin login failed: ${JSON.stringify(body)}`);
  if (!body.mustChangePassword) return body.token;
  const changed = await fetch(`${url}/api/auth/password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${body.token}` },
    body: JSON.stringify({ currentPassword: INITIAL_ADMIN_PASSWORD, newPassword: ADMIN_PASSWORD }),
  });
  const reply = (await changed.json()) as { token?: string };
  if (!reply.token) throw new Error(`admin password change failed: ${JSON.stringify(reply)}`);
  adminChanged.add(url);
  return reply.token;
}

/** The `cascade:` block of a test server (extraConfig): its id, its NATS node, its parent and children, its link address. */
export function cascadeConfig(natsUrl: string, serverId: string, parent: string, children: string[], linkIp = '127.0.0.1'): string {
  return [
    'cascade:',
    `  serverId: ${serverId}`,
    `  natsUrl: ${natsUrl}`,
    `  parent: "${parent}"`,
    `  children: ${JSON.stringify(children)}`,
    `  linkIp: ${linkIp}`,
  ].join('\n');
}
