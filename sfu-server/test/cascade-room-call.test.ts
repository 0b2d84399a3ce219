import { createParser } from '@lienthong/kit';
import { describe, expect, it } from 'vitest';
import { RemoteRoomCall, type RoomCallLink } from '../src/cascade/remote-room-call';
import { RoomCallHost } from '../src/cascade/room-call-host';
import type { MediaRoom } from '../src/media/media-room';
import type { MediaEvent } from '../src/protocol/cascade-media';
import { RoomCallRequest, type RoomCallStep } from '../src/protocol/cascade-room-call';
import { silentLogger } from './support/core';

const MEETING = 'm-1';
const PEER = '00000000-0000-4000-8000-000000000001';
const audio = {
  codec: 'PCMU' as const,
  payloadType: 0,
  clockRate: 8000,
  channels: 1,
  ssrc: null,
  remote: { ip: '127.0.0.1', port: 40000 },
  telephoneEvent: 101,
  srtp: null,
};
const open = {
  meetingId: MEETING,
  from: 'tinh',
  peerId: PEER,
  op: 'open' as const,
  audio,
  video: null,
  sipFrom: '127.0.0.1',
  cname: 'room-1',
};

const host = (room?: Partial<MediaRoom>) =>
  new RoomCallHost({
    media: {
      listenIp: '127.0.0.1',
      announcedIp: '127.0.0.1',
      registry: '/tmp/none',
      picture: { width: 640, height: 360, fps: 25, kbps: 800 },
      passThrough: true,
    },
    logger: silentLogger,
    serverId: 'huyen',
    parent: 'tinh',
    roomOf: () => room as MediaRoom | undefined,
    publish: () => undefined,
  });

describe("a district's room-call media for its parent", () => {
  const parser = createParser(RoomCallRequest);

  it('checks every request on arrival: unknown ops, extra fields and bad keys are refused', () => {
    expect(parser.parse(JSON.parse(JSON.stringify(open))).ok).toBe(true);
    expect(parser.parse({ ...open, op: 'dial' }).ok).toBe(false);
    expect(parser.parse({ ...open, extra: 1 }).ok).toBe(false);
    expect(parser.parse({ ...open, audio: { ...audio, srtp: { tag: 1, suite: 'NULL', keyBase64: 'x' } } }).ok).toBe(false);
    expect(parser.parse({ ...open, audio: { ...audio, remote: { ip: '127.0.0.1', port: 70000 } } }).ok).toBe(false);
  });

  it('takes requests from its parent only, and none for a peer it carries no media of', async () => {
    const h = host({ hasPeer: () => false });
    await expect(h.handle(open, 'huyen-khac')).rejects.toMatchObject({ code: 'CASCADE_NOT_PARENT' });
    await expect(h.handle(open, 'tinh')).rejects.toMatchObject({ code: 'NOT_IN_ROOM' });
    await expect(h.handle({ ...open, op: 'keyFrame' } as RoomCallRequest, 'tinh')).rejects.toMatchObject({ code: 'NOT_IN_ROOM' });
    await expect(host(undefined).handle(open, 'tinh')).rejects.toMatchObject({ code: 'NOT_IN_ROOM' });
    // Closing a call that is not there (the peer went first) is not an error.
    await expect(h.handle({ meetingId: MEETING, from: 'tinh', peerId: PEER, op: 'close' }, 'tinh')).resolves.toEqual({ result: null });
    expect(h.count).toBe(0);
  });
});

describe("the province's side of a room call whose media is on a district", () => {
  const opened = { ip: '10.20.0.10', ports: { audio: 30000, video: 30002, videoRtcp: 30003 }, srtpKeys: { audio: null, video: 'k' } };
  const fakeLink = () => {
    const sent: RoomCallStep[] = [];
    let handler: ((e: MediaEvent) => void) | null = null;
    const link: RoomCallLink = {
      request: async (step) => {
        sent.push(step);
        return step.op === 'open' ? opened : null;
      },
      onEvent: (h) => {
        handler = h;
        return () => {
          handler = null;
        };
      },
    };
    return {
      link,
      sent,
      emit: (e: Partial<MediaEvent>) => handler?.({ meetingId: MEETING, origin: 'huyen', peerId: PEER, event: 'roomKey', ...e }),
    };
  };

  it("answers with the district's address, tells what the room hears only when it changes, and passes the district's news on", async () => {
    const { link, sent, emit } = fakeLink();
    const keys: string[] = [];
    let asks = 0;
    const call = await RemoteRoomCall.open(link, {
      audio,
      video: null,
      sipFrom: '127.0.0.1',
      cname: 'room-1',
      askKeyFrame: () => asks++,
      onKey: (k) => keys.push(k),
    });
    expect(call.ip).toBe('10.20.0.10');
    expect(call.ports).toEqual({ audio: 30000, video: 30002, videoRtcp: 30003 });
    expect(call.srtpKeys).toEqual({ audio: undefined, video: 'k' });
    const hearing = { show: 'p-video', mix: [{ peerId: 'a', micProducerId: 'p-mic', micPaused: false }] };
    await call.hear(hearing);
    await call.hear({ ...hearing });
    await call.hear({ ...hearing, show: null });
    expect(sent.filter((s) => s.op === 'hear')).toHaveLength(2);
    emit({ event: 'roomKey', key: '5' });
    emit({ event: 'roomAsksKeyFrame' });
    expect(keys).toEqual(['5']);
    expect(asks).toBe(1);
    await call.close();
    expect(sent.at(-1)!.op).toBe('close');
    emit({ event: 'roomKey', key: '6' });
    expect(keys).toEqual(['5']);
  });

  it('a lost call asks its gone server nothing more', async () => {
    const { link, sent } = fakeLink();
    const call = await RemoteRoomCall.open(link, { audio, video: null, sipFrom: 'x', cname: 'c', askKeyFrame: () => 0, onKey: () => 0 });
    call.lost = true;
    await call.hear({ show: null, mix: [] });
    await call.close();
    expect(sent.map((s) => s.op)).toEqual(['open']);
  });
});
