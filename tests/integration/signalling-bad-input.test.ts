// Every signalling message with bad input gets a coded ack and changes nothing;
// a client cannot act in a meeting it has not joined, nor for another site.
import { type ClientRequestName, ClientRequests } from '@lienthong/sfu-server/protocol';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, type SfuProcess, startSfuServer } from '../support/sfu-process';
import { ask, connect, opusProducer } from '../support/socket';

const OPUS_PRODUCER = opusProducer(11111111, 'bad-input-test');

describe('signalling rejects bad input with coded acks', () => {
  let sfu: SfuProcess;
  let meetingId: string;
  let caps: Record<string, unknown>;
  let a: Socket;
  let b: Socket;
  let outsider: Socket;

  beforeAll(async () => {
    sfu = await startSfuServer();
    const tokenA = await login(sfu.url, 'daibieu.dt', 'lienthong123');
    const tokenB = await login(sfu.url, 'xa.cuvan', 'lienthong123');
    const tokenOut = await login(sfu.url, 'xa.thuongnung', 'lienthong123');
    const list = (await (await fetch(`${sfu.url}/api/meetings/upcoming`, { headers: { authorization: `Bearer ${tokenA}` } })).json()) as {
      meetings: { id: string; phase: string }[];
    };
    meetingId = list.meetings.find((m) => m.phase === 'live')!.id;
    a = await connect(sfu.url, tokenA);
    b = await connect(sfu.url, tokenB);
    outsider = await connect(sfu.url, tokenOut);
    caps = (await ask(a, 'router:capabilities', {})).data!.routerRtpCapabilities as Record<string, unknown>;
  });
  afterAll(async () => {
    for (const s of [a, b, outsider]) s?.close();
    await sfu?.stop();
  });

  it('refuses a socket without a valid session', async () => {
    await expect(connect(sfu.url, undefined)).rejects.toMatchObject({ message: 'UNAUTHENTICATED' });
    await expect(connect(sfu.url, 'not-a-token')).rejects.toMatchObject({ message: 'UNAUTHENTICATED' });
  });

  it.each(Object.keys(ClientRequests) as ClientRequestName[])('%s: malformed payloads get BAD_REQUEST', async (event) => {
    for (const bad of [{ unexpected: 1 }, 'a string', 42, null, [1, 2]]) {
      const r = await ask(b, event, bad);
      expect(r.ok, `${event} ${JSON.stringify(bad)}`).toBe(false);
      expect(r.error!.code).toBe('BAD_REQUEST');
    }
  });

  it('unknown messages, missing payloads and oversized payloads get coded errors', async () => {
    expect((await ask(b, 'media:explode', {})).error!.code).toBe('UNKNOWN_MESSAGE');
    expect((await ask(b, 'media:createTransport')).error!.code).toBe('BAD_REQUEST');
    const huge = { meetingId, rtpCapabilities: { codecs: [], padding: 'x'.repeat(100_000) } };
    expect((await ask(b, 'meeting:join', huge)).error!.code).toBe('PAYLOAD_TOO_LARGE');
    // Nothing changed: b is in no room.
    expect((await ask(b, 'media:createTransport', { direction: 'send' })).error!.code).toBe('NOT_IN_ROOM');
  });

  it('media messages before joining are refused', async () => {
    for (const [event, payload] of [
      ['media:createTransport', { direction: 'recv' }],
      ['media:consume', { producerId: 'p1' }],
      ['media:produce', { transportId: 't1', kind: 'audio', rtpParameters: OPUS_PRODUCER, source: 'mic' }],
      ['meeting:setReceiveMode', { mode: 'low' }],
    ] as const) {
      expect((await ask(outsider, event, payload)).error!.code).toBe('NOT_IN_ROOM');
    }
  });

  it('only invited sites join; unknown meetings are NOT_FOUND; failures are counted', async () => {
    expect((await ask(outsider, 'meeting:join', { meetingId, rtpCapabilities: caps })).error!.code).toBe('NOT_INVITED');
    expect((await ask(outsider, 'meeting:join', { meetingId: 'no-such-meeting', rtpCapabilities: caps })).error!.code).toBe('NOT_FOUND');
    const metrics = await (await fetch(`${sfu.url}/metrics`)).text();
    expect(metrics).toMatch(/^lienthong_join_failures_total\{code="NOT_INVITED"\} 1$/m);
    expect(metrics).toMatch(/^lienthong_signalling_errors_total\{event="unknown",code="UNKNOWN_MESSAGE"\} 1$/m);
  });

  it("a site cannot touch another site's transports, producers or consumers, nor chair the meeting", async () => {
    const ja = await ask(a, 'meeting:join', { meetingId, rtpCapabilities: caps });
    expect(ja.ok).toBe(true);
    const jb = await ask(b, 'meeting:join', { meetingId, rtpCapabilities: caps });
    expect(jb.ok).toBe(true);
    const ta = await ask(a, 'media:createTransport', { direction: 'send' });
    const transportId = ta.data!.id as string;
    const pa = await ask(a, 'media:produce', { transportId, kind: 'audio', rtpParameters: OPUS_PRODUCER, source: 'mic' });
    expect(pa.ok).toBe(true);
    const producerId = pa.data!.producerId as string;

    expect(
      (await ask(b, 'media:connectTransport', { transportId, dtlsParameters: { role: 'client', fingerprints: [] } })).error!.code,
    ).toBe('TRANSPORT_NOT_FOUND');
    expect((await ask(b, 'media:produce', { transportId, kind: 'audio', rtpParameters: OPUS_PRODUCER, source: 'mic' })).error!.code).toBe(
      'TRANSPORT_NOT_FOUND',
    );
    expect((await ask(b, 'media:closeProducer', { producerId })).error!.code).toBe('PRODUCER_NOT_FOUND');
    expect((await ask(b, 'media:pauseProducer', { producerId })).error!.code).toBe('PRODUCER_NOT_FOUND');
    expect((await ask(b, 'media:resumeConsumer', { consumerId: producerId })).error!.code).toBe('CONSUMER_NOT_FOUND');
    expect((await ask(b, 'media:consume', { producerId })).error!.code).toBe('NO_RECV_TRANSPORT');
    expect((await ask(b, 'media:consume', { producerId: 'nope' })).error!.code).toBe('PRODUCER_NOT_FOUND');
    expect((await ask(b, 'meeting:setMainPolicy', { policy: 'speaker' })).error!.code).toBe('NOT_CHAIR');
    // Malformed media parameters are the client's fault, not an internal error.
    const bad = await ask(a, 'media:produce', { transportId, kind: 'video', rtpParameters: { codecs: 'x' }, source: 'camera' });
    expect(bad.error!.code).toBe('BAD_MEDIA_PARAMETERS');
    // a's producer is untouched.
    expect((await ask(a, 'media:pauseProducer', { producerId })).ok).toBe(true);
  });
});
