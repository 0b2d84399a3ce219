import { describe, expect, it } from 'vitest';
import { authorityFromSchedule } from '../src/domain/floor/authority';
import { FloorControl } from '../src/domain/floor/floor-control';
import {
  type AudioProducerState,
  audioAllowed,
  audioPauseChanges,
  floorExpired,
  floorTimerDelay,
  mayReceive,
  mayUnmute,
  micState,
  receiveModeChanges,
  spatialLayerFor,
} from '../src/domain/floor/media-rules';

const CHAIR = 'tn';
/** Chair actions take the caller's user id: here the chair user is called like its site. */
const AUTH = authorityFromSchedule({ userId: CHAIR, name: 'Chủ trì' }, []);
const present = () => true;

const mic = (siteId: string, paused: boolean, selfPaused = false): AudioProducerState => ({
  peerId: `p-${siteId}`,
  siteId,
  producerId: `a-${siteId}`,
  paused,
  selfPaused,
});

describe('floor media rules', () => {
  it('discussion: every site is heard until the chair mutes it or mutes all', () => {
    const f = new FloorControl(CHAIR, AUTH);
    expect(['tn', 'dt', 'pb'].map((s) => micState(f, s))).toEqual(['open', 'open', 'open']);
    f.mute(CHAIR, 'dt', true);
    expect(micState(f, 'dt')).toBe('muted');
    f.muteAll(CHAIR);
    expect(['tn', 'dt', 'pb'].map((s) => micState(f, s))).toEqual(['open', 'closed', 'closed']);
    f.giveFloor(CHAIR, 'pb', 0, present);
    expect(audioAllowed(f, 'pb')).toBe(true);
    // In discussion the previous speaker keeps an open microphone.
    f.giveFloor(CHAIR, 'dt', 1, present);
    expect([audioAllowed(f, 'pb'), audioAllowed(f, 'dt')]).toEqual([true, true]);
  });

  it('briefing: only the chair and the floor holder are heard; a chair mute wins over nothing else', () => {
    const f = new FloorControl(CHAIR, AUTH);
    f.mute(CHAIR, 'pb', false); // opened explicitly in discussion
    f.setMode(CHAIR, 'briefing');
    expect(['tn', 'dt', 'pb'].map((s) => micState(f, s))).toEqual(['open', 'closed', 'closed']);
    f.mute(CHAIR, 'vn', true);
    f.giveFloor(CHAIR, 'vn', 0, present); // giving the floor lifts the mute
    expect(micState(f, 'vn')).toBe('open');
    f.takeFloor(CHAIR);
    expect(micState(f, 'vn')).toBe('closed');
  });

  it('decides whether a site may unmute itself, and why not', () => {
    const f = new FloorControl(CHAIR, AUTH);
    expect(mayUnmute(f, 'dt')).toEqual({ ok: true, alreadyOpen: true });
    f.mute(CHAIR, 'dt', true);
    expect(mayUnmute(f, 'dt')).toEqual({ ok: true, alreadyOpen: false });
    f.setSelfUnmute(CHAIR, false);
    expect(mayUnmute(f, 'dt')).toMatchObject({ ok: false, code: 'SELF_UNMUTE_FORBIDDEN' });
    f.setSelfUnmute(CHAIR, true);
    f.setMode(CHAIR, 'briefing');
    expect(mayUnmute(f, 'pb')).toMatchObject({ ok: false, code: 'FLOOR_REQUIRED' });
    expect(mayUnmute(f, CHAIR)).toEqual({ ok: true, alreadyOpen: true });
  });

  it('pauses exactly the audio the rules close, and keeps a site’s own mute', () => {
    const f = new FloorControl(CHAIR, AUTH);
    f.setMode(CHAIR, 'briefing');
    f.giveFloor(CHAIR, 'dt', 0, present);
    const changes = audioPauseChanges(f, [
      mic('tn', true), // chair: resumed
      mic('dt', true), // floor holder: resumed
      mic('pb', false), // closed: paused
      mic('vn', true), // closed and already paused: no change
      { ...mic('xa', false, true), siteId: 'dt', peerId: 'p-dt2', producerId: 'a-dt2' }, // muted by its own site
    ]);
    expect(changes).toEqual([
      { peerId: 'p-tn', producerId: 'a-tn', paused: false },
      { peerId: 'p-dt', producerId: 'a-dt', paused: false },
      { peerId: 'p-pb', producerId: 'a-pb', paused: true },
      { peerId: 'p-dt2', producerId: 'a-dt2', paused: true },
    ]);
  });

  it('caps the video layer of low-bandwidth receivers only', () => {
    expect(spatialLayerFor('low', 2)).toBe(0);
    expect(spatialLayerFor('full', 2)).toBe(2);
    expect(spatialLayerFor('full', 1)).toBe(1);
    expect(spatialLayerFor('audio-only', 1)).toBe(1);
  });

  it('times a limited turn to speak', () => {
    expect(floorTimerDelay(null, 0)).toBeNull();
    expect(floorTimerDelay({ siteId: 'dt', since: 0, until: null }, 5)).toBeNull();
    expect(floorTimerDelay({ siteId: 'dt', since: 0, until: 60_000 }, 15_000)).toBe(45_000);
    expect(floorTimerDelay({ siteId: 'dt', since: 0, until: 60_000 }, 61_000)).toBe(0);
    expect(floorExpired({ siteId: 'dt', since: 0, until: 60_000 }, 59_999)).toBe(false);
    expect(floorExpired({ siteId: 'dt', since: 0, until: 60_000 }, 60_000)).toBe(true);
    expect(floorExpired({ siteId: 'dt', since: 0, until: null }, 1e12)).toBe(false);
    const f = new FloorControl(CHAIR, AUTH);
    f.setSpeakingLimit(CHAIR, 60, 0);
    f.giveFloor(CHAIR, 'dt', 1000, present);
    expect(f.tick(60_999)).toBe(false);
    expect(f.tick(61_000)).toBe(true);
    expect(f.floor).toBeNull();
  });
});

describe('receive modes', () => {
  const consumers = [
    { consumerId: 'a1', kind: 'audio' as const },
    { consumerId: 'v1', kind: 'video' as const },
    { consumerId: 'v2', kind: 'video' as const },
  ];

  it('audio-only receivers get no video; the others get everything', () => {
    expect(mayReceive('audio-only', 'video')).toBe(false);
    expect(mayReceive('audio-only', 'audio')).toBe(true);
    expect(mayReceive('low', 'video')).toBe(true);
    expect(mayReceive('full', 'video')).toBe(true);
  });

  it('switching closes video for audio-only and caps its layers for low', () => {
    expect(receiveModeChanges('audio-only', consumers)).toEqual({ close: ['v1', 'v2'], layers: [] });
    expect(receiveModeChanges('low', consumers)).toEqual({
      close: [],
      layers: [
        { consumerId: 'v1', spatialLayer: 0 },
        { consumerId: 'v2', spatialLayer: 0 },
      ],
    });
    expect(receiveModeChanges('full', consumers)).toEqual({ close: [], layers: [] });
  });
});
