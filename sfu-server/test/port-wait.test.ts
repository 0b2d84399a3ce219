import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  isPortInUseText,
  MediaPortsTakenError,
  nextStartRetryMs,
  portsTakenMessage,
  START_PORT_WAIT_MS,
  takenPort,
} from '../src/media/port-wait';

// The texts mediasoup 3.19 rejects createWebRtcServer with (seen with a port held by a plain socket).
const udpTaken = new Error(
  "uv_udp_bind() failed [protocol:udp, ip:'127.0.0.1', port:21777]: address already in use [method:worker.createWebRtcServer]",
);
const tcpTaken = new Error(
  "uv_listen() failed [protocol:tcp, ip:'0.0.0.0', port:20001]: address already in use [method:worker.createWebRtcServer]",
);

describe('recognising a taken media port', () => {
  it('reads the protocol and port from mediasoup errors', () => {
    expect(takenPort(udpTaken)).toEqual({ protocol: 'udp', port: 21777 });
    expect(takenPort(tcpTaken)).toEqual({ protocol: 'tcp', port: 20001 });
  });

  it('leaves any other failure alone (those are not waited for)', () => {
    expect(takenPort(new Error("uv_udp_bind() failed [protocol:udp, ip:'10.9.9.9', port:20000]: address not available"))).toBeUndefined();
    expect(takenPort(new Error('wrong settings'))).toBeUndefined();
    expect(takenPort('address already in use')).toBeUndefined();
    expect(takenPort(undefined)).toBeUndefined();
  });

  it("spots mediasoup's own log lines about it", () => {
    expect(isPortInUseText(`request failed [method:WORKER_CREATE_WEBRTCSERVER, id:1]: ${udpTaken.message}`)).toBe(true);
    expect(isPortInUseText('worker process died unexpectedly')).toBe(false);
  });
});

describe('waiting for a taken port at start', () => {
  it('backs off from 250 ms, doubling, up to 2 s', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((a) => nextStartRetryMs(a, 0))).toEqual([250, 500, 1000, 2000, 2000, 2000, 2000]);
  });

  it('never waits past the budget, and gives up once it is spent', () => {
    expect(nextStartRetryMs(6, START_PORT_WAIT_MS - 300)).toBe(300);
    expect(nextStartRetryMs(0, START_PORT_WAIT_MS - 100)).toBe(100);
    expect(nextStartRetryMs(6, START_PORT_WAIT_MS)).toBeUndefined();
    expect(nextStartRetryMs(0, START_PORT_WAIT_MS + 1)).toBeUndefined();
    expect(nextStartRetryMs(0, 0, 0)).toBeUndefined();
  });

  it('waits long enough for a previous process to let go (10-15 s)', () => {
    let waited = 0;
    let tries = 1;
    for (let attempt = 0; ; attempt++) {
      const delay = nextStartRetryMs(attempt, waited);
      if (delay === undefined) break;
      waited += delay;
      tries++;
    }
    expect(waited).toBe(START_PORT_WAIT_MS);
    expect(START_PORT_WAIT_MS).toBeGreaterThanOrEqual(10_000);
    expect(START_PORT_WAIT_MS).toBeLessThanOrEqual(15_000);
    expect(tries).toBeGreaterThan(8);
  });

  it('replacement backoff keeps its own cap', () => {
    expect([0, 1, 4, 5, 10].map((a) => backoffMs(a, 5000))).toEqual([250, 500, 4000, 5000, 5000]);
  });
});

describe('the message when the port stays taken', () => {
  it('names the port, the protocol, how to see the holder and what to change, on one line', () => {
    const m = portsTakenMessage({ protocol: 'udp', port: 20001 }, 1, 20000, 2, 15_020);
    expect(m).toBe(
      "UDP port 20001 (worker 1) is still in use after waiting 15 s. Is another sfu-server running? See what holds it: ss -lunp 'sport = :20001'. " +
        'Or set media.basePort to a free range (the 2 worker(s) use UDP and TCP ports 20000-20001).',
    );
    expect(m).not.toContain('\n');
  });

  it('points at TCP listeners for a TCP port and names a single port plainly', () => {
    const m = portsTakenMessage({ protocol: 'tcp', port: 20000 }, 0, 20000, 1, 15_000);
    expect(m).toContain('TCP port 20000 (worker 0)');
    expect(m).toContain("ss -ltnp 'sport = :20000'");
    expect(m).toContain('UDP and TCP ports 20000)');
  });

  it('travels as a typed error carrying the port', () => {
    const e = new MediaPortsTakenError('x', { protocol: 'tcp', port: 1 });
    expect(e).toBeInstanceOf(Error);
    expect(e.taken).toEqual({ protocol: 'tcp', port: 1 });
  });
});
