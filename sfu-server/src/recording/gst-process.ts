// Runs one gst-launch-1.0 pipeline. It stops with an EOS (the MP4 is finalised) on SIGINT, sent by a
// small guard process when we close its stdin, which also happens when this server dies: a crashed
// server leaves no recorder running forever. (gst-launch is our child, not a shell's background job:
// those ignore SIGINT.)
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface GstRun {
  /** Resolves with the exit code (null: killed) once the pipeline is gone. */
  readonly exited: Promise<number | null>;
  /** Resolves when the pipeline runs (or has gone). */
  readonly playing: Promise<void>;
  /** Has the process exited (true before `playing` resolves for a pipeline that failed to start)? */
  hasExited(): boolean;
  /** Asks for EOS; kills it if the file is not finalised in time. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** The last errors and warnings gst-launch wrote (for the error of a failed recording). */
  tail(): string;
}

/** `registry`: GStreamer's plugin cache, kept beside the recordings (a service has no writable home). */
export function startGst(args: readonly string[], registry: string, onExit?: (code: number | null) => void): GstRun {
  const child: ChildProcess = spawn('gst-launch-1.0', ['-e', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GST_REGISTRY_1_0: registry },
  });
  const guard = spawn(
    'sh',
    ['-c', 'read -r _; kill -INT "$1" 2>/dev/null; sleep 40; kill -KILL "$1" 2>/dev/null', 'gst-guard', String(child.pid ?? 0)],
    {
      stdio: ['pipe', 'ignore', 'ignore'],
    },
  );
  guard.stdin.on('error', () => undefined);
  let output = '';
  let nowPlaying: () => void = () => undefined;
  const playing = new Promise<void>((resolve) => {
    nowPlaying = resolve;
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    if (output.includes('Setting pipeline to PLAYING')) nowPlaying();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let gone = false;
  const exited = new Promise<number | null>((resolve) => {
    // 'close', not 'exit': its output is read to the end first (tail() then holds why it failed).
    child.on('close', (code) => {
      gone = true;
      resolve(code);
    });
    child.on('error', () => {
      gone = true;
      resolve(null);
    });
  });
  void exited.then(() => {
    guard.kill();
    nowPlaying();
  });
  if (onExit) void exited.then(onExit);
  return {
    exited,
    playing,
    hasExited: () => gone,
    // Errors and warnings with the detail gst-launch prints after them (the second line says why).
    tail: () =>
      output
        .split('\n')
        .filter((l, i, all) => /ERROR|WARNING|erroneous/i.test(l) || /^Additional debug info:/.test(all[i - 2] ?? ''))
        .slice(-4)
        .join(' | '),
    async stop(timeoutMs = 30_000) {
      guard.stdin.end('\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Free UDP ports (loopback by default) for a pipeline's inputs (held all at once so none repeats). */
export async function freeUdpPorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createSocket>>((resolve, reject) => {
          const s = createSocket('udp4');
          s.once('error', reject);
          s.bind(0, host, () => resolve(s));
        }),
    ),
  );
  const ports = sockets.map((s) => s.address().port);
  await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

/** Duration of a media file in ms by ffprobe; null when it has none (or ffprobe cannot read it). */
export async function probeDurationMs(file: string): Promise<number | null> {
  try {
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], {
      timeout: 20_000,
    });
    const s = Number.parseFloat(stdout.trim());
    return Number.isFinite(s) && s > 0 ? Math.round(s * 1000) : null;
  } catch {
    return null;
  }
}

/** Is GStreamer there with the elements the recorder needs? */
export async function gstAvailable(): Promise<boolean> {
  try {
    await run('gst-inspect-1.0', ['--exists', 'x264enc'], { timeout: 10_000 });
    await run('gst-inspect-1.0', ['--exists', 'avenc_aac'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}
