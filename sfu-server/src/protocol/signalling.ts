// socket.io contract: every client request is an event with one payload and an
// ack; the table below is the only definition of those payloads and replies.
// Server pushes are listed in ServerEvents.
import Type, { type Static, type TSchema } from 'typebox';
import {
  AuditEntry,
  ControlState,
  DialOutReq,
  FloorRequestRes,
  HandOverReq,
  HangUpRoomReq,
  LockReq,
  MuteReq,
  RecordReq,
  RollCallAnswerReq,
  RollCallMarkReq,
  RollCallStartRes,
  SelfUnmuteReq,
  SetModeReq,
  SetOperatorsReq,
  SiteReq,
  SpeakingLimitReq,
} from './chair';
import { MediaObject, RefId } from './common';
import {
  AdaptationEvent,
  ConnectTransportReq,
  ConsumeReq,
  ConsumerInfo,
  ConsumerLayersReq,
  ConsumerRef,
  CreateTransportReq,
  Empty,
  IceServersRes,
  ProduceReq,
  ProduceRes,
  ProducerAnnouncement,
  ProducerRef,
  RECENT_SPEAKERS,
  ReceiveReportReq,
  RestartIceReq,
  RestartIceRes,
  TransportInfo,
  UplinkReq,
} from './media';
import { RoomNetwork } from './network';

export const SIGNALLING_PATH = '/socket.io';
/** Largest accepted message payload (JSON bytes). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

export const ReceiveMode = Type.Union([Type.Literal('full'), Type.Literal('low'), Type.Literal('audio-only')]);
export type ReceiveMode = Static<typeof ReceiveMode>;

export const Quality = Type.Object({
  rttMs: Type.Union([Type.Number(), Type.Null()]),
  lossFraction: Type.Number(),
  sendBps: Type.Number(),
  recvBps: Type.Number(),
  jitterMs: Type.Union([Type.Number(), Type.Null()]),
  /** The spatial simulcast layer of the best picture the site receives (0 lowest); null: none. */
  layer: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 7 }), Type.Null()])),
  /** Video freezes the site's browser counted in this meeting (media:receiveReport). */
  freezes: Type.Optional(Type.Integer({ minimum: 0 })),
  /** good / fair / poor, derived from the numbers above. */
  grade: Type.Union([Type.Literal('good'), Type.Literal('fair'), Type.Literal('poor'), Type.Literal('unknown')]),
});
export type Quality = Static<typeof Quality>;

export const Participant = Type.Object({
  peerId: RefId,
  userId: Type.String(),
  userName: Type.String(),
  siteId: Type.String(),
  siteCode: Type.String(),
  siteName: Type.String(),
  parentSiteId: Type.Union([Type.String(), Type.Null()]),
  parentSiteName: Type.Union([Type.String(), Type.Null()]),
  isChairSite: Type.Boolean(),
  connected: Type.Boolean(),
  receiveMode: ReceiveMode,
  quality: Quality,
});
export type Participant = Static<typeof Participant>;

export const RoomState = Type.Object({
  meetingId: Type.String(),
  title: Type.String(),
  participants: Type.Array(Participant),
  /** Peer shown as the main picture for everyone. */
  mainPeerId: Type.Union([RefId, Type.Null()]),
  mainPolicy: Type.Union([Type.Literal('chair'), Type.Literal('speaker')]),
  activeSpeakerPeerId: Type.Union([RefId, Type.Null()]),
  /** Who spoke last, latest first, each peer once (mainFor: whom a site sees when the main picture is itself). */
  recentSpeakers: Type.Array(RefId, { maxItems: RECENT_SPEAKERS }),
});
export type RoomState = Static<typeof RoomState>;

export const JoinMeetingReq = Type.Object(
  {
    meetingId: Type.String({ minLength: 1, maxLength: 64 }),
    rtpCapabilities: MediaObject,
    /** Peer id from before a disconnect: resumes the same place (and media) if still held. */
    resumePeerId: Type.Optional(RefId),
    /** With resumePeerId: the page has no media left (a reload): keep the place, start its media anew. */
    freshMedia: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const JoinRes = Type.Object({
  peerId: RefId,
  resumed: Type.Boolean(),
  routerRtpCapabilities: MediaObject,
  producers: Type.Array(ProducerAnnouncement),
  room: Type.Union([RoomState, Type.Null()]),
  /** How long the server keeps a disconnected participant's place (media.reconnectGraceSeconds). */
  graceMs: Type.Optional(Type.Integer({ minimum: 0 })),
  /** media.adaptation.enabled: off, nothing is shed either way (the browser keeps its camera on a thin uplink too). */
  adaptation: Type.Optional(Type.Boolean()),
});
export type JoinRes = Static<typeof JoinRes>;

export const SelfTestJoinReq = Type.Object({ rtpCapabilities: MediaObject }, { additionalProperties: false });
export const RouterCapsReq = Empty;
export const RouterCapsRes = Type.Object({ routerRtpCapabilities: MediaObject });

export const SetReceiveModeReq = Type.Object({ mode: ReceiveMode }, { additionalProperties: false });
export const SetMainPolicyReq = Type.Object(
  { policy: Type.Union([Type.Literal('chair'), Type.Literal('speaker')]) },
  { additionalProperties: false },
);

const Ok = Type.Object({});

/**
 * Client → server requests: payload schema and reply schema. Each has exactly one
 * handler in src/signalling/handlers/ (index.ts says which topic module).
 */
export const ClientRequests = {
  'router:capabilities': { req: RouterCapsReq, res: RouterCapsRes },
  'selftest:join': { req: SelfTestJoinReq, res: JoinRes },
  'meeting:join': { req: JoinMeetingReq, res: JoinRes },
  'meeting:leave': { req: Empty, res: Ok },
  'meeting:setReceiveMode': { req: SetReceiveModeReq, res: Ok },
  'meeting:setMainPolicy': { req: SetMainPolicyReq, res: Ok },
  'media:createTransport': { req: CreateTransportReq, res: TransportInfo },
  'media:connectTransport': { req: ConnectTransportReq, res: Ok },
  'media:restartIce': { req: RestartIceReq, res: RestartIceRes },
  'media:iceServers': { req: Empty, res: IceServersRes },
  'media:produce': { req: ProduceReq, res: ProduceRes },
  'media:closeProducer': { req: ProducerRef, res: Ok },
  'media:pauseProducer': { req: ProducerRef, res: Ok },
  'media:resumeProducer': { req: ProducerRef, res: Ok },
  'media:consume': { req: ConsumeReq, res: ConsumerInfo },
  'media:resumeConsumer': { req: ConsumerRef, res: Ok },
  'media:setConsumerLayers': { req: ConsumerLayersReq, res: Ok },
  'media:closeConsumer': { req: ConsumerRef, res: Ok },
  'media:uplink': { req: UplinkReq, res: Ok },
  /** What the site's browser sees of the video it receives (freezes so far), every few seconds while it changes. */
  'media:receiveReport': { req: ReceiveReportReq, res: Ok },
  // Chair-led meetings
  'floor:request': { req: Empty, res: FloorRequestRes },
  'floor:withdraw': { req: Empty, res: Ok },
  'chair:giveFloor': { req: SiteReq, res: Ok },
  'chair:takeFloor': { req: Empty, res: Ok },
  'chair:setMode': { req: SetModeReq, res: Ok },
  'chair:mute': { req: MuteReq, res: Ok },
  'chair:muteAll': { req: Empty, res: Ok },
  'chair:setSelfUnmute': { req: SelfUnmuteReq, res: Ok },
  'chair:lock': { req: LockReq, res: Ok },
  'chair:remove': { req: SiteReq, res: Ok },
  /** Start or stop recording the meeting (chair and console operators). */
  'chair:record': { req: RecordReq, res: Ok },
  /** Call a room system of an invited site, or all of them (chair and console operators). */
  'chair:dialOut': { req: DialOutReq, res: Ok },
  'chair:hangUpRoom': { req: HangUpRoomReq, res: Ok },
  'chair:readmit': { req: SiteReq, res: Ok },
  'chair:handOver': { req: HandOverReq, res: Ok },
  'chair:setOperators': { req: SetOperatorsReq, res: Ok },
  'chair:setSpeakingLimit': { req: SpeakingLimitReq, res: Ok },
  'presentation:start': { req: Empty, res: Ok },
  'presentation:stop': { req: Empty, res: Ok },
  'rollcall:start': { req: Empty, res: RollCallStartRes },
  'rollcall:answer': { req: RollCallAnswerReq, res: Ok },
  'rollcall:mark': { req: RollCallMarkReq, res: Ok },
  'rollcall:end': { req: Empty, res: Ok },
  'control:get': { req: Empty, res: ControlState },
} as const satisfies Record<string, { req: TSchema; res: TSchema }>;

export type ClientRequestName = keyof typeof ClientRequests;
export type RequestOf<E extends ClientRequestName> = Static<(typeof ClientRequests)[E]['req']>;
export type ResponseOf<E extends ClientRequestName> = Static<(typeof ClientRequests)[E]['res']>;

/** Every ack: `{ ok: true, data }` or `{ ok: false, error: { code, message } }`. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string; details?: unknown } };

/** Server → client pushes. */
export const ServerEvents = {
  'media:newProducer': ProducerAnnouncement,
  /** reason `media-lost`: the media server lost it (its owner rebuilds and produces again); `closed`: on purpose. */
  'media:producerClosed': Type.Object({
    producerId: RefId,
    peerId: RefId,
    reason: Type.Union([Type.Literal('closed'), Type.Literal('media-lost')]),
  }),
  'media:producerPaused': Type.Object({ producerId: RefId, peerId: RefId, paused: Type.Boolean() }),
  'media:consumerClosed': Type.Object({ consumerId: RefId }),
  /** The server lost this peer's media (worker restart): rebuild transports and producers. */
  'media:reset': Type.Object({ reason: Type.String() }),
  /** What adaptation shed for each site (received video) and which sites stopped sending video; on every change. */
  'media:adaptation': AdaptationEvent,
  'room:state': RoomState,
  /**
   * Sites whose quality changed as shown on screen since they were last told, and only those: the
   * full room:state (every site's quality) goes out on other changes and as a reminder every 10 s.
   */
  'room:quality': Type.Object({ sites: Type.Array(Type.Object({ peerId: RefId, quality: Quality }), { maxItems: 1000 }) }),
  // Only the new speaker: each page moves it to the front of the state's recentSpeakers (afterSpeaking).
  'room:activeSpeaker': Type.Object({ peerId: Type.Union([RefId, Type.Null()]) }),
  /**
   * The meeting is over for this socket: `removed` (by the chair), `cancelled`, `ended`, `uninvited`
   * (the site's invitation was withdrawn); or its session ended (`logged_out`, `disabled`, `deleted`,
   * `account_changed`, `password_changed`, `expired`) and the socket is then disconnected.
   */
  'room:closed': Type.Object({ reason: Type.String() }),
  /** Floor, mode, mutes, queue, roll call: pushed on every change so all screens agree. */
  'room:control': ControlState,
  /** One chair action, as written to the audit log. */
  'room:audit': AuditEntry,
  /** To the chair and console operators only: what the network says about sites whose quality is down. */
  'room:network': RoomNetwork,
} as const;
export type ServerEventName = keyof typeof ServerEvents;
export type ServerEventOf<E extends ServerEventName> = Static<(typeof ServerEvents)[E]>;
