// Debian's Janus (1.1.2) as the baseline SFU of the capacity bench: installed on first use, run as a
// child process from a config folder written to a temp dir, with only the VideoRoom plugin and the
// HTTP transport loaded (each in a folder of its own, so nothing else is even opened).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeMediaBasePort, freePort } from '../../support/ports';
import { stopChild } from '../../support/sfu-process';

const LIB = '/usr/lib/x86_64-linux-gnu/janus';
export const JANUS_ROOM = 1234;
const RTP_PORTS = 200;

/** Installs Janus from Debian if it is missing (only this bench needs it: not in infra/setup/packages.mjs). */
export function ensureJanus(): void {
  if (existsSync('/usr/bin/janus') && existsSync(join(LIB, 'plugins/libjanus_videoroom.so'))) return;
  console.log('  janus is not installed: apt-get install -y --no-install-recommends janus');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'janus']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${r.status}); install janus by hand (root needed)`);
  }
}

/** "1.1.2", from the banner janus prints before its usage text. */
export function janusVersion(): string {
  const out = spawnSync('janus', ['--help'], { encoding: 'utf8' }).stdout;
  return /Janus version: \d+ \(([\d.]+)\)/.exec(out)?.[1] ?? 'unknown';
}

/**
 * The address Janus gathers ICE candidates on. Janus 1.1.2 never uses a loopback interface
 * (ice.c skips IFF_LOOPBACK), so it gets this machine's own first IPv4 address instead: packets
 * to a local address still go through lo and never leave the machine. No STUN, no TURN.
 */
export function localIceAddress(): string {
  for (const addrs of Object.values(networkInterfaces()))
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  throw new Error('no non-loopback IPv4 address for Janus ICE (Janus 1.1.2 does not gather on lo)');
}

export interface JanusProcess {
  /** The HTTP transport's API base, e.g. http://127.0.0.1:PORT/janus. */
  url: string;
  pid: number;
  /** What the bench reports about the configuration. */
  config: Record<string, string | number | boolean>;
  output(): string;
  stop(): Promise<void>;
}

/** jcfg is libconfig: `key = value` inside `section: { }`. */
function jcfg(sections: Record<string, Record<string, string | number | boolean>>): string {
  const value = (v: string | number | boolean) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  return Object.entries(sections)
    .map(
      ([name, kv]) =>
        `${name}: {\n${Object.entries(kv)
          .map(([k, v]) => `\t${k} = ${value(v)}`)
          .join('\n')}\n}\n`,
    )
    .join('\n');
}

export async function startJanus(opts: { eventLoops: number; publishers: number }): Promise<JanusProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'lt-janus-'));
  // Only the one plugin and the one transport are in the folders Janus loads from.
  const folder = (name: string, libs: string[]) => {
    const d = join(dir, name);
    mkdirSync(d);
    for (const lib of libs) symlinkSync(join(LIB, name, lib), join(d, lib));
    return d;
  };
  const port = await freePort();
  // Below the ephemeral range, like sfu-server's media ports: one port per handle (bundle).
  const rtpBase = await freeMediaBasePort(RTP_PORTS);
  const iceAddress = localIceAddress();
  const general = {
    configs_folder: dir,
    plugins_folder: folder('plugins', ['libjanus_videoroom.so']),
    transports_folder: folder('transports', ['libjanus_http.so']),
    events_folder: folder('events', []),
    loggers_folder: folder('loggers', []),
    debug_level: 3, // warnings and errors, as sfu-server runs at log level warn
    // One media loop per core, as LienThong has one mediasoup worker per core (Janus's default,
    // a thread per handle, would be 2N threads on 2 cores).
    event_loops: opts.eventLoops,
    session_timeout: 60,
  };
  writeFileSync(
    join(dir, 'janus.jcfg'),
    jcfg({
      general,
      certificates: {}, // a DTLS certificate is generated at start
      media: { rtp_port_range: `${rtpBase}-${rtpBase + RTP_PORTS - 1}` },
      nat: { ice_enforce_list: iceAddress, nice_debug: false, full_trickle: false, ice_lite: false, ice_tcp: false },
      plugins: {},
      transports: {},
      loggers: {},
      events: { broadcast: false },
    }),
  );
  writeFileSync(
    join(dir, 'janus.transport.http.jcfg'),
    jcfg({
      general: { json: 'plain', base_path: '/janus', http: true, port, ip: '127.0.0.1', https: false, events: false },
      admin: { admin_http: false, admin_https: false },
      cors: {},
    }),
  );
  // The room as the load is: VP8 + Opus (FEC and DTX, as the load tool asks of LienThong), no REMB
  // cap (bitrate 0: the senders' own encoding limits and congestion control decide, as with
  // mediasoup), no periodic keyframe requests, transport-wide CC on.
  const room = {
    description: 'capacity bench',
    publishers: opts.publishers,
    bitrate: 0,
    fir_freq: 0,
    audiocodec: 'opus',
    videocodec: 'vp8',
    opus_fec: true,
    opus_dtx: true,
    transport_wide_cc_ext: true,
    record: false,
  };
  writeFileSync(join(dir, 'janus.plugin.videoroom.jcfg'), jcfg({ general: { events: false }, [`room-${JANUS_ROOM}`]: room }));
  const child: ChildProcess = spawn('janus', ['-C', join(dir, 'janus.jcfg'), '-F', dir, '-o'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (d: Buffer) => {
    log = (log + d).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}/janus`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`janus exited (${child.exitCode}):\n${log}`);
    const ok = await fetch(`${url}/info`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 100) throw new Error(`janus did not answer on ${url}:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid!,
    config: { eventLoops: opts.eventLoops, transport: 'http (long-poll)', plugins: 'videoroom only', iceAddress, ...room },
    output: () => log,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
