// Runs Debian's coturn (`turnserver`) as a child of sfu-server and keeps it running: restarted
// with a growing pause when it exits. A coturn that cannot start is logged with its own last words
// and reported by the `turn` health check; sfu-server keeps serving everything else.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Logger } from '@lienthong/kit';

export interface CoturnSupervisorOptions {
  binary: string;
  configFile: string;
  configText: string;
  logFile: string;
  pidFile: string;
  /** A TCP port coturn listens on (the plain TURN port): what "listening" is checked against. */
  port: number;
  logger: Logger;
}

const MAX_PAUSE_MS = 30_000;

/** The last lines of coturn's log, for the log line that says why it stopped. */
function tail(file: string, lines = 8): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function tcpListening(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      s.destroy();
      res(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

export class CoturnSupervisor {
  private child: ChildProcess | null = null;
  private stopped = false;
  private restarts = 0;
  private lastProblem = 'not started yet';
  private timer: NodeJS.Timeout | undefined;
  private output = '';
  /** Set while restarting on purpose: the exit is expected and the new coturn starts at once. */
  private restarting = false;

  constructor(private readonly opts: CoturnSupervisorOptions) {}

  start(): void {
    this.stopStale();
    writeFileSync(this.opts.configFile, this.opts.configText, { mode: 0o600 });
    // A parent that exits (even by process.exit) takes its coturn along; only SIGKILL leaves it (see stopStale).
    process.once('exit', () => this.child?.kill('SIGTERM'));
    this.spawnOnce();
  }

  /** A coturn left by an sfu-server that was killed holds the ports: end it if it runs our config file. */
  private stopStale(): void {
    let pid = 0;
    let cmdline = '';
    try {
      pid = Number(readFileSync(this.opts.pidFile, 'utf8').trim());
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return; // no pid file, or that process is gone
    }
    if (!cmdline.includes('turnserver') || !cmdline.includes(this.opts.configFile)) return;
    this.opts.logger.warn({ pid }, 'TURN: stopping a coturn left running by an earlier sfu-server');
    process.kill(pid, 'SIGKILL');
  }

  private spawnOnce(): void {
    if (this.stopped) return;
    this.output = '';
    const child = spawn(this.opts.binary, ['-c', this.opts.configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
    child.once('error', (e) => {
      if (this.child === child) this.child = null;
      this.lastProblem = `cannot run ${this.opts.binary}: ${e.message} (install Debian's coturn, or set turn.run: false)`;
      this.opts.logger.error(`TURN: ${this.lastProblem}`);
    });
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      if (this.stopped) return;
      if (this.restarting) {
        this.restarting = false;
        this.spawnOnce();
        return;
      }
      const why = tail(this.opts.logFile) || this.output.trim();
      if (!this.lastProblem.startsWith('cannot run')) this.lastProblem = `coturn exited (${signal ?? `code ${code}`})`;
      const pause = Math.min(1000 * 2 ** this.restarts, MAX_PAUSE_MS);
      this.restarts++;
      this.opts.logger.error(
        { code, signal, restartInMs: pause, coturnLog: why },
        `TURN: ${this.lastProblem}; restarting in ${pause / 1000} s`,
      );
      this.timer = setTimeout(() => this.spawnOnce(), pause);
    });
  }

  /** Health: coturn runs and accepts TCP on its TURN port. */
  async health(): Promise<{ ok: true } | { ok: false; reason: string }> {
    if (!this.child || this.child.exitCode !== null)
      return { ok: false, reason: `TURN server (coturn) is not running: ${this.lastProblem}` };
    if (!(await tcpListening(this.opts.port)))
      return { ok: false, reason: `TURN server (coturn) does not listen on TCP ${this.opts.port}` };
    this.restarts = 0;
    return { ok: true };
  }

  /** Starts coturn again (it reads its certificate only at start): after a renewal. */
  restart(reason: string): void {
    const child = this.child;
    if (this.stopped || !child || child.exitCode !== null) return;
    this.opts.logger.info(`TURN: restarting coturn: ${reason}`);
    this.restarting = true;
    child.kill('SIGTERM');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(kill);
  }
}
