import type { ControlState, Participant, RoomState } from '@lienthong/sfu-server/protocol';
import { describe, expect, it } from 'vitest';
import { mmss, siteFloorView } from '../src/lib/room/floor';
import {
  consoleGroups,
  isChairSite,
  layerFor,
  MAIN_LAYER,
  powerIn,
  presenterName,
  roomLayout,
  screenTrack,
  siteTrack,
  THUMB_LAYER,
} from '../src/lib/room/layout';

function site(peerId: string, siteName: string, parentSiteName: string | null, extra: Partial<Participant> = {}): Participant {
  return {
    peerId,
    userId: `u-${peerId}`,
    userName: peerId,
    siteId: `s-${siteName}`,
    siteCode: siteName.toUpperCase(),
    siteName,
    parentSiteId: parentSiteName ? `s-${parentSiteName}` : null,
    parentSiteName,
    isChairSite: false,
    connected: true,
    receiveMode: 'full',
    quality: { rttMs: null, lossFraction: 0, sendBps: 0, recvBps: 0, jitterMs: null, grade: 'unknown' },
    ...extra,
  };
}

const province = site('p1', 'Tỉnh', null, { isChairSite: true });
const district = site('d1', 'Huyện Đại Từ', 'Tỉnh');
const commune1 = site('c1', 'Xã Cù Vân', 'Huyện Đại Từ');
const district2 = site('d2', 'Huyện Phú Bình', 'Tỉnh');
const commune2 = site('c2', 'Xã Hà Châu', 'Huyện Phú Bình');
const commune3 = site('c3', 'Xã An Khánh', 'Huyện Đại Từ');

function room(participants: Participant[], mainPeerId: string | null): RoomState {
  return { meetingId: 'm1', title: 'Họp', participants, mainPeerId, mainPolicy: 'chair', activeSpeakerPeerId: null, recentSpeakers: [] };
}

const names = (groups: [string, Participant[]][]) => groups.map(([g, ms]) => [g, ms.map((p) => p.peerId)]);

describe('room layout', () => {
  const everyone = [province, district, commune1, district2, commune2, commune3];

  it('shows the peer the server chose (the chair site by default) as the main picture, not as a thumbnail', () => {
    const l = roomLayout(room(everyone, 'p1'), 'c1');
    expect(l.main?.peerId).toBe('p1');
    expect(l.mainIsMe).toBe(false);
    // Groups in the order their first site joined; we (c1) are not among them.
    expect(names(l.groups)).toEqual([
      ['Tỉnh', ['d1', 'd2']],
      ['Huyện Phú Bình', ['c2']],
      ['Huyện Đại Từ', ['c3']],
    ]);
    expect(l.ownTile).toBe(true);
    expect(l.mySiteId).toBe('s-Xã Cù Vân');
  });

  it('follows the floor holder or the active speaker when the server moves the main picture', () => {
    const l = roomLayout(room(everyone, 'c2'), 'c1');
    expect(l.main?.peerId).toBe('c2');
    expect(names(l.groups)).toEqual([
      ['Tỉnh', ['p1', 'd1', 'd2']],
      ['Huyện Đại Từ', ['c3']],
    ]);
    // Top-level sites (no parent) head their own group.
    expect(l.groups[0]?.[1][0]?.parentSiteName).toBeNull();
  });

  it('shows a site that is the main picture itself the latest other speaker, not its own camera', () => {
    // The chair site is the meeting's main picture; the chair sees who spoke last (not itself).
    const spoke = { ...room(everyone, 'p1'), recentSpeakers: ['p1', 'c2', 'd1'] };
    const chair = roomLayout(spoke, 'p1');
    expect(chair.main?.peerId).toBe('c2');
    expect(chair.mainPeerId).toBe('c2');
    expect(chair.mainIsMe).toBe(false);
    expect(chair.ownTile).toBe(true);
    expect(chair.groups.flatMap(([, ms]) => ms.map((p) => p.peerId))).toEqual(['d1', 'd2', 'c1', 'c3']);
    // Everyone else still sees the chair site.
    expect(roomLayout(spoke, 'c2').main?.peerId).toBe('p1');
    // A speaker who dropped out is skipped; nobody spoke yet: the first other site connected.
    const dropped = { ...spoke, participants: everyone.map((p) => (p.peerId === 'c2' ? { ...p, connected: false } : p)) };
    expect(roomLayout(dropped, 'p1').main?.peerId).toBe('d1');
    expect(roomLayout(room(everyone, 'p1'), 'p1').main?.peerId).toBe('d1');
    // Another peer of our own site is our site too.
    const twoSeats = [...everyone, { ...province, peerId: 'p2', userId: 'u-p2' }];
    expect(roomLayout({ ...room(twoSeats, 'p1'), recentSpeakers: ['p1'] }, 'p2').main?.peerId).toBe('d1');
  });

  it('shows our own camera only when no other site is there', () => {
    const l = roomLayout(room([commune1], 'c1'), 'c1');
    expect(l.main?.peerId).toBe('c1');
    expect(l.mainIsMe).toBe(true);
    expect(l.ownTile).toBe(false);
    expect(l.groups).toEqual([]);
  });

  it('fills the main picture with the latest speaker, else the first site, while the server names nobody (or somebody who left)', () => {
    for (const mainPeerId of [null, 'gone']) {
      const l = roomLayout(room(everyone, mainPeerId), 'p1');
      expect(l.main?.peerId).toBe('d1');
      expect(l.mainIsMe).toBe(false);
      expect(l.ownTile).toBe(true);
      expect(l.others.map((p) => p.peerId)).toEqual(['d1', 'c1', 'd2', 'c2', 'c3']);
      expect(l.groups.flatMap(([, ms]) => ms).length).toBe(4);
      expect(roomLayout({ ...room(everyone, mainPeerId), recentSpeakers: ['c3'] }, 'p1').main?.peerId).toBe('c3');
    }
  });

  it('never lists ourselves among the thumbnails or the others', () => {
    const l = roomLayout(room(everyone, 'p1'), 'd2');
    expect(l.others.some((p) => p.peerId === 'd2')).toBe(false);
    expect(l.groups.flatMap(([, ms]) => ms).some((p) => p.peerId === 'd2')).toBe(false);
  });

  it('is empty before the room state arrives', () => {
    const l = roomLayout(null, null);
    expect(l).toEqual({ others: [], main: null, mainPeerId: null, mainIsMe: false, groups: [], ownTile: true, mySiteId: null });
  });

  it('asks the top simulcast layer for the main picture and the lowest for thumbnails', () => {
    expect(layerFor('p1', 'p1')).toBe(MAIN_LAYER);
    expect(layerFor('c1', 'p1')).toBe(THUMB_LAYER);
    expect(layerFor('c1', null)).toBe(THUMB_LAYER);
    expect([MAIN_LAYER, THUMB_LAYER]).toEqual([2, 0]);
  });
});

describe('chair console rows', () => {
  it('lists each other site once, under its parent, without the chair site', () => {
    const second = site('c1b', 'Xã Cù Vân', 'Huyện Đại Từ');
    const groups = consoleGroups([province, commune1, district, second, commune3], province.siteId);
    expect(names(groups)).toEqual([
      ['Huyện Đại Từ', ['c1', 'c3']],
      ['Tỉnh', ['d1']],
    ]);
  });
});

function control(over: Partial<ControlState> = {}): ControlState {
  return {
    meetingId: 'm1',
    serverNow: 0,
    chairSiteId: province.siteId,
    chair: { userId: 'u-chair', name: 'Chủ trì' },
    operators: [],
    mode: 'discussion',
    locked: false,
    allowSelfUnmute: true,
    speakingLimitSec: null,
    floor: null,
    queue: [],
    mics: {},
    media: {},
    removed: [],
    presentation: null,
    rollCall: null,
    recording: null,
    dialOut: [],
    ...over,
  };
}

describe('room details', () => {
  it('knows when our site chairs the meeting', () => {
    expect(isChairSite(control(), province.siteId)).toBe(true);
    expect(isChairSite(control(), district.siteId)).toBe(false);
    expect(isChairSite(null, province.siteId)).toBe(false);
    expect(isChairSite(control(), null)).toBe(false);
  });

  it('knows our powers from our user, not our site', () => {
    const c = control({ operators: [{ userId: 'u-tech', name: 'Kỹ thuật' }] });
    expect(powerIn(c, 'u-chair')).toBe('chair');
    expect(powerIn(c, 'u-tech')).toBe('operator');
    expect(powerIn(c, 'u-colleague-at-chair-site')).toBe('participant');
    expect(powerIn(null, 'u-chair')).toBe('participant');
  });

  it('picks camera and microphone tracks apart from a shared screen', () => {
    const remote = [
      { peerId: 'd1', kind: 'video' as const, source: 'screen' as const, id: 'scr' },
      { peerId: 'd1', kind: 'video' as const, source: 'camera' as const, id: 'cam' },
      { peerId: 'd1', kind: 'audio' as const, source: 'mic' as const, id: 'mic' },
    ];
    expect(siteTrack(remote, 'd1', 'video')?.id).toBe('cam');
    expect(siteTrack(remote, 'd1', 'audio')?.id).toBe('mic');
    expect(siteTrack(remote, 'c1', 'video')).toBeUndefined();
    expect(screenTrack(remote)?.id).toBe('scr');
    expect(screenTrack(remote.slice(1))).toBeNull();
  });

  it('names the presenting site', () => {
    const presentation = { siteId: district.siteId, peerId: 'd1', producerId: null, since: 0 };
    expect(presenterName(room([province, district], 'p1'), control({ presentation }))).toBe('Huyện Đại Từ');
    expect(presenterName(room([province], 'p1'), control({ presentation }))).toBe('');
    expect(presenterName(room([province, district], 'p1'), control())).toBe('');
  });
});

describe('floor panel', () => {
  it('formats clocks: countdowns round up, elapsed times to the nearest second', () => {
    expect(mmss(61_200)).toBe('01:01');
    expect(mmss(61_200, 'up')).toBe('01:02');
    expect(mmss(59_600)).toBe('01:00');
    expect(mmss(1, 'up')).toBe('00:01');
    expect(mmss(-5_000, 'up')).toBe('00:00');
    expect(mmss(3_600_000)).toBe('60:00');
  });

  it('tells a site whether it holds the floor, waits in the queue, or what its mic rule is', () => {
    const me = commune1.siteId;
    expect(siteFloorView(control(), me)).toMatchObject({ state: 'closed', mic: 'closed', position: 0, hasFloor: false });
    expect(siteFloorView(control({ mics: { [me]: 'muted' } }), me).state).toBe('muted');
    const queued = control({
      mics: { [me]: 'open' },
      queue: [
        { siteId: district.siteId, requestedAt: 1 },
        { siteId: me, requestedAt: 2 },
      ],
    });
    expect(siteFloorView(queued, me)).toMatchObject({ state: 'queued', position: 2, mic: 'open' });
    const floor = control({ floor: { siteId: me, since: 0, until: 60_000 }, queue: [{ siteId: me, requestedAt: 2 }] });
    expect(siteFloorView(floor, me)).toMatchObject({ state: 'floor', hasFloor: true });
  });

  it('shows our roll-call entry only while the roll call is open', () => {
    const me = commune1.siteId;
    const entry = { siteId: me, siteCode: 'X', siteName: 'Xã Cù Vân', status: 'pending' as const, headCount: null, reason: null, at: null };
    const open = control({ rollCall: { id: 'r', startedAt: 0, endedAt: null, entries: [entry] } });
    expect(siteFloorView(open, me).roll).toEqual(entry);
    expect(siteFloorView(open, district.siteId).roll).toBeUndefined();
    const ended = control({ rollCall: { id: 'r', startedAt: 0, endedAt: 5, entries: [entry] } });
    expect(siteFloorView(ended, me).roll).toBeUndefined();
  });
});
