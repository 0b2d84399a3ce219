// The two snapshots every screen renders: room:state (who is there, the main
// picture) and room:control (floor, mode, mutes, queue, roll call, what each
// peer actually sends). Built from the domain state and the room's media.
import type { LiveMeeting } from '../domain/live/live-meeting';
import type { ControlState, RoomState } from '../protocol';
import type { RoomMedia } from './ports';

export function roomState(live: LiveMeeting): RoomState {
  return {
    meetingId: live.meetingId,
    title: live.title,
    participants: live.list().map((p) => ({
      peerId: p.peerId,
      userId: p.userId,
      userName: p.userName,
      siteId: p.siteId,
      siteCode: p.siteCode,
      siteName: p.siteName,
      parentSiteId: p.parentSiteId,
      parentSiteName: p.parentSiteName,
      isChairSite: p.isChairSite,
      connected: p.connected,
      receiveMode: p.receiveMode,
      quality: p.quality,
    })),
    mainPeerId: live.mainPeerId(),
    mainPolicy: live.mainPolicy,
    activeSpeakerPeerId: live.activeSpeakerPeerId,
    recentSpeakers: live.recentSpeakers,
  };
}

export function controlState(live: LiveMeeting, media: RoomMedia, now: number): ControlState {
  const f = live.floor;
  const mics: ControlState['mics'] = {};
  const sending: ControlState['media'] = {};
  for (const p of live.list()) {
    mics[p.siteId] = f.micState(p.siteId);
    const producers = media.hasPeer(p.peerId) ? media.producersOf(p.peerId) : [];
    sending[p.peerId] = {
      micLive: producers.some((x) => x.source === 'mic' && !x.paused),
      camera: producers.some((x) => x.source === 'camera' && !x.paused),
    };
  }
  const rc = f.rollCall;
  return {
    meetingId: live.meetingId,
    serverNow: now,
    chairSiteId: f.chairSiteId,
    chair: { ...f.authority.chair },
    operators: f.authority.operators.map((o) => ({ ...o })),
    mode: f.mode,
    locked: f.locked,
    allowSelfUnmute: f.allowSelfUnmute,
    speakingLimitSec: f.speakingLimitMs === null ? null : Math.round(f.speakingLimitMs / 1000),
    floor: f.floor ? { ...f.floor } : null,
    queue: f.requests.map((q) => ({ ...q })),
    mics,
    media: sending,
    removed: f.removedSites,
    presentation: f.presentation ? { ...f.presentation } : null,
    recording: live.recording ? { ...live.recording } : null,
    dialOut: [...live.dialOut.values()].map((c) => ({ ...c })),
    rollCall: rc ? { id: rc.id, startedAt: rc.startedAt, endedAt: rc.endedAt, entries: rc.entries.map((e) => ({ ...e })) } : null,
  };
}
