// Who is told which quality changes (room:quality). Every screen shows each site's grade; only the
// chair's console shows the figures behind every grade. Sent to every site, each figure that moved
// went to a few hundred sites every few seconds; a site now gets the grades that changed and its own figures.
import { hasConsole } from '../domain/floor/authority';
import type { Quality } from '../protocol';
import type { LiveRoom } from './live-room';

export function tellQuality(
  room: LiveRoom,
  changed: readonly string[],
  send: (peerId: string, data: { sites: { peerId: string; quality: Quality }[] }) => void,
): void {
  const live = room.live;
  if (!live) return;
  room.gradeTold ??= new Map();
  const told = room.gradeTold;
  const all = changed.filter((id) => live.has(id)).map((peerId) => ({ peerId, quality: live.get(peerId).quality }));
  const regraded = new Set(all.filter((s) => told.get(s.peerId) !== s.quality.grade).map((s) => s.peerId));
  for (const s of all) told.set(s.peerId, s.quality.grade);
  if (all.length === 0) return;
  for (const p of live.list()) {
    if (!room.sockets.has(p.peerId)) continue;
    const console = hasConsole(live.floor.authority, p.userId);
    const sites = console ? all : all.filter((s) => regraded.has(s.peerId) || s.peerId === p.peerId);
    if (sites.length > 0) send(p.peerId, { sites });
  }
}
