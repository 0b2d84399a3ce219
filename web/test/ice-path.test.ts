import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DIRECT_TIMEOUT_MS, IceFallback, pathFromStats } from '../src/lib/media/ice-path';

/** A fallback whose relay step records its calls (and can be made to fail). */
function harness(opts: { fail?: boolean } = {}) {
  const calls: number[] = [];
  let closed = false;
  const f = new IceFallback({
    useRelay: async () => {
      calls.push(Date.now());
      if (opts.fail) throw new Error('no TURN');
    },
    isClosed: () => closed,
    warn: () => undefined,
  });
  return { f, calls, close: () => (closed = true) };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ICE path fallback', () => {
  it('stays direct when a transport connects within the bounded time', async () => {
    const h = harness();
    h.f.onState('send', 'connecting');
    await vi.advanceTimersByTimeAsync(DIRECT_TIMEOUT_MS - 1);
    h.f.onState('send', 'connected');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.calls).toEqual([]);
    expect(h.f.relay).toBe(false);
    expect(h.f.settled('send')).toBe(true);
  });

  it('switches to the relay DIRECT_TIMEOUT_MS after ICE began, once for all transports', async () => {
    const h = harness();
    const t0 = Date.now();
    h.f.onState('send', 'new');
    await vi.advanceTimersByTimeAsync(10_000); // a transport that never starts ICE is not timed
    expect(h.calls).toEqual([]);
    h.f.onState('send', 'connecting');
    await vi.advanceTimersByTimeAsync(1000);
    h.f.onState('recv', 'connecting');
    expect(h.f.settled('send')).toBe(false); // the watchdog keeps off meanwhile
    await vi.advanceTimersByTimeAsync(DIRECT_TIMEOUT_MS - 1000 - 1);
    expect(h.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.calls).toEqual([t0 + 10_000 + DIRECT_TIMEOUT_MS]);
    expect(h.f.relay).toBe(true);
    expect(h.f.settled('send')).toBe(true);
    // The recv transport's own timer was cancelled: one switch only.
    await vi.advanceTimersByTimeAsync(60_000);
    h.f.onState('recv', 'failed');
    expect(h.calls).toHaveLength(1);
  });

  it('a direct attempt that fails before the time is up switches at once', async () => {
    const h = harness();
    h.f.onState('send', 'connecting');
    await vi.advanceTimersByTimeAsync(2000);
    h.f.onState('send', 'failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.calls).toHaveLength(1);
  });

  it("a transport that connected once is the ICE watchdog's, not the fallback's", async () => {
    const h = harness();
    h.f.onState('send', 'connecting');
    h.f.onState('send', 'connected');
    h.f.onState('send', 'disconnected');
    h.f.onState('send', 'failed');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.calls).toEqual([]);
  });

  it('does nothing for a closed session, and a failing relay step is reported, not thrown', async () => {
    const closed = harness();
    closed.f.onState('send', 'connecting');
    closed.close();
    await vi.advanceTimersByTimeAsync(DIRECT_TIMEOUT_MS);
    expect(closed.calls).toEqual([]);
    const failing = harness({ fail: true });
    failing.f.onState('send', 'connecting');
    await vi.advanceTimersByTimeAsync(DIRECT_TIMEOUT_MS);
    expect(failing.calls).toHaveLength(1);
    expect(failing.f.settled('send')).toBe(true); // from now on the watchdog restarts it
  });

  it('a forgotten (closed) transport no longer times out', async () => {
    const h = harness();
    h.f.onState('old', 'connecting');
    h.f.forget('old');
    await vi.advanceTimersByTimeAsync(DIRECT_TIMEOUT_MS * 2);
    expect(h.calls).toEqual([]);
  });
});

/** A Chromium-like stats report: transport → selected pair → candidates. */
function report(local: Record<string, unknown>, remote: Record<string, unknown>) {
  return [
    { id: 'T01', type: 'transport', selectedCandidatePairId: 'CP1' },
    { id: 'CP0', type: 'candidate-pair', localCandidateId: 'Lx', remoteCandidateId: 'Rx', state: 'failed' },
    { id: 'CP1', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', state: 'succeeded', nominated: true },
    { id: 'L1', type: 'local-candidate', ...local },
    { id: 'R1', type: 'remote-candidate', ...remote },
    { id: 'Lx', type: 'local-candidate', candidateType: 'relay', relayProtocol: 'tls' },
    { id: 'Rx', type: 'remote-candidate', protocol: 'udp' },
  ];
}

describe('the path read from getStats', () => {
  it('tells UDP, ICE-TCP and each TURN transport apart by the selected pair', () => {
    expect(pathFromStats(report({ candidateType: 'host', protocol: 'udp' }, { protocol: 'udp' }))).toBe('udp');
    expect(pathFromStats(report({ candidateType: 'host', protocol: 'tcp' }, { protocol: 'tcp' }))).toBe('ice-tcp');
    expect(pathFromStats(report({ candidateType: 'relay', protocol: 'udp', relayProtocol: 'tls' }, { protocol: 'udp' }))).toBe('turn-tls');
    expect(pathFromStats(report({ candidateType: 'relay', protocol: 'udp', relayProtocol: 'tcp' }, { protocol: 'udp' }))).toBe('turn-tcp');
    expect(pathFromStats(report({ candidateType: 'relay', protocol: 'udp', relayProtocol: 'udp' }, { protocol: 'udp' }))).toBe('turn-udp');
  });

  it('is unknown before a pair is selected', () => {
    expect(pathFromStats([{ id: 'T01', type: 'transport' }])).toBeNull();
    expect(pathFromStats([])).toBeNull();
  });

  it('falls back to the nominated succeeded pair without transport stats', () => {
    const r = report({ candidateType: 'srflx', protocol: 'udp' }, { protocol: 'tcp' }).filter((s) => s.type !== 'transport');
    expect(pathFromStats(r)).toBe('ice-tcp');
  });
});
