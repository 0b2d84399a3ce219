// The command line of `npm run loadtest`: options, defaults and the help text.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export interface LoadTestOptions {
  url: string;
  sites: number;
  /** Sites started per second while ramping. */
  ramp: number;
  /** Seconds to hold once every site has started. */
  hold: number;
  /** The CA's PEM text (read from --ca FILE). */
  ca: string | undefined;
  admin: string;
  password: string;
  json: string | undefined;
  width: number;
  height: number;
  fps: number;
  /** Seconds one site may take to join before it counts as failed. */
  joinTimeout: number;
  /** Layers asked for: 'main' as the web app (main picture top, thumbnails lowest), 'low' every stream lowest. */
  layers: LayerChoice;
  /** Seconds between speaker changes during the hold (the next site speaks); 0: site 1 speaks throughout. */
  speakerEvery: number;
}

export type LayerChoice = 'main' | 'low';

export const HELP = `npm run loadtest -- --url https://HOST:8443 --sites N [options]

Simulates N sites joining one meeting of a LienThong server through its real path: HTTPS login,
socket.io signalling, WebRTC (ICE, DTLS, SRTP) sending VP8 simulcast and Opus, each site receiving
every other. Ramps the sites up, holds, and reports join and first-frame times, what each site
received (kbit/s, loss), the server's CPU and memory per process, and errors.

The server must opt in (loadTest.enabled: true in its config); otherwise the tool stops before
changing anything. It creates N sites under a "Load test" site, one account per site and a meeting
(an admin's account does that), and removes the sites and accounts at the end, also on Ctrl-C.

Options:
  --url URL          the server's HTTPS address (default https://127.0.0.1:8443)
  --sites N          simulated sites (default 4)
  --ramp R           sites started per second (default 1)
  --hold S           seconds to hold with every site in (default 30)
  --ca FILE          CA certificate (PEM) to verify the server with (e.g. var/ca/ca.pem);
                     default: Node's trusted roots (and NODE_EXTRA_CA_CERTS)
  --admin USER       admin account (default admin; env LIENTHONG_ADMIN)
  --password PW      its password (env LIENTHONG_ADMIN_PASSWORD)
  --json FILE        also write the report as JSON
  --video WxH        camera size each site sends (default 640x360; simulcast at 1/4, 1/2, 1;
                     WebRTC sends two of the layers at 640x360, all three from 960x540)
  --fps N            frames per second (default 15)
  --join-timeout S   seconds a site may take to join (default 30)
  --layers main|low  main (default): each site asks for the layers the web app asks for, the
                     top simulcast layer for the main picture and the lowest for thumbnails;
                     low: the lowest layer for every stream
  --speaker-every S  one site speaks (a louder tone), so the server makes it the main picture;
                     every S seconds of the hold the next site speaks (default 0: site 1 throughout)
  --help             this text

Exit code: 0 when every site joined and received media, 1 when some failed, 2 on bad usage or a
server that refuses load tests. All sites run in this one process: on a small machine run the
tool elsewhere than the server, or its own CPU is part of what you measure. One address may hold
limits.socketsPerAddress connections (default 50) and log in 30 times a minute; logins wait.`;

export class UsageError extends Error {}

function positive(name: string, v: string | undefined, dflt: number, integer = true): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new UsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'}`);
  return n;
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--ca ${file}: ${(e as Error).message}`);
  }
}

/** null when --help was asked for. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): LoadTestOptions | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      url: { type: 'string' },
      sites: { type: 'string' },
      ramp: { type: 'string' },
      hold: { type: 'string' },
      ca: { type: 'string' },
      admin: { type: 'string' },
      password: { type: 'string' },
      json: { type: 'string' },
      video: { type: 'string' },
      fps: { type: 'string' },
      'join-timeout': { type: 'string' },
      layers: { type: 'string' },
      'speaker-every': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return null;
  const url = values.url ?? 'https://127.0.0.1:8443';
  if (!/^https:\/\/[^/]+\/?$/.test(url)) throw new UsageError('--url must be https://HOST[:PORT]');
  const password = values.password ?? env.LIENTHONG_ADMIN_PASSWORD;
  if (!password) throw new UsageError('the admin password is needed: --password or LIENTHONG_ADMIN_PASSWORD');
  const video = (values.video ?? '640x360').match(/^(\d+)x(\d+)$/);
  if (!video) throw new UsageError('--video must be WIDTHxHEIGHT');
  const [width, height] = [Number(video[1]), Number(video[2])];
  const layers = values.layers ?? 'main';
  if (layers !== 'main' && layers !== 'low') throw new UsageError('--layers must be main or low');
  const speakerEvery = values['speaker-every'] === undefined ? 0 : Number(values['speaker-every']);
  if (!Number.isFinite(speakerEvery) || speakerEvery < 0) throw new UsageError('--speaker-every must be 0 or more seconds');
  if (width < 64 || height < 36 || width % 4 || height % 4) throw new UsageError('--video: at least 64x36, both multiples of 4');
  return {
    url: url.replace(/\/$/, ''),
    sites: positive('sites', values.sites, 4),
    ramp: positive('ramp', values.ramp, 1, false),
    hold: positive('hold', values.hold, 30, false),
    ca: values.ca === undefined ? undefined : readCa(values.ca),
    admin: values.admin ?? env.LIENTHONG_ADMIN ?? 'admin',
    password,
    json: values.json,
    width,
    height,
    fps: positive('fps', values.fps, 15),
    joinTimeout: positive('join-timeout', values['join-timeout'], 30, false),
    layers,
    speakerEvery,
  };
}
