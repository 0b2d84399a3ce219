// What the recorder reads from a live room: who sends which camera and microphone, the main
// picture and the presentation (domain/recording/layout.ts plans the slots from this).
import type { RecordingView } from '../domain/recording/layout';
import type { RecordedRoom } from '../recording/recording-service';
import type { Conference } from './conference';
import type { LiveRoom } from './live-room';

export function recordingView(room: LiveRoom): RecordingView | null {
  const live = room.live;
  if (!live) return null;
  return {
    mainPeerId: live.mainPeerId(),
    presentationProducerId: live.floor.presentation?.producerId ?? null,
    recentSpeakers: live.recentSpeakers,
    peers: live.list().map((p) => {
      const producers = room.media.hasPeer(p.peerId) ? room.media.producersOf(p.peerId) : [];
      const of = (source: 'camera' | 'mic') => {
        const x = producers.find((q) => q.source === source);
        return x ? { producerId: x.producerId, paused: x.paused } : null;
      };
      return { peerId: p.peerId, isChairSite: p.isChairSite, connected: p.connected, camera: of('camera'), mic: of('mic') };
    }),
  };
}

export function recordedRoom(conference: Conference, room: LiveRoom): RecordedRoom {
  return {
    openTap: async () => {
      if (!room.media.openTap) throw new Error('this room has no media to record');
      return room.media.openTap();
    },
    // A room closed (everyone left, the meeting ended) ends its recording.
    view: () => (conference.rooms.get(room.key) === room ? recordingView(room) : null),
    ended: (r) => {
      if (!room.live || room.live.recording?.recordingId !== r.id) return;
      room.live.recording = null;
      conference.audit(room, null, 'recording.ended', null, r.state);
      conference.broadcastState(room);
    },
  };
}
