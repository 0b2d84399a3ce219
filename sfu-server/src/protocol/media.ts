// Media signalling messages (socket.io): transports, producers, consumers.
import Type, { type Static } from 'typebox';
import { MediaObject, RefId } from './common';

export const Direction = Type.Union([Type.Literal('send'), Type.Literal('recv')]);
export const MediaKind = Type.Union([Type.Literal('audio'), Type.Literal('video')]);
export const MediaSource = Type.Union([Type.Literal('mic'), Type.Literal('camera'), Type.Literal('screen')]);
export type MediaSource = Static<typeof MediaSource>;

export const CreateTransportReq = Type.Object({ direction: Direction }, { additionalProperties: false });
export const TransportInfo = Type.Object({
  id: RefId,
  iceParameters: MediaObject,
  iceCandidates: Type.Array(MediaObject),
  dtlsParameters: MediaObject,
});
export type TransportInfo = Static<typeof TransportInfo>;

/** A TURN relay for a browser's RTCPeerConnection (coturn's shared-secret scheme: it expires by itself). */
export const IceServer = Type.Object({
  urls: Type.Array(Type.String({ pattern: '^turns?:' })),
  username: Type.String(),
  credential: Type.String(),
});
export const IceServersRes = Type.Object({
  /** Empty when the server offers no TURN. */
  iceServers: Type.Array(IceServer),
  /** Lifetime of the credentials: ask again for a new transport after this. */
  ttlSeconds: Type.Integer({ minimum: 0 }),
});
export type IceServersRes = Static<typeof IceServersRes>;

export const ConnectTransportReq = Type.Object({ transportId: RefId, dtlsParameters: MediaObject }, { additionalProperties: false });
export const RestartIceReq = Type.Object({ transportId: RefId }, { additionalProperties: false });
export const RestartIceRes = Type.Object({ iceParameters: MediaObject });

export const ProduceReq = Type.Object(
  { transportId: RefId, kind: MediaKind, rtpParameters: MediaObject, source: MediaSource },
  { additionalProperties: false },
);
export const ProduceRes = Type.Object({ producerId: RefId });

export const ProducerRef = Type.Object({ producerId: RefId }, { additionalProperties: false });

export const ConsumeReq = Type.Object({ producerId: RefId }, { additionalProperties: false });
export const ConsumerInfo = Type.Object({
  consumerId: RefId,
  producerId: RefId,
  peerId: RefId,
  kind: MediaKind,
  source: MediaSource,
  rtpParameters: MediaObject,
});
export type ConsumerInfo = Static<typeof ConsumerInfo>;

/**
 * The layer a receiver asks for (media:setConsumerLayers): the top simulcast layer for the main
 * picture, the lowest for thumbnails. The web app and the load tool both follow it.
 */
export const MAIN_LAYER = 2;
export const THUMB_LAYER = 0;
export const layerFor = (peerId: string, mainPeerId: string | null): number => (peerId === mainPeerId ? MAIN_LAYER : THUMB_LAYER);

interface Seat {
  peerId: string;
  siteId: string;
  connected: boolean;
}

/** How many sites the room remembers as having spoken, latest first. */
export const RECENT_SPEAKERS = 8;

/**
 * The sites that spoke, latest first, once `peerId` spoke. The server keeps the list and sends only each new
 * speaker (room:activeSpeaker); every page applies this same rule to the list it got in the room's state.
 */
export function afterSpeaking(recent: readonly string[], peerId: string): string[] {
  return [peerId, ...recent.filter((id) => id !== peerId)].slice(0, RECENT_SPEAKERS);
}

/**
 * What one viewer sees in its main picture. The meeting's main picture (floor holder, chair site or
 * active speaker), except that nobody is shown their own site: then the latest other site that spoke,
 * else the first other site connected. Alone, a site sees itself. The server sheds and the page asks
 * for layers by this same rule.
 */
export function mainFor(
  room: { mainPeerId: string | null; recentSpeakers: readonly string[]; participants: readonly Seat[] },
  viewerPeerId: string | null,
): string | null {
  const viewerSite = room.participants.find((p) => p.peerId === viewerPeerId)?.siteId;
  if (viewerSite === undefined) return room.mainPeerId;
  const isOther = (p: Seat | undefined) => p !== undefined && p.siteId !== viewerSite && p.connected;
  // One pass (the server asks for every viewer of a hundred-site meeting at each adaptation tick).
  const byId = new Map(room.participants.map((p) => [p.peerId, p]));
  if (room.mainPeerId !== null && isOther(byId.get(room.mainPeerId))) return room.mainPeerId;
  const spoke = room.recentSpeakers.find((id) => isOther(byId.get(id)));
  if (spoke) return spoke;
  return room.participants.find(isOther)?.peerId ?? room.mainPeerId;
}

export const ConsumerRef = Type.Object({ consumerId: RefId }, { additionalProperties: false });
export const ConsumerLayersReq = Type.Object(
  {
    consumerId: RefId,
    spatialLayer: Type.Integer({ minimum: 0, maximum: 2 }),
    temporalLayer: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })),
  },
  { additionalProperties: false },
);

/** What a peer announces about the media it produces. */
export const ProducerAnnouncement = Type.Object({
  producerId: RefId,
  peerId: RefId,
  kind: MediaKind,
  source: MediaSource,
  paused: Type.Boolean(),
});
export type ProducerAnnouncement = Static<typeof ProducerAnnouncement>;

export const Empty = Type.Object({}, { additionalProperties: false });

/** What adaptation takes from a site's received video: lower layers, only the main picture, or none. */
export const ShedStep = Type.Union([Type.Literal('none'), Type.Literal('low'), Type.Literal('main-only'), Type.Literal('audio-only')]);
export type ShedStep = Static<typeof ShedStep>;

/** One site's link as adaptation sees it, and what was shed to keep its audio. */
export const SiteAdaptation = Type.Object({
  peerId: RefId,
  siteId: Type.String(),
  /** Video this site receives. */
  step: ShedStep,
  /** `bandwidth`: the link's estimate is below what more video needs; `delay`: packets queue on the link. */
  reason: Type.Union([Type.Literal('bandwidth'), Type.Literal('delay'), Type.Null()]),
  /** The server's estimate of the link toward the site, kbit/s. */
  linkKbps: Type.Union([Type.Integer(), Type.Null()]),
  /** Remote videos paused and lowered to the lowest layer for this site. */
  paused: Type.Integer({ minimum: 0 }),
  lowered: Type.Integer({ minimum: 0 }),
  /** The site stopped sending its camera: its uplink cannot carry video (the others see its still picture). */
  sendVideoPaused: Type.Boolean(),
  /** The site's own estimate of its uplink, kbit/s. */
  uplinkKbps: Type.Union([Type.Integer(), Type.Null()]),
});
export type SiteAdaptation = Static<typeof SiteAdaptation>;
export const AdaptationEvent = Type.Object({ sites: Type.Array(SiteAdaptation) });
export type AdaptationEvent = Static<typeof AdaptationEvent>;

/** The browser's report of its uplink: its camera stopped (or resumed) because of it. */
/** Cumulative for this peer: a new page (a new peer) starts again from zero. */
export const ReceiveReportReq = Type.Object({ freezes: Type.Integer({ minimum: 0, maximum: 1_000_000 }) }, { additionalProperties: false });

export const UplinkReq = Type.Object(
  { videoPaused: Type.Boolean(), uplinkKbps: Type.Union([Type.Integer({ minimum: 0, maximum: 10_000_000 }), Type.Null()]) },
  { additionalProperties: false },
);
