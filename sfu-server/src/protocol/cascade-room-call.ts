// A room system of a site served by a district server calls the province, which keeps the SIP dialog
// and the meeting; the call's media (its RTP ports, the re-encoding of its sound, what it hears and
// sees) runs on the district server beside its site's pages. These are the province's requests to
// that media and the answers; the district's news of the call rides on the media events
// (protocol/cascade-media.ts: roomKey, roomAsksKeyFrame). Checked on arrival like every cascade message.
import Type, { type Static } from 'typebox';
import { ServerId } from './cascade';
import { RefId } from './common';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Port = Type.Integer({ minimum: 1, maximum: 65535 });
const Address = Type.Object({ ip: Type.String({ minLength: 1, maxLength: 64 }), port: Port }, { additionalProperties: false });
const PayloadType = Type.Integer({ minimum: 0, maximum: 127 });
const Ssrc = Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1 });
const SrtpKey = Type.Object(
  {
    tag: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
    suite: Type.Literal('AES_CM_128_HMAC_SHA1_80'),
    keyBase64: Type.String({ minLength: 40, maxLength: 40, pattern: '^[A-Za-z0-9+/=]+$' }),
  },
  { additionalProperties: false },
);

/** The audio agreed with the room (domain/room-systems/sdp.ts AudioChoice). */
export const WireAudioChoice = Type.Object(
  {
    codec: Type.Union([Type.Literal('opus'), Type.Literal('G722'), Type.Literal('PCMU'), Type.Literal('PCMA')]),
    payloadType: PayloadType,
    clockRate: Type.Integer({ minimum: 8000, maximum: 48000 }),
    channels: Type.Integer({ minimum: 1, maximum: 2 }),
    ssrc: Nullable(Ssrc),
    remote: Address,
    telephoneEvent: Nullable(PayloadType),
    srtp: Nullable(SrtpKey),
  },
  { additionalProperties: false },
);

/** The video agreed with the room (VideoChoice). */
export const WireVideoChoice = Type.Object(
  {
    payloadType: PayloadType,
    packetizationMode: Type.Union([Type.Literal(0), Type.Literal(1)]),
    profileLevelId: Type.String({ pattern: '^[0-9a-f]{6}$' }),
    ssrc: Nullable(Ssrc),
    remote: Address,
    remoteRtcpPort: Port,
    srtp: Nullable(SrtpKey),
  },
  { additionalProperties: false },
);

/** Which sounds the room hears (latest speakers first) and which picture it sees, as the province decides. */
export const RoomHearing = Type.Object(
  {
    show: Nullable(RefId),
    mix: Type.Array(
      Type.Object({ peerId: RefId, micProducerId: Nullable(RefId), micPaused: Type.Boolean() }, { additionalProperties: false }),
      { maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);
export type RoomHearing = Static<typeof RoomHearing>;

const op = <N extends string, A extends Parameters<typeof Type.Object>[0]>(name: N, args: A) =>
  Type.Object({ meetingId: RefId, from: ServerId, peerId: RefId, op: Type.Literal(name), ...args }, { additionalProperties: false });

/** One request to the media of a room-system call whose peer the province placed on the asked server. */
export const RoomCallRequest = Type.Union([
  op('open', {
    audio: WireAudioChoice,
    video: Nullable(WireVideoChoice),
    /** Where the room's SIP comes from: its media may come from there too (NAT). */
    sipFrom: Type.String({ minLength: 1, maxLength: 64 }),
    cname: Type.String({ minLength: 1, maxLength: 64 }),
  }),
  op('changeAudio', { audio: WireAudioChoice }),
  op('keyFrame', {}),
  op('hear', { hearing: RoomHearing }),
  op('close', {}),
]);
export type RoomCallRequest = Static<typeof RoomCallRequest>;
/** A request as the province's call makes it, before the cascade names the meeting, sender and peer. */
export type RoomCallStep = RoomCallRequest extends infer R
  ? R extends RoomCallRequest
    ? Omit<R, 'meetingId' | 'from' | 'peerId'>
    : never
  : never;

/** What the SDP answer needs: the district's address for the room's media, its ports and SRTP keys. */
export const RoomCallOpened = Type.Object(
  {
    ip: Type.String({ minLength: 1, maxLength: 64 }),
    ports: Type.Object({ audio: Port, video: Nullable(Port), videoRtcp: Nullable(Port) }, { additionalProperties: false }),
    srtpKeys: Type.Object(
      { audio: Nullable(Type.String({ maxLength: 64 })), video: Nullable(Type.String({ maxLength: 64 })) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type RoomCallOpened = Static<typeof RoomCallOpened>;

export const RoomCallReply = Type.Object({ result: Nullable(RoomCallOpened) }, { additionalProperties: false });
