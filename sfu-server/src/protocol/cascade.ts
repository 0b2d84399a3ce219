// Messages between the media servers of one cascaded meeting, carried over NATS. Every message is
// checked against these schemas when it arrives (cascade/bus.ts); a server trusts no other blindly.
import Type, { type Static } from 'typebox';
import { MediaObject, RefId } from './common';

export const ServerId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const Port = Type.Integer({ minimum: 1, maximum: 65535 });
const Ip = Type.String({ minLength: 2, maxLength: 64, pattern: '^[0-9a-fA-F:.]+$' });
const SrtpParameters = Type.Object(
  {
    cryptoSuite: Type.Union([
      Type.Literal('AEAD_AES_256_GCM'),
      Type.Literal('AEAD_AES_128_GCM'),
      Type.Literal('AES_CM_128_HMAC_SHA1_80'),
      Type.Literal('AES_CM_128_HMAC_SHA1_32'),
    ]),
    keyBase64: Type.String({ minLength: 16, maxLength: 128 }),
  },
  { additionalProperties: false },
);
const Layer = Type.Integer({ minimum: 0, maximum: 2 });

/** One end of a link: where its RTP listens and the key it sends with. */
export const LinkEnd = Type.Object(
  { meetingId: RefId, from: ServerId, ip: Ip, port: Port, srtp: SrtpParameters },
  { additionalProperties: false },
);
export type LinkEnd = Static<typeof LinkEnd>;

export const LinkAnswer = Type.Object({ ip: Ip, port: Port, srtp: SrtpParameters }, { additionalProperties: false });
export type LinkAnswer = Static<typeof LinkAnswer>;

export const EmptyAnswer = Type.Object({}, { additionalProperties: false });

/** Asks the server that opens links (the lower id of the pair) to open one to `from`. */
export const LinkOpen = Type.Object({ meetingId: RefId, from: ServerId }, { additionalProperties: false });
export type LinkOpen = Static<typeof LinkOpen>;

/** Asks a neighbour to send one producer across the link, at a simulcast layer for video. */
export const Pull = Type.Object(
  { meetingId: RefId, from: ServerId, producerId: RefId, spatialLayer: Layer },
  { additionalProperties: false },
);
export type Pull = Static<typeof Pull>;

export const PullAnswer = Type.Object(
  {
    kind: Type.Union([Type.Literal('audio'), Type.Literal('video')]),
    rtpParameters: MediaObject,
    paused: Type.Boolean(),
    appData: Type.Record(Type.String(), Type.Unknown(), { maxProperties: 16 }),
  },
  { additionalProperties: false },
);
export type PullAnswer = Static<typeof PullAnswer>;

/** The layer wanted beyond the link changed. */
export const LayerChange = Type.Object(
  { meetingId: RefId, from: ServerId, producerId: RefId, spatialLayer: Layer },
  { additionalProperties: false },
);
export type LayerChange = Static<typeof LayerChange>;

export const Release = Type.Object({ meetingId: RefId, from: ServerId, producerId: RefId }, { additionalProperties: false });
export type Release = Static<typeof Release>;

/** Published by a producer's origin server to the whole meeting: what exists and its state. */
export const ProducerEvent = Type.Object(
  {
    meetingId: RefId,
    origin: ServerId,
    producerId: RefId,
    event: Type.Union([Type.Literal('announce'), Type.Literal('pause'), Type.Literal('resume'), Type.Literal('close')]),
    kind: Type.Union([Type.Literal('audio'), Type.Literal('video')]),
    appData: Type.Record(Type.String(), Type.Unknown(), { maxProperties: 16 }),
  },
  { additionalProperties: false },
);
export type ProducerEvent = Static<typeof ProducerEvent>;

/** Sent by each server to a meeting every few seconds: the producers that start there, all of them. */
export const Roster = Type.Object(
  {
    meetingId: RefId,
    origin: ServerId,
    producers: Type.Array(
      Type.Object(
        {
          producerId: RefId,
          kind: Type.Union([Type.Literal('audio'), Type.Literal('video')]),
          paused: Type.Boolean(),
          appData: Type.Record(Type.String(), Type.Unknown(), { maxProperties: 16 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);
export type Roster = Static<typeof Roster>;

/**
 * Between whole rosters, a server whose producers did not change sends only their digest
 * (cascade/roster.ts). A server whose own view does not match the digest asks for the whole roster:
 * `want` names the server it wants it from.
 */
export const RosterDigest = Type.Object(
  { meetingId: RefId, origin: ServerId, digest: Type.String({ pattern: '^[0-9a-f]{16}$' }) },
  { additionalProperties: false },
);
export const RosterWant = Type.Object({ meetingId: RefId, origin: ServerId, want: ServerId }, { additionalProperties: false });
/** What goes on a meeting's roster subject. */
export const RosterMessage = Type.Union([Roster, RosterDigest, RosterWant]);
export type RosterMessage = Static<typeof RosterMessage>;

/** A ping's answer: the id of this run of the server, new after every restart. */
export const PingAnswer = Type.Object({ bootId: RefId }, { additionalProperties: false });
export type PingAnswer = Static<typeof PingAnswer>;

/** Every reply is either { ok: true, ... } or a coded refusal the asker reports as it is. */
export const CascadeRefusal = Type.Object(
  { ok: Type.Literal(false), code: Type.String({ maxLength: 64 }), message: Type.String({ maxLength: 500 }) },
  { additionalProperties: false },
);
export type CascadeRefusal = Static<typeof CascadeRefusal>;

export type CascadeVerb = 'link' | 'open' | 'pull' | 'layer' | 'release' | 'ping' | 'media' | 'placed' | 'mediaStats' | 'roomCall';

/** A meeting id as one NATS subject token (ids may hold '.', which separates tokens). */
const token = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, '_');
/** A server id as a token; `*` (any server) stays a wildcard. Server ids are tokens already (ServerId). */
const server = (id: string) => (id === '*' ? id : token(id));
const between = (to: string, from: string) => `lt.srv.${server(to)}.*.${server(from)}`;
const eventsBy = (id: string) => `lt.mtg.*.*.${server(id)}`;

/**
 * Subjects: requests go to one server, events to everyone in the meeting. The last token is always
 * the sending server's id: nats-server lets each server publish only subjects ending in its own id
 * (cascade/nats-config.ts), and the bus refuses a body whose `from`/`origin` names another server.
 */
export const cascadeSubjects = {
  request: (to: string, verb: CascadeVerb, from: string) => `lt.srv.${server(to)}.${verb}.${server(from)}`,
  producers: (meetingId: string, origin: string) => `lt.mtg.${token(meetingId)}.producers.${server(origin)}`,
  roster: (meetingId: string, origin: string) => `lt.mtg.${token(meetingId)}.roster.${server(origin)}`,
  /** A district's media of a meeting telling the province of its peers (protocol/cascade-media.ts). */
  media: (meetingId: string, origin: string) => `lt.mtg.${token(meetingId)}.media.${server(origin)}`,
  /** Any sender, to subscribe with. */
  ANY: '*',
  /** The sending server named by a subject. */
  senderOf: (subject: string) => subject.slice(subject.lastIndexOf('.') + 1),
  /** Requests from `from` to `to`, any verb. */
  between,
  /** Events server `id` sends, to any meeting. */
  eventsBy,
  /** What server `id` may publish: its requests to anyone, its events to any meeting. */
  sentBy: (id: string) => [between('*', id), eventsBy(id)],
  /** What server `id` receives: requests to it, every meeting's events. */
  receivedBy: (id: string) => [`lt.srv.${server(id)}.>`, 'lt.mtg.>'],
} as const;
