// The media of one room-system call in a meeting: the room system becomes a participant of its site.
// Its H.264 goes untouched into a plain RTP transport (mediasoup asks it for keyframes by RTCP);
// its audio (G.711, G.722 or Opus) goes through a GStreamer pipeline that re-encodes it to Opus
// with the audio-level header extension, which room systems do not send and active-speaker needs.
import { randomInt } from 'node:crypto';
import type { Logger } from '@lienthong/kit';
import { KeyEntry } from '../domain/room-systems/dtmf';
import { type PictureSpec, pictureFor } from '../domain/room-systems/picture';
import type { AudioChoice, Negotiated, VideoChoice } from '../domain/room-systems/sdp';
import { freeUdpPorts } from '../recording/gst-process';
import { Conference, type LiveRoom } from '../signalling/conference';
import type { LiveMeetingInfo } from '../signalling/ports';
import { AUDIO_LEVEL_URI, audioIngressArgs, OPUS_PT } from './audio-ingress';
import { AudioPort } from './audio-port';
import { AudioReturn } from './audio-return';
import { KeptPipeline } from './kept-pipeline';
import { RtcpRelay } from './rtcp-relay';
import type { PortRange } from './rtp-ports';
import { newSrtpKey } from './srtp';
import { VideoReturn } from './video-return';

export interface RoomCallDeps {
  conference: Conference;
  /** Address the room system sends media to (bound), and the one written in SDP. */
  listenIp: string;
  announcedIp: string;
  /** The ports of listenIp room systems send media to (sip.rtpPorts, opened in the firewall). */
  rtpPorts?: PortRange;
  registry: string;
  logger: Logger;
  /** The picture the room is sent, before its H.264 level has its say. */
  picture: PictureSpec;
  /** Another room's H.264 that this room can decode is sent as it is, not re-encoded. */
  passThrough: boolean;
}

/** The call's signalling side: where the room's SIP comes from, how to ask it for a keyframe by SIP INFO. */
export interface RoomCallSignal {
  sipFrom: string;
  askKeyFrame: () => void;
}

export interface RoomCallWho {
  roomSystemId: string;
  name: string;
  site: { id: string; code: string; name: string; parentId: string | null; parentName: string | null };
}

export class RoomCall {
  private gst: KeptPipeline | null = null;
  /** Where the room's sound goes into mediasoup once it is Opus. */
  private audioOut = { port: 0, ssrc: 0 };
  private back: AudioReturn | null = null;
  private sees: VideoReturn | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private relay: RtcpRelay | null = null;
  private closed = false;
  /** Keys from the room's remote control, toward a roll-call answer. */
  private readonly keys = new KeyEntry();
  /** Where the room's sound goes to be re-encoded (loopback). */
  private ingressPort = 0;
  /** Where the room's video comes from, once known (before the picture back is set up, too). */
  private videoSource: { ip: string; port: number } | null = null;
  private videoSdpIp = '';
  /** Our SRTP key for its video line (mediasoup's, which the picture back is protected with too). */
  private videoKey: string | undefined;
  readonly ports: { audio: number; video: number | null; videoRtcp: number | undefined };

  private constructor(
    private readonly deps: RoomCallDeps,
    readonly room: LiveRoom,
    readonly peerId: string,
    ports: RoomCall['ports'],
    private readonly audioPort: AudioPort,
  ) {
    this.ports = ports;
  }

  /** Joins the meeting's room for the site and opens the media; throws (and leaves nothing) on failure. */
  static async open(
    deps: RoomCallDeps,
    meeting: LiveMeetingInfo,
    who: RoomCallWho,
    n: Negotiated,
    signal: RoomCallSignal,
  ): Promise<RoomCall> {
    const { conference } = deps;
    const room = conference.getOrCreate(Conference.meetingKey(meeting.id), meeting);
    const { peerId } = conference.join(room, RoomCall.participant(who), undefined);
    let call: RoomCall | undefined;
    let audioPort: AudioPort | undefined;
    try {
      const media = room.media;
      if (!media.createPlainTransport) throw new Error('this room takes no plain RTP');
      await media.addPeer(peerId);
      // Our SRTP key for its audio, kept across re-INVITEs.
      const audioKey = newSrtpKey();
      audioPort = await AudioPort.open({
        listenIp: deps.listenIp,
        ...(deps.rtpPorts ? { rtpPorts: deps.rtpPorts } : {}),
        room: n.audio.remote,
        alsoFrom: [signal.sipFrom],
        payloadType: n.audio.payloadType,
        telephoneEvent: n.audio.telephoneEvent,
        srtp: n.audio.srtp ? { local: audioKey, remote: n.audio.srtp.keyBase64 } : null,
        onKey: (key) => call?.key(key),
      });
      const [ingressPort] = await freeUdpPorts(1);
      const audioOut = await RoomCall.produceSound(room, peerId, who);
      let video: { port: number; relay: RtcpRelay; srtpKey: string | undefined } | null = null;
      // Keyframe requests of the room, for the picture it is sent (made below).
      let roomAsks: () => void = () => undefined;
      // Without its SSRC in the SDP or with a profile the room cannot take, the call goes on with sound only.
      if (n.video && n.video.ssrc !== null)
        video = await RoomCall.openVideo(
          deps,
          room,
          peerId,
          n.video,
          signal,
          () => roomAsks(),
          (from) => call?.videoFrom(from),
        ).catch((e: unknown) => {
          deps.logger.warn({ err: e, peerId }, 'room system video not taken; audio only');
          return null;
        });
      const made = new RoomCall(
        deps,
        room,
        peerId,
        { audio: audioPort.port, video: video?.port ?? null, videoRtcp: video?.relay.port },
        audioPort,
      );
      made.ingressPort = ingressPort!;
      made.videoSdpIp = n.video?.remote.ip ?? '';
      audioPort.feed(ingressPort!);
      made.relay = video?.relay ?? null;
      made.videoKey = video?.srtpKey;
      roomAsks = () => made.roomAsksKeyFrame();
      call = made;
      made.audioOut = audioOut;
      made.gst = made.ingress(n.audio);
      await made.openReturns(n, !!video);
      conference.broadcastState(room);
      return made;
    } catch (e) {
      if (call) await call.close();
      else {
        audioPort?.close();
        conference.removePeer(room, peerId);
      }
      throw e;
    }
  }

  /** The room system as a participant of its site. */
  private static participant(who: RoomCallWho): Parameters<Conference['join']>[1] {
    return {
      userId: `room-system:${who.roomSystemId}`,
      userName: who.name,
      chairRole: false,
      siteId: who.site.id,
      siteCode: who.site.code,
      siteName: who.site.name,
      parentSiteId: who.site.parentId,
      parentSiteName: who.site.parentName,
    };
  }

  /** The room's sound in the meeting: an Opus producer with audio levels, fed on loopback by the ingress pipeline. */
  private static async produceSound(room: LiveRoom, peerId: string, who: RoomCallWho): Promise<{ port: number; ssrc: number }> {
    const t = await room.media.createPlainTransport!(peerId, 'send', { listenIp: '127.0.0.1', comedia: true, rtcpMux: true });
    const ssrc = randomInt(1, 2 ** 31);
    await room.media.produce(
      peerId,
      t.id,
      'audio',
      {
        codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } }],
        headerExtensions: [{ uri: AUDIO_LEVEL_URI, id: 1 }],
        encodings: [{ ssrc }],
        rtcp: { cname: `room-${who.roomSystemId.slice(0, 8)}` },
      },
      'mic',
    );
    return { port: t.port, ssrc };
  }

  private ingress(a: AudioChoice): KeptPipeline {
    return new KeptPipeline(audioIngressArgs(a, '127.0.0.1', this.ingressPort, this.audioOut), this.deps.registry, {
      name: 'room audio in',
      logger: this.deps.logger,
    });
  }

  /** A re-INVITE changed the room's audio codec (or where it takes sound): both audio pipelines start anew. */
  async changeAudio(a: AudioChoice): Promise<void> {
    if (this.closed) return;
    await this.gst?.stop(2000);
    const local = this.audioPort.srtpKey ?? newSrtpKey();
    this.audioPort.renegotiate({
      room: a.remote,
      payloadType: a.payloadType,
      telephoneEvent: a.telephoneEvent,
      srtp: a.srtp ? { local, remote: a.srtp.keyBase64 } : null,
    });
    this.gst = this.ingress(a);
    await this.back?.recodec(a, this.returnTo);
  }

  /** What the room hears goes out of the call's audio port (AudioPort), to where the room really is. */
  private get returnTo(): { ip: string; port: number } {
    return { ip: '127.0.0.1', port: this.audioPort.returnPort };
  }

  /**
   * Where the room's video comes from (learnt by mediasoup from its first packet). From another address
   * than its SDP's, it is behind NAT: what it sees goes there.
   */
  private videoFrom(from: { ip: string; port: number }): void {
    if (from.ip === this.videoSdpIp) return;
    this.videoSource = from;
    this.sees?.retarget(from);
  }

  /** Where its picture is sent now. */
  get videoDestination(): { ip: string; port: number } | null {
    return this.sees?.destination ?? null;
  }

  /** Our SRTP keys (base64) for the lines the room keyed, for the answer. */
  get srtpKeys(): { audio: string | undefined; video: string | undefined } {
    return { audio: this.audioPort.srtpKey, video: this.videoKey };
  }

  /** Where its sound is sent now, and whether the room's own packets told us (NAT). */
  get audioDestination(): { ip: string; port: number; learnt: boolean } {
    return this.audioPort.destination;
  }

  /**
   * A key from the room's remote (RFC 4733 or SIP INFO). Digits then # answer an open roll call for
   * its site, with that many people; nothing happens without one.
   */
  key(key: string): void {
    const answer = this.keys.press(key, Date.now());
    const live = this.room.live;
    if (!answer || this.closed || !live?.has(this.peerId)) return;
    const { conference } = this.deps;
    const siteId = live.get(this.peerId).siteId;
    try {
      live.floor.answerPresent(siteId, answer.present, conference.now());
    } catch {
      return; // no roll call open, or its site is not on the roll
    }
    conference.repo.saveRollCall(live.meetingId, this.peerId, live.floor.rollCall!);
    conference.audit(this.room, null, 'rollcall.answer.keys', siteId, answer.present === null ? null : String(answer.present));
    conference.broadcastState(this.room);
  }

  /** What the room hears and sees: the others' mix and the main picture, kept up to date twice a second. */
  private async openReturns(n: Negotiated, withVideo: boolean): Promise<void> {
    const { media } = this.room;
    if (!media.openTap) return;
    const ssrc = () => randomInt(1, 2 ** 31);
    this.back = await AudioReturn.open(await media.openTap(), n.audio, this.returnTo, ssrc(), this.deps.registry, this.deps.logger);
    if (n.video && withVideo) {
      const picture = pictureFor(n.video.profileLevelId, this.deps.picture);
      this.sees = await VideoReturn.open(await media.openTap(), n.video, ssrc(), picture, {
        registry: this.deps.registry,
        logger: this.deps.logger,
        passThrough: this.deps.passThrough,
        srtp: n.video.srtp && this.videoKey ? { local: this.videoKey, remote: n.video.srtp.keyBase64 } : null,
      });
      if (this.videoSource) this.sees.retarget(this.videoSource);
    }
    this.ticker = setInterval(() => void this.hear(), 500);
    void this.hear();
  }

  private static async openVideo(
    deps: RoomCallDeps,
    room: LiveRoom,
    peerId: string,
    v: VideoChoice,
    signal: RoomCallSignal,
    roomAsks: () => void,
    learnt: (from: { ip: string; port: number }) => void,
  ): Promise<{ port: number; relay: RtcpRelay; srtpKey: string | undefined }> {
    const t = await room.media.createPlainTransport!(peerId, 'send', {
      listenIp: deps.listenIp,
      ...(deps.rtpPorts ? { portRange: deps.rtpPorts } : {}),
      ...(deps.announcedIp !== deps.listenIp ? { announcedAddress: deps.announcedIp } : {}),
      comedia: true,
      rtcpMux: false,
      onTuple: learnt,
      ...(v.srtp ? { srtpRemoteKey: v.srtp.keyBase64 } : {}),
    });
    if (v.srtp && !t.srtpKey) throw new Error('SRTP asked for its video and not set up');
    await room.media.produce(
      peerId,
      t.id,
      'video',
      {
        codecs: [
          {
            mimeType: 'video/H264',
            payloadType: v.payloadType,
            clockRate: 90000,
            parameters: { 'packetization-mode': v.packetizationMode, 'profile-level-id': v.profileLevelId, 'level-asymmetry-allowed': 1 },
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
          },
        ],
        encodings: [{ ssrc: v.ssrc! }],
        rtcp: { cname: `room-video-${peerId.slice(0, 8)}` },
      },
      'camera',
    );
    const relay = await RtcpRelay.open({
      listenIp: deps.listenIp,
      ...(deps.rtpPorts ? { rtpPorts: deps.rtpPorts } : {}),
      mediasoup: { ip: deps.listenIp === '0.0.0.0' ? '127.0.0.1' : deps.listenIp, port: t.rtcpPort! },
      room: { ip: v.remote.ip, port: v.remoteRtcpPort },
      alsoFrom: [signal.sipFrom],
      onRoomAsks: roomAsks,
      onRoomAsked: signal.askKeyFrame,
    });
    return { port: t.port, relay, srtpKey: t.srtpKey };
  }

  /** The room is sent another room's H.264 as it is now (not re-encoded). */
  get passingThrough(): boolean {
    return this.sees?.passingThrough ?? false;
  }

  /** The room asks for a keyframe of what it is sent (RTCP PLI/FIR, SIP INFO picture_fast_update). */
  roomAsksKeyFrame(): void {
    this.sees?.keyFrame();
  }

  /** The others' open microphones, latest speakers first, into what the room hears; the main picture into what it sees. */
  private async hear(): Promise<void> {
    const live = this.room.live;
    if (!live || !this.back || this.closed) return;
    if (this.sees) {
      const shown = live.floor.presentation;
      const main = live.mainFor(this.peerId);
      const camera =
        main && main !== this.peerId
          ? this.room.media.producersOf(main, 'video').find((x) => x.source === 'camera' && !x.paused)
          : undefined;
      await this.sees.show((shown && shown.peerId !== this.peerId ? shown.producerId : null) ?? camera?.producerId ?? null);
    }
    const order = (id: string) => {
      const i = live.recentSpeakers.indexOf(id);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    const others = live
      .list()
      .filter((p) => p.peerId !== this.peerId && p.connected)
      .sort((a, b) => order(a.peerId) - order(b.peerId));
    await this.back.update(
      others.map((p) => {
        const mic = this.room.media.producersOf(p.peerId, 'audio').find((x) => x.source === 'mic');
        return { peerId: p.peerId, micProducerId: mic?.producerId ?? null, micPaused: mic?.paused ?? true };
      }),
    );
  }

  /** Still a participant (the chair may have removed the site, the meeting may have ended). */
  get inMeeting(): boolean {
    return !this.closed && this.deps.conference.rooms.get(this.room.key) === this.room && !!this.room.live?.has(this.peerId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ticker) clearInterval(this.ticker);
    await this.back?.close();
    await this.sees?.close();
    this.relay?.close();
    this.audioPort.close();
    if (this.deps.conference.rooms.get(this.room.key) === this.room && this.room.live?.has(this.peerId))
      this.deps.conference.removePeer(this.room, this.peerId);
    await this.gst?.stop(2000);
  }
}
