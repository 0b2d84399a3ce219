// What the room shows where. The server picks the meeting's main picture (floor holder,
// else the chair site, or the active speaker when the chair chose that policy) and sends it
// as room.mainPeerId; a site that is that picture itself sees the latest other speaker instead
// (mainFor). Here: who fills the main picture, how the other sites are grouped as thumbnails
// under their parent site, and whether the own site gets its own group.
import { type ControlState, mainFor, type Participant, type RoomState } from '@lienthong/sfu-server/protocol';

/** Sites listed under one heading: the parent site's name (or the site's own, for the top level). */
export type SiteGroup = [heading: string, members: Participant[]];

export { layerFor, MAIN_LAYER, THUMB_LAYER } from '@lienthong/sfu-server/protocol';

export interface RoomLayout {
  /** Everyone but us, whatever their place (their sound always plays). */
  others: Participant[];
  /** Who fills this page's main picture (mainFor); null while nobody does. */
  main: Participant | null;
  /** Its peer id, for the layer choice. */
  mainPeerId: string | null;
  /** The main picture is our own site (shown from the local camera). */
  mainIsMe: boolean;
  /** The other sites as thumbnails, in the order they joined within their group. */
  groups: SiteGroup[];
  /** Our own site as a separate thumbnail group, unless it is the main picture. */
  ownTile: boolean;
  mySiteId: string | null;
}

function groupByParent(participants: Iterable<Participant>): SiteGroup[] {
  const m = new Map<string, Participant[]>();
  for (const p of participants) {
    const g = p.parentSiteName ?? p.siteName;
    m.set(g, [...(m.get(g) ?? []), p]);
  }
  return [...m.entries()];
}

export function roomLayout(room: RoomState | null, myPeerId: string | null): RoomLayout {
  const all = room?.participants ?? [];
  const mainPeerId = room ? mainFor(room, myPeerId) : null;
  const main = all.find((p) => p.peerId === mainPeerId) ?? null;
  const others = all.filter((p) => p.peerId !== myPeerId);
  const mainIsMe = main !== null && main.peerId === myPeerId;
  return {
    others,
    main,
    mainPeerId: main?.peerId ?? null,
    mainIsMe,
    groups: groupByParent(others.filter((p) => p.peerId !== mainPeerId)),
    ownTile: main?.peerId !== myPeerId,
    mySiteId: all.find((p) => p.peerId === myPeerId)?.siteId ?? null,
  };
}

/** The chair console lists each other site once (its first peer), grouped under its parent site. */
export function consoleGroups(participants: readonly Participant[], chairSiteId: string | null): SiteGroup[] {
  const seen = new Set<string>();
  const rows: Participant[] = [];
  for (const p of participants) {
    if (p.siteId === chairSiteId || seen.has(p.siteId)) continue;
    seen.add(p.siteId);
    rows.push(p);
  }
  return groupByParent(rows);
}

export const isChairSite = (control: ControlState | null, mySiteId: string | null): boolean =>
  !!control && !!mySiteId && control.chairSiteId === mySiteId;

/** The caller's powers in the meeting: the chair user, a console operator acting for them, or a participant. */
export type Power = 'chair' | 'operator' | 'participant';
export function powerIn(control: ControlState | null, myUserId: string | null): Power {
  if (!control || !myUserId) return 'participant';
  if (control.chair.userId === myUserId) return 'chair';
  return control.operators.some((o) => o.userId === myUserId) ? 'operator' : 'participant';
}

export const POWER_TEXT = { chair: 'youAreChair', operator: 'youRunConsole', participant: 'youAreParticipant' } as const;

interface TrackLike {
  peerId: string;
  kind: 'audio' | 'video';
  source: 'mic' | 'camera' | 'screen';
}

/** A site's camera or microphone track (not its shared screen). */
export const siteTrack = <T extends TrackLike>(remote: readonly T[], peerId: string, kind: 'audio' | 'video'): T | undefined =>
  remote.find((r) => r.peerId === peerId && r.kind === kind && r.source !== 'screen');

export const screenTrack = <T extends TrackLike>(remote: readonly T[]): T | null =>
  remote.find((r) => r.source === 'screen' && r.kind === 'video') ?? null;

/** The presenting site's name, '' when nobody presents. */
export function presenterName(room: RoomState | null, control: ControlState | null): string {
  const presentation = control?.presentation;
  if (!presentation) return '';
  return room?.participants.find((p) => p.peerId === presentation.peerId)?.siteName ?? '';
}
