// Applies the floor's media rules (domain/floor/media-rules.ts) to a live room:
// audio producers paused or resumed server-side (a paused producer is forwarded
// to nobody, so a closed microphone is silent for everyone), and the timer that
// ends a limited turn to speak.
import { type AudioProducerState, audioPauseChanges, floorTimerDelay } from '../domain/floor/media-rules';
import type { LiveRoom } from './live-room';

export async function enforceAudio(room: LiveRoom): Promise<void> {
  const live = room.live;
  if (!live) return;
  const producers: AudioProducerState[] = [];
  for (const p of live.list()) {
    if (!room.media.hasPeer(p.peerId)) continue;
    for (const a of room.media.producersOf(p.peerId, 'audio')) {
      const selfPaused = room.selfPaused.has(a.producerId);
      producers.push({ peerId: p.peerId, siteId: p.siteId, producerId: a.producerId, paused: a.paused, selfPaused });
    }
  }
  const changes = audioPauseChanges(live.floor, producers);
  await Promise.all(changes.map((c) => room.media.setProducerPaused(c.peerId, c.producerId, c.paused).catch(() => undefined)));
}

/** (Re)arms the speaking-limit timer; `expired` runs once the floor went back to the chair. */
export function armFloorTimer(room: LiveRoom, now: () => number, expired: (holderSiteId: string) => void): void {
  if (room.floorTimer) clearTimeout(room.floorTimer);
  room.floorTimer = null;
  const delay = floorTimerDelay(room.live?.floor.floor ?? null, now());
  if (delay === null) return;
  room.floorTimer = setTimeout(() => {
    room.floorTimer = null;
    const live = room.live;
    const holder = live?.floor.floor?.siteId;
    if (!live || !holder) return;
    if (live.floor.tick(now())) expired(holder);
    else armFloorTimer(room, now, expired);
  }, delay);
  room.floorTimer.unref?.();
}
