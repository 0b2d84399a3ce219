// The media of one room-system call, on the server that carries its site's media: the province's
// own, or a district's (cascade/room-call-host.ts). Its H.264 goes untouched into a plain RTP
// transport (mediasoup asks it for keyframes by RTCP); its audio (G.711, G.722 or Opus) goes through
// a GStreamer pipeline that re-encodes it to Opus with the audio-level header extension, which room
// systems do not send and active-speaker needs. What it hears and sees is chosen by the meeting
// (RoomCall.hear) and made here from the room's taps.
import { randomInt } from 'node:crypto';
import type { Logger } from '@lienthong/kit';
import { type PictureSpec, pictureFor } from '../domain/room-systems/picture';
import type { AudioChoice, Negotiated, VideoChoice } from '../domain/room-systems/sdp';
import type { RoomHearing } from '../protocol/cascade-room-call';
import { freeUdpPorts } from '../recording/gst-process';
import type { CallMedia, RoomCallOpening, RoomMedia } from '../signalling/ports';
import { AUDIO_LEVEL_URI, audioIngressArgs, OPUS_PT } from './audio-ingress';
import { AudioPort } from './audio-port';
import { AudioReturn } from './audio-return';
import { KeptPipeline } from './kept-pipeline';
import { RtcpRelay } from './rtcp-relay';
import type { PortRange } from './rtp-ports';
import { newSrtpKey } from './srtp';
import { VideoReturn } from './video-return';

export interface RoomCallMediaDeps {
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

/** What the media needs of the room it joins: the peer is in it already. */
export type CallMediaRoom = Pick<RoomMedia, 'produce'> & Required<Pick<RoomMedia, 'createPlainTransport' | 'openTap'>>;

/** The call's signalling side: where the room's SIP comes from, and what the media tells it. */
export type CallMediaSignal = Pick<RoomCallOpening, 'sipFrom' | 'askKeyFrame' | 'onKey'>;

export class RoomCallMedia implements CallMedia {
  private gst: KeptPipeline | null = null;
  /** Where the room's sound goes into mediasoup once it is Opus. */
  private audioOut = { port: 0, ssrc: 0 };
  private back: AudioReturn | null = null;
  private sees: VideoReturn | null = null;
  private relay: RtcpRelay | null = null;
  private closed = false;
  /** Where the room's sound goes to be re-encoded (loopback). */
  private ingressPort = 0;
  /** Where the room's video comes from, once known (before the picture back is set up, too). */
  private videoSource: { ip: string; port: number } | null = null;
  private videoSdpIp = '';
  /** Our SRTP key for its video line (mediasoup's, which the picture back is protected with too). */
  private videoKey: string | undefined;
  readonly ports: CallMedia['ports'];

  private constructor(
    private readonly deps: RoomCallMediaDeps,
    ports: CallMedia['ports'],
    private readonly audioPort: AudioPort,
  ) {
    this.ports = ports;
  }

  get ip(): string {
    return this.deps.announcedIp;
  }

  /** Opens the media of the room's peer `peerId` (already in `room`); throws and leaves nothing on failure. */
  static async open(
    deps: RoomCallMediaDeps,
    room: CallMediaRoom,
    peerId: string,
    cname: string,
    n: Pick<Negotiated, 'audio' | 'video'>,
    signal: CallMediaSignal,
  ): Promise<RoomCallMedia> {
    let made: RoomCallMedia | undefined;
    let audioPort: AudioPort | undefined;
    try {
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
        onKey: (key) => signal.onKey(key),
      });
      const [ingressPort] = await freeUdpPorts(1);
      const audioOut = await RoomCallMedia.produceSound(room, peerId, cname);
      let video: { port: number; relay: RtcpRelay; srtpKey: string | undefined } | null = null;
      // Without its SSRC in the SDP or with a profile the room cannot take, the call goes on with sound only.
      if (n.video && n.video.ssrc !== null)
        video = await RoomCallMedia.openVideo(
          deps,
          room,
          peerId,
          n.video,
          signal,
          () => made?.keyFrame(),
          (from) => made?.videoFrom(from),
        ).catch((e: unknown) => {
          deps.logger.warn({ err: e, peerId }, 'room system video not taken; audio only');
          return null;
        });
      made = new RoomCallMedia(deps, { audio: audioPort.port, video: video?.port ?? null, videoRtcp: video?.relay.port }, audioPort);
      made.ingressPort = ingressPort!;
      made.videoSdpIp = n.video?.remote.ip ?? '';
      audioPort.feed(ingressPort!);
      made.relay = video?.relay ?? null;
      made.videoKey = video?.srtpKey;
      made.audioOut = audioOut;
      made.gst = made.ingress(n.audio);
      await made.openReturns(room, n, !!video);
      return made;
    } catch (e) {
      if (made) await made.close();
      else {
        audioPort?.close();
      }
      throw e;
    }
  }

  /** The room's sound in the meeting: an Opus producer with audio levels, fed on loopback by the ingress pipeline. */
  private static async produceSound(room: CallMediaRoom, peerId: string, cname: string): Promise<{ port: number; ssrc: number }> {
    const t = await room.createPlainTransport(peerId, 'send', { listenIp: '127.0.0.1', comedia: true, rtcpMux: true });
    const ssrc = randomInt(1, 2 ** 31);
    await room.produce(
      peerId,
      t.id,
      'audio',
      {
        codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } }],
        headerExtensions: [{ uri: AUDIO_LEVEL_URI, id: 1 }],
        encodings: [{ ssrc }],
        rtcp: { cname },
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

  get srtpKeys(): CallMedia['srtpKeys'] {
    return { audio: this.audioPort.srtpKey, video: this.videoKey };
  }

  /** What the room hears and sees: the others' mix and the main picture. */
  private async openReturns(room: CallMediaRoom, n: Pick<Negotiated, 'audio' | 'video'>, withVideo: boolean): Promise<void> {
    const ssrc = () => randomInt(1, 2 ** 31);
    this.back = await AudioReturn.open(await room.openTap(), n.audio, this.returnTo, ssrc(), this.deps.registry, this.deps.logger);
    if (n.video && withVideo) {
      const picture = pictureFor(n.video.profileLevelId, this.deps.picture);
      this.sees = await VideoReturn.open(await room.openTap(), n.video, ssrc(), picture, {
        registry: this.deps.registry,
        logger: this.deps.logger,
        passThrough: this.deps.passThrough,
        srtp: n.video.srtp && this.videoKey ? { local: this.videoKey, remote: n.video.srtp.keyBase64 } : null,
      });
      if (this.videoSource) this.sees.retarget(this.videoSource);
    }
  }

  private static async openVideo(
    deps: RoomCallMediaDeps,
    room: CallMediaRoom,
    peerId: string,
    v: VideoChoice,
    signal: CallMediaSignal,
    roomAsks: () => void,
    learnt: (from: { ip: string; port: number }) => void,
  ): Promise<{ port: number; relay: RtcpRelay; srtpKey: string | undefined }> {
    const t = await room.createPlainTransport(peerId, 'send', {
      listenIp: deps.listenIp,
      ...(deps.rtpPorts ? { portRange: deps.rtpPorts } : {}),
      ...(deps.announcedIp !== deps.listenIp ? { announcedAddress: deps.announcedIp } : {}),
      comedia: true,
      rtcpMux: false,
      onTuple: learnt,
      ...(v.srtp ? { srtpRemoteKey: v.srtp.keyBase64 } : {}),
    });
    if (v.srtp && !t.srtpKey) throw new Error('SRTP asked for its video and not set up');
    await room.produce(
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

  get passingThrough(): boolean {
    return this.sees?.passingThrough ?? false;
  }

  keyFrame(): void {
    this.sees?.keyFrame();
  }

  async hear(h: RoomHearing): Promise<void> {
    if (this.closed || !this.back) return;
    if (this.sees) await this.sees.show(h.show);
    await this.back.update(h.mix);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.back?.close();
    await this.sees?.close();
    this.relay?.close();
    this.audioPort.close();
    await this.gst?.stop(2000);
  }
}
