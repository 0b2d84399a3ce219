// The province runs every meeting's signalling and chair; a site served by a district server has
// its media there. These are the province's requests to that server's media of a meeting (one per
// RoomMedia call for a peer placed there), their answers, and the events the district sends back.
// Checked on arrival (cascade/bus.ts) like every cascade message.
import Type, { type Static } from 'typebox';
import { ServerId } from './cascade';
import { MediaObject, RefId } from './common';
import { ConsumerInfo, Direction, MediaKind, MediaSource, TransportInfo } from './media';

const Layer = Type.Integer({ minimum: 0, maximum: 2 });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const op = <N extends string, A extends Parameters<typeof Type.Object>[0]>(name: N, args: A) =>
  Type.Object({ meetingId: RefId, from: ServerId, peerId: RefId, op: Type.Literal(name), ...args }, { additionalProperties: false });

/** One media call for a peer whose media is on the asked server. */
export const MediaCall = Type.Union([
  op('addPeer', {}),
  op('removePeer', {}),
  op('setRtpCapabilities', { caps: MediaObject }),
  op('createTransport', { direction: Direction }),
  op('connectTransport', { transportId: RefId, dtlsParameters: MediaObject }),
  op('restartIce', { transportId: RefId }),
  op('produce', { transportId: RefId, kind: MediaKind, rtpParameters: MediaObject, source: MediaSource }),
  op('closeProducer', { producerId: RefId }),
  op('setProducerPaused', { producerId: RefId, paused: Type.Boolean() }),
  op('consume', { producerId: RefId }),
  op('resumeConsumer', { consumerId: RefId }),
  op('setConsumerLayers', { consumerId: RefId, spatialLayer: Layer, temporalLayer: Type.Optional(Layer) }),
  op('closeConsumer', { consumerId: RefId }),
  op('shedVideo', {
    actions: Type.Array(
      Type.Object({ consumerId: RefId, shed: Type.Boolean(), maxSpatialLayer: Nullable(Layer) }, { additionalProperties: false }),
      { maxItems: 400 },
    ),
  }),
]);
export type MediaCall = Static<typeof MediaCall>;
export type MediaOp = MediaCall['op'];

export const RecvLinkView = Type.Object({
  estimateBps: Nullable(Type.Number()),
  sendBps: Type.Number(),
  rttMs: Nullable(Type.Number()),
  lossFraction: Nullable(Type.Number()),
  audioStreams: Type.Integer({ minimum: 0 }),
  video: Type.Array(Type.Object({ consumerId: RefId, producerPeerId: RefId, source: MediaSource }), { maxItems: 400 }),
});

export const PeerStatsView = Type.Object({
  rttMs: Nullable(Type.Number()),
  lossFraction: Type.Number(),
  sendBps: Type.Number(),
  recvBps: Type.Number(),
  jitterMs: Nullable(Type.Number()),
  layer: Type.Optional(Nullable(Type.Integer())),
});

/** Every answer is `{ result }`; what `result` holds depends on the call. */
export const mediaResults = {
  addPeer: Type.Null(),
  removePeer: Type.Null(),
  setRtpCapabilities: Type.Null(),
  createTransport: TransportInfo,
  connectTransport: Type.Null(),
  restartIce: MediaObject,
  produce: RefId,
  closeProducer: Type.Null(),
  setProducerPaused: Type.Null(),
  consume: ConsumerInfo,
  resumeConsumer: Type.Null(),
  setConsumerLayers: Type.Null(),
  closeConsumer: Type.Null(),
  shedVideo: Type.Null(),
} as const satisfies Record<MediaOp, unknown>;

/**
 * What a district's media of a meeting tells the province about the peers placed there. A room-system
 * call's media tells of a key on the room's remote (`roomKey`) and of a keyframe wanted from the room,
 * which the province asks by SIP INFO (`roomAsksKeyFrame`; protocol/cascade-room-call.ts).
 */
export const MediaEvent = Type.Object(
  {
    meetingId: RefId,
    origin: ServerId,
    event: Type.Union([
      Type.Literal('consumerClosed'),
      Type.Literal('peerMediaReset'),
      Type.Literal('roomKey'),
      Type.Literal('roomAsksKeyFrame'),
    ]),
    peerId: RefId,
    consumerId: Type.Optional(RefId),
    key: Type.Optional(Type.String({ pattern: '^[0-9*#A-D]$' })),
  },
  { additionalProperties: false },
);
export type MediaEvent = Static<typeof MediaEvent>;

/** A district asks its parent which of its peers the parent still places on it (the rest are left over). */
export const PlacedQuery = Type.Object({ meetingId: RefId, from: ServerId }, { additionalProperties: false });
export type PlacedQuery = Static<typeof PlacedQuery>;
export const PlacedAnswer = Type.Object({ peers: Type.Array(RefId, { maxItems: 5000 }) }, { additionalProperties: false });
export type PlacedAnswer = Static<typeof PlacedAnswer>;

/**
 * The province's reading of every peer a district hosts for a meeting, once a second in one request:
 * its adaptation and quality loops then never wait on the WAN for one site. `known` is the last answer
 * the province got; against it, a peer's list of received videos is left out while unchanged.
 */
export const StatsQuery = Type.Object(
  { meetingId: RefId, from: ServerId, known: Type.Optional(Type.Integer({ minimum: 0 })) },
  { additionalProperties: false },
);
export type StatsQuery = Static<typeof StatsQuery>;
export const PeerReading = Type.Object(
  { peerId: RefId, recvLink: Nullable(RecvLinkView), stats: Nullable(PeerStatsView) },
  { additionalProperties: false },
);
export type PeerReading = Static<typeof PeerReading>;
/** On the wire: `video` absent means the same list as in the answer the query named as known. */
const WireReading = Type.Object(
  {
    peerId: RefId,
    recvLink: Nullable(Type.Object({ ...RecvLinkView.properties, video: Type.Optional(RecvLinkView.properties.video) })),
    stats: Nullable(PeerStatsView),
  },
  { additionalProperties: false },
);
export type WireReading = Static<typeof WireReading>;
export const StatsAnswer = Type.Object(
  { seq: Type.Integer({ minimum: 1 }), peers: Type.Array(WireReading, { maxItems: 5000 }) },
  { additionalProperties: false },
);
export type StatsAnswer = Static<typeof StatsAnswer>;
