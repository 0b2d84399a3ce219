// When a worker's WebRtcServer cannot bind its port: recognise mediasoup's "address already in
// use", decide how long to wait for it (a previous sfu-server's workers let go within moments),
// and word the message an operator sees. Plain logic, no mediasoup: unit-tested.

export interface TakenPort {
  protocol: 'udp' | 'tcp';
  port: number;
}

/** How long a start waits, in all, for media ports held by something else. */
export const START_PORT_WAIT_MS = 15_000;

// mediasoup: "uv_udp_bind() failed [protocol:udp, ip:'127.0.0.1', port:20000]: address already in use [...]"
const IN_USE = /\[protocol:(udp|tcp), ip:'[^']*', port:(\d+)\]: address already in use/;

/** True for mediasoup's own log lines about a port in use (the pool reports those itself). */
export function isPortInUseText(text: string): boolean {
  return text.includes('address already in use');
}

/** The port and protocol a failed createWebRtcServer names, or undefined for any other failure. */
export function takenPort(error: unknown): TakenPort | undefined {
  const m = error instanceof Error ? IN_USE.exec(error.message) : null;
  return m ? { protocol: m[1] as 'udp' | 'tcp', port: Number(m[2]) } : undefined;
}

/** Doubling delay from 250 ms, capped. */
export function backoffMs(attempt: number, capMs: number): number {
  return Math.min(250 * 2 ** attempt, capMs);
}

/**
 * At start: how long to wait before trying a taken port again, or undefined to give up.
 * `waitedMs` counts from the first port found taken in this start (one budget for all workers).
 */
export function nextStartRetryMs(attempt: number, waitedMs: number, budgetMs = START_PORT_WAIT_MS): number | undefined {
  const left = budgetMs - waitedMs;
  if (left <= 0) return undefined;
  return Math.min(backoffMs(attempt, 2000), left);
}

export const describePort = (p: TakenPort, index: number): string => `${p.protocol.toUpperCase()} port ${p.port} (worker ${index})`;

/** One line for the operator when the wait is over and the port is still taken. */
export function portsTakenMessage(p: TakenPort, index: number, basePort: number, workers: number, waitedMs: number): string {
  const ss = p.protocol === 'udp' ? 'ss -lunp' : 'ss -ltnp';
  const range = workers > 1 ? `${basePort}-${basePort + workers - 1}` : `${basePort}`;
  return (
    `${describePort(p, index)} is still in use after waiting ${Math.round(waitedMs / 1000)} s. ` +
    `Is another sfu-server running? See what holds it: ${ss} 'sport = :${p.port}'. ` +
    `Or set media.basePort to a free range (the ${workers} worker(s) use UDP and TCP ports ${range}).`
  );
}

/** Thrown by the worker pool's start when a media port stays taken. */
export class MediaPortsTakenError extends Error {
  constructor(
    message: string,
    readonly taken: TakenPort,
  ) {
    super(message);
    this.name = 'MediaPortsTakenError';
  }
}
