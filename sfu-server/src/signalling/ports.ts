// What signalling needs from the rest of the server, as interfaces: the meetings
// core (join rules, the roll, the chair's storage), a room's media (MediaRoom) and
// the push channel to sockets (socket.io). Unit tests supply fakes for each.

import type { ChairRepositoryPort } from '../domain/floor/chair-repository-port';
import type { QualityLogPort } from '../domain/live/quality-log';
import type { AudioChoice, VideoChoice } from '../domain/room-systems/sdp';
import type { RecvLink, VideoShed } from '../media/consumer-shaping';
import type { RecvSide } from '../media/media-stats';
import type { MediaTap } from '../media/media-tap';
import type { MediaRoomEvents } from '../media/peer-media';
import type {
  ConsumerInfo,
  DialOutState,
  MediaSource,
  ProducerAnnouncement,
  ServerEventName,
  ServerEventOf,
  SessionClaims,
  TransportInfo,
} from '../protocol';
import type { RoomHearing } from '../protocol/cascade-room-call';
import type { RecordedRoom } from '../recording/recording-service';

export interface SiteRef {
  siteId: string;
  siteCode: string;
  siteName: string;
}

/** What chair-led meetings need from the core: the roll and the one repository. */
export interface ChairPorts {
  repo: ChairRepositoryPort;
  /** Where each site's measured quality and drop-outs are kept for the report after the meeting. */
  qualityLog?: QualityLogPort;
  /** Sites expected at the meeting, in the schedule's order. */
  invitedSites(meetingId: string): SiteRef[];
}

export interface Person {
  userId: string;
  name: string;
}

/** A meeting as its live room needs it: the chair site and user, the console operators, the end. */
export interface LiveMeetingInfo {
  id: string;
  title: string;
  chairSiteId: string;
  chair: Person;
  operators: Person[];
  /** ISO time the meeting ends: its room closes then. */
  endsAt: string;
}

export interface JoinGrant {
  meeting: LiveMeetingInfo;
  site: { id: string; code: string; name: string; parentId: string | null; parentName: string | null };
  /** The joining account holds the chair role. */
  chairRole: boolean;
}

/** A saved change of a meeting's schedule (MeetingService.onChange), as signalling reads it. */
export interface MeetingEvent {
  type: 'created' | 'updated' | 'cancelled' | 'opened_early';
  meeting: LiveMeetingInfo;
  /** Does the site (still) take part? */
  isInvited(siteId: string): boolean;
}

/** Sessions that just ended (logout, account disabled or deleted...): their sockets end too. */
export interface SessionsEnded {
  userId: string;
  /** Only this session; otherwise every session of the user but `keepSid`. */
  sid?: string;
  keepSid?: string;
  reason: string;
}

/** What signalling needs from the meetings core (implemented by the scheduling domain). */
export interface MeetingAccess {
  checkJoin(claims: SessionClaims, meetingId: string): Promise<JoinGrant>;
  /** Audit log, attendance and the roll for chair-led meetings (absent: kept in memory only). */
  chair?: ChairPorts;
  /** Console operators named during a meeting: the scheduling rules (throws coded errors). */
  operators(meetingId: string, userIds: readonly string[]): Person[];
  /** Follows schedule changes (cancelled, invitations, end, chair); returns an unsubscribe. */
  onMeetingChange?(listener: (e: MeetingEvent) => void): () => void;
  /** Follows ended sessions; returns an unsubscribe. */
  onSessionsEnded?(listener: (e: SessionsEnded) => void): () => void;
}

export interface ProducerView {
  producerId: string;
  source: MediaSource;
  paused: boolean;
}

/** What signalling needs from one room's media (implemented by media/MediaRoom). */
export interface RoomMedia {
  readonly peerCount: number;
  /** A peer already there is replaced: its transports and producers close first. `where`: its site, which may place its media on the site's own server. */
  addPeer(peerId: string, where?: { siteId: string }): Promise<void>;
  hasPeer(peerId: string): boolean;
  removePeer(peerId: string): void;
  setRtpCapabilities(peerId: string, caps: Record<string, unknown>): void;
  rtpCapabilities(): Promise<object>;
  createTransport(peerId: string, direction: 'send' | 'recv'): Promise<TransportInfo>;
  connectTransport(peerId: string, transportId: string, dtlsParameters: Record<string, unknown>): Promise<void>;
  restartIce(peerId: string, transportId: string): Promise<Record<string, unknown>>;
  produce(
    peerId: string,
    transportId: string,
    kind: 'audio' | 'video',
    rtpParameters: Record<string, unknown>,
    source: MediaSource,
  ): Promise<string>;
  closeProducer(peerId: string, producerId: string): Promise<void>;
  /** Server-side pause: a paused producer is forwarded to nobody. */
  setProducerPaused(peerId: string, producerId: string, paused: boolean): Promise<void>;
  producersOf(peerId: string, kind?: 'audio' | 'video'): ProducerView[];
  announcements(exceptPeer?: string): ProducerAnnouncement[];
  /** The kind of a producer in the room; undefined when there is none. */
  producerKind(producerId: string): 'audio' | 'video' | undefined;
  /** One consumer per producer and peer: consuming again returns the same one. */
  consume(peerId: string, producerId: string): Promise<ConsumerInfo>;
  consumersOf(peerId: string): { consumerId: string; kind: 'audio' | 'video' }[];
  resumeConsumer(peerId: string, consumerId: string): Promise<void>;
  setConsumerLayers(peerId: string, consumerId: string, spatialLayer: number, temporalLayer?: number): Promise<void>;
  closeConsumer(peerId: string, consumerId: string): Promise<void>;
  /** The measured link toward a receiver; null before its recv transport exists. `streams`: how many consumers to read (default 4). */
  recvLink(peerId: string, streams?: number): Promise<RecvLink | null>;
  /** Adaptation's layer caps and pauses for a receiver's video consumers. */
  shedVideo(peerId: string, actions: readonly VideoShed[]): Promise<void>;
  /** Quality figures of a site; with `recv` (a fresh reading of the link toward it) that side is not asked again. */
  peerStats(
    peerId: string,
    recv?: RecvSide,
  ): Promise<{ rttMs: number | null; lossFraction: number; sendBps: number; recvBps: number; jitterMs: number | null }>;
  producerPackets(): Promise<{ producerId: string; peerId: string; kind: 'audio' | 'video'; packets: number; bytes: number }[]>;
  counts(): { producers: number; consumers: number };
  /** Plain RTP outputs for the recorder (absent: this media cannot be recorded). */
  openTap?(): Promise<MediaTap>;
  /** Plain RTP into the room, for room systems (absent: this media takes none). */
  createPlainTransport?(
    peerId: string,
    direction: 'send' | 'recv',
    opts: {
      listenIp: string;
      announcedAddress?: string;
      comedia: boolean;
      rtcpMux: boolean;
      /** comedia: where the sender's RTP comes from, once learnt from its first packet. */
      onTuple?: (remote: { ip: string; port: number }) => void;
      /** SRTP (SDES): the sender's key, base64; ours comes back as srtpKey. */
      srtpRemoteKey?: string;
    },
  ): Promise<{ id: string; ip: string; port: number; rtcpPort: number | undefined; srtpKey?: string }>;
  /** The media of a room-system call whose peer is placed on another server (null: its media is here). */
  remoteRoomCall?(peerId: string, opening: RoomCallOpening): Promise<CallMedia> | null;
  close(): void;
  on<K extends keyof MediaRoomEvents>(event: K, listener: (...args: MediaRoomEvents[K]) => void): unknown;
}

/** A room-system call's media, on whichever server carries its site's media (sip/room-call-media.ts, cascade/remote-room-call.ts). */
export interface CallMedia {
  /** The address written in the SDP answer for the room's media. */
  readonly ip: string;
  readonly ports: { audio: number; video: number | null; videoRtcp: number | undefined };
  /** Our SRTP keys (base64) for the lines the room keyed, for the answer. */
  readonly srtpKeys: { audio: string | undefined; video: string | undefined };
  /** The room is sent another room's H.264 as it is now (not re-encoded). */
  readonly passingThrough: boolean;
  /** A re-INVITE changed the room's audio codec (or where it takes sound). */
  changeAudio(a: AudioChoice): Promise<void>;
  /** The room asks for a keyframe of what it is sent (RTCP PLI/FIR, SIP INFO picture_fast_update). */
  keyFrame(): void;
  /** What the room hears and sees now, as the meeting decides. */
  hear(h: RoomHearing): Promise<void>;
  /** Set when the media went away under the call (its server lost): the call cannot go on. */
  readonly lost?: boolean;
  close(): Promise<void>;
}

/** What a room-system call's media is opened with, and what it tells the call's signalling side. */
export interface RoomCallOpening {
  audio: AudioChoice;
  video: VideoChoice | null;
  /** Where the room's SIP comes from: its media may come from there too (NAT). */
  sipFrom: string;
  cname: string;
  /** Ask the room for a keyframe by SIP INFO. */
  askKeyFrame: () => void;
  /** A key on the room's remote (RFC 4733 in its sound). */
  onKey: (key: string) => void;
}

/** Meeting recordings (recording/recording-service.ts): one at a time per meeting. */
export interface RecordingControl {
  start(
    meetingId: string,
    by: { userId: string; name: string },
    room: RecordedRoom,
  ): Promise<{ id: string; startedAt: number; startedByName: string }>;
  stop(meetingId: string): Promise<{ state: string; durationMs: number | null }>;
}

/** Calls the chair places to room systems (sip/sip-endpoint.ts); absent: SIP is off. */
export interface RoomDialer {
  /** The room systems of the meeting's invited sites. */
  rooms(meetingId: string): { id: string; name: string; siteId: string; dialable: boolean }[];
  /** Calls one; throws why it cannot be called, then reports each change of the call's state. */
  dial(meetingId: string, roomSystemId: string, report: (state: DialOutState, reason: string | null) => void): void;
  /** Cancels its ringing call or hangs up its call in this meeting; false when it has none. */
  hangUp(meetingId: string, roomSystemId: string): Promise<boolean>;
}

/** Pushes to sockets and their membership of room channels (implemented over socket.io). */
export interface RoomPush {
  toRoom<E extends ServerEventName>(roomKey: string, event: E, data: ServerEventOf<E>, exceptSocket?: string): void;
  toSocket<E extends ServerEventName>(socketId: string, event: E, data: ServerEventOf<E>): void;
  join(socketId: string, roomKey: string): void;
  leave(socketId: string, roomKey: string): void;
}
