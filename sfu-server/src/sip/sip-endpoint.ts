// The SIP user agent room systems call: `<meeting number>@<server>`. It answers for a registered
// room system whose site is invited to an open meeting, and refuses everything else with a SIP status
// that says why (404 no such meeting, 403 not registered or not invited, 480 not open, 488 no common
// codec). It keeps each call's dialog: 200 OK repeated until the ACK, re-INVITE, session timers
// (RFC 4028), CANCEL, BYE either way, OPTIONS. Media is RoomCall's.
import { randomBytes } from 'node:crypto';
import type { Logger } from '@lienthong/kit';
import { parseUri, type SipMessage } from 'sip';
import type { Core } from '../core';
import { infoKey } from '../domain/room-systems/dtmf';
import { DEFAULT_PICTURE, type PictureSpec } from '../domain/room-systems/picture';
import { answer, type Negotiated, negotiate } from '../domain/room-systems/sdp';
import type { RoomSystem } from '../protocol/room-systems';
import type { Conference } from '../signalling/conference';
import { joiningSite, liveMeetingInfo } from '../signalling/meeting-access';
import { type DialReport, dialOut, placingKey } from './dial-out';
import { watchCall } from './media-move';
import { RoomCall } from './room-call';
import { RoomWatch } from './room-watch';
import type { PortRange } from './rtp-ports';
import {
  ALLOW,
  type Call,
  FAST_UPDATE,
  FAST_UPDATE_BODY,
  type Grant,
  INFO_GAP_MS,
  inDialog,
  newCall,
  ourTo,
  refusal,
  sessionExpires,
  timerHeaders,
} from './sip-call';
import { type Remote, SipUdp } from './sip-udp';

const T1 = 500;
const T2 = 4000;

export interface SipEndpointOptions {
  core: Pick<Core, 'roomSystems' | 'sites' | 'accounts'>;
  conference: Conference;
  /** SIP signalling: bound address and port; the address written in Contact and SDP. */
  listenIp: string;
  port: number;
  announcedIp: string;
  /** The ports room systems send media to (sip.rtpPorts); any free one without. */
  rtpPorts?: PortRange;
  registry: string;
  logger: Logger;
  maxCalls: number;
  /** How often room systems with an address are asked whether they are there (default 30 s). */
  optionsIntervalMs?: number;
  /** The main picture sent to each room (default 640x360, 25 fps, 800 kbit/s). */
  picture?: PictureSpec;
  /** Another room's suitable H.264 is passed to a room as it is (default true). */
  passThrough?: boolean;
}

export class SipEndpoint {
  readonly udp: SipUdp;
  readonly calls = new Map<string, Call>();
  readonly placing = new Map<string, () => void>();
  readonly rooms: RoomWatch;
  private watch: NodeJS.Timeout | null = null;

  constructor(readonly opts: SipEndpointOptions) {
    this.udp = new SipUdp({
      host: opts.listenIp,
      port: opts.port,
      announcedHost: opts.announcedIp,
      logger: opts.logger,
      perAddressRate: 20,
      onRequest: (m, from) => this.onRequest(m, from),
      // The room repeats its 2xx to our INVITE until our ACK reaches it.
      onStrayResponse: (m, from) => {
        const ack = this.calls.get(m.headers['call-id'])?.ack;
        if (ack && (m.status ?? 0) >= 200 && m.status! < 300 && m.headers.cseq.method === 'INVITE') this.udp.send(ack, from);
      },
    });
    this.rooms = new RoomWatch({
      udp: this.udp,
      announcedIp: opts.announcedIp,
      core: opts.core,
      conference: opts.conference,
      calls: () => this.calls.values(),
      intervalMs: opts.optionsIntervalMs ?? 30_000,
      logger: opts.logger,
    });
  }

  get callCount(): number {
    return this.calls.size;
  }

  async start(): Promise<void> {
    await this.udp.start();
    this.watch = setInterval(() => {
      for (const c of this.calls.values()) watchCall(this, c);
    }, 1000);
    this.watch.unref();
    this.rooms.start();
  }

  /** The chair calls a room system into a meeting (throws why it cannot be called). */
  dialOut(meetingId: string, roomSystemId: string, report: DialReport): void {
    dialOut(this, meetingId, roomSystemId, report);
  }

  /** The chair stops a room's call in a meeting: cancelled while it rings, hung up once in. */
  async hangUpRoom(meetingId: string, roomSystemId: string): Promise<boolean> {
    const cancel = this.placing.get(placingKey(meetingId, roomSystemId));
    if (cancel) {
      cancel();
      return true;
    }
    const call = [...this.calls.values()].find((c) => c.meetingId === meetingId && c.roomSystemId === roomSystemId && c.state !== 'ended');
    if (!call) return false;
    await this.hangUp(call, 'hung up by the chair');
    return true;
  }

  async stop(): Promise<void> {
    if (this.watch) clearInterval(this.watch);
    this.rooms.stop();
    await Promise.all([...this.calls.values()].map((c) => this.hangUp(c, 'server stopping', 1500)));
    this.udp.close();
  }

  private onRequest(m: SipMessage, from: Remote): void {
    const call = this.calls.get(m.headers['call-id']);
    switch (m.method) {
      case 'INVITE':
        if (call && m.headers.to.params.tag) void this.reInvite(call, m, from);
        else if (!call) void this.invite(m, from);
        return;
      case 'ACK':
        if (call && call.state === 'early' && call.ok) {
          call.state = 'confirmed';
          this.stopOk(call);
        }
        return;
      case 'CANCEL':
        if (call?.state !== 'early' || call.ok) {
          this.udp.respond(m, from, 481, 'Call/Transaction Does Not Exist');
          return;
        }
        this.udp.respond(m, from, 200, 'OK');
        this.udp.respond(call.invite, from, 487, 'Request Terminated', { headers: { to: ourTo(call) } });
        void this.end(call, 'cancelled');
        return;
      case 'BYE':
        if (!call) {
          this.udp.respond(m, from, 481, 'Call/Transaction Does Not Exist');
          return;
        }
        this.udp.respond(m, from, 200, 'OK');
        void this.end(call, 'hung up');
        return;
      case 'OPTIONS':
        this.udp.respond(m, from, 200, 'OK', { headers: { allow: ALLOW, accept: 'application/sdp', supported: 'timer' } });
        return;
      case 'INFO':
      case 'UPDATE':
        if (!call) {
          this.udp.respond(m, from, 481, 'Call/Transaction Does Not Exist');
          return;
        }
        if (m.method === 'UPDATE') this.armExpiry(call, m);
        this.udp.respond(m, from, 200, 'OK', { headers: timerHeaders(m) });
        if (m.method === 'INFO' && FAST_UPDATE.test(m.content ?? '')) call.media?.roomAsksKeyFrame();
        if (m.method === 'INFO') {
          const key = infoKey(String(m.headers['content-type'] ?? ''), m.content ?? '');
          if (key) call.media?.key(key);
        }
        return;
      default:
        this.udp.respond(m, from, 405, 'Method Not Allowed', { headers: { allow: ALLOW } });
    }
  }

  contact(): string {
    return `<sip:lienthong@${this.opts.announcedIp}:${this.udp.port}>`;
  }

  /** The room refreshes the session before it expires (RFC 4028): without a refresh the call ends. */
  private armExpiry(call: Call, m: SipMessage): void {
    const interval = sessionExpires(m);
    if (call.expiry) clearTimeout(call.expiry);
    call.expiry = null;
    if (interval === null) return;
    call.expiry = setTimeout(() => void this.hangUp(call, 'session expired'), (interval - Math.min(32, interval / 3)) * 1000 + 32_000);
    call.expiry.unref();
  }

  /** Who calls, for which meeting, with what: or the SIP refusal that says why. */
  private admit(
    m: SipMessage,
    from: Remote,
  ): { status: number; reason: string } | { system: RoomSystem; meetingId: string; grant: Grant; negotiated: Negotiated } {
    if (this.calls.size >= this.opts.maxCalls) return { status: 486, reason: 'Busy Here' };
    const meetingId = this.opts.core.roomSystems.meetingOfNumber(parseUri(m.uri ?? '')?.user ?? '');
    if (!meetingId) return { status: 404, reason: 'Not Found' };
    const system = this.opts.core.roomSystems.identify(parseUri(m.headers.from.uri)?.user ?? '', from.address);
    if (!system) return { status: 403, reason: 'Forbidden' };
    try {
      const grant = this.opts.core.roomSystems.checkJoin(system.siteId, meetingId);
      return { system, meetingId, grant, negotiated: negotiate(m.content ?? '') };
    } catch (e) {
      return refusal(e);
    }
  }

  private async invite(m: SipMessage, from: Remote): Promise<void> {
    const refuse = (status: number, reason: string) =>
      this.udp.respond(m, from, status, reason, { headers: { to: { ...m.headers.to, params: { ...m.headers.to.params, tag: tag() } } } });
    if (this.calls.size < this.opts.maxCalls) this.udp.respond(m, from, 100, 'Trying');
    const admitted = this.admit(m, from);
    if ('status' in admitted) {
      refuse(admitted.status, admitted.reason);
      return;
    }
    const { system, meetingId, grant, negotiated } = admitted;
    const call = newCall({
      callId: m.headers['call-id'],
      remote: from,
      invite: m,
      localTag: tag(),
      negotiated,
      meetingId,
      roomSystemId: system.id,
    });
    this.calls.set(call.callId, call);
    try {
      call.media = await this.openMedia(call, system, grant);
    } catch (e) {
      this.calls.delete(call.callId);
      if (call.state === 'ended') return;
      this.opts.logger.warn({ err: e, meetingId }, 'room system call refused');
      const r = refusal(e);
      refuse(r.status, r.reason);
      return;
    }
    if (call.state === 'ended') {
      await call.media.close();
      return;
    }
    this.opts.logger.info(
      { meetingId, roomSystem: system.name, audio: negotiated.audio.codec, video: !!negotiated.video },
      'room system joined',
    );
    this.sendOk(call, m, from);
    this.armExpiry(call, m);
  }

  /** The call's media in the meeting, as a participant of the room system's site (dial-out uses it too). */
  openMedia(call: Call, system: RoomSystem, grant: Grant): Promise<RoomCall> {
    return RoomCall.open(
      {
        conference: this.opts.conference,
        listenIp: this.opts.listenIp,
        announcedIp: this.opts.announcedIp,
        ...(this.opts.rtpPorts ? { rtpPorts: this.opts.rtpPorts } : {}),
        registry: this.opts.registry,
        logger: this.opts.logger,
        picture: this.opts.picture ?? DEFAULT_PICTURE,
        passThrough: this.opts.passThrough ?? true,
      },
      liveMeetingInfo(this.opts.core, grant.meeting),
      { roomSystemId: system.id, name: system.name, site: joiningSite(this.opts.core, grant.site) },
      call.negotiated!,
      { sipFrom: call.remote.address, askKeyFrame: () => this.askKeyFrame(call) },
    );
  }

  answerSdp(call: Call): string {
    const ports = call.media!.ports;
    return answer(call.negotiated!, {
      // Its site's media server's address: a district's, when the site is placed there.
      ip: call.media!.mediaIp,
      audioPort: ports.audio,
      videoPort: ports.video,
      videoRtcpPort: ports.videoRtcp,
      audioKey: call.media!.srtpKeys.audio,
      videoKey: call.media!.srtpKeys.video,
      sessionId: call.sessionId,
      version: call.sdpVersion,
    });
  }

  private sendOk(call: Call, rq: SipMessage, to: Remote): void {
    const ok = this.udp.respond(rq, to, 200, 'OK', {
      headers: {
        to: ourTo(call),
        contact: this.contact(),
        allow: ALLOW,
        supported: 'timer',
        'content-type': 'application/sdp',
        ...timerHeaders(rq),
      },
      content: this.answerSdp(call),
    });
    if (rq !== call.invite) return;
    call.ok = ok;
    // The 2xx is ours to repeat until the ACK (RFC 3261 13.3.1.4); no ACK in 32 s ends the call.
    let wait = T1;
    let spent = 0;
    const again = () => {
      if (call.state !== 'early') return;
      spent += wait;
      if (spent >= 32_000) {
        void this.hangUp(call, 'no ACK');
        return;
      }
      this.udp.send(ok, to);
      wait = Math.min(wait * 2, T2);
      call.okTimer = setTimeout(again, wait);
    };
    call.okTimer = setTimeout(again, wait);
  }

  private stopOk(call: Call): void {
    if (call.okTimer) clearTimeout(call.okTimer);
    call.okTimer = null;
  }

  /** Hold, resume, a session refresh, a new audio codec or address; video stays as agreed first. */
  private async reInvite(call: Call, m: SipMessage, from: Remote): Promise<void> {
    if (call.state !== 'confirmed' || !call.media || call.changing) {
      this.udp.respond(m, from, 491, 'Request Pending');
      return;
    }
    if (m.content) {
      let next: Negotiated;
      try {
        next = negotiate(m.content);
      } catch (e) {
        const r = refusal(e);
        this.udp.respond(m, from, r.status, r.reason);
        return;
      }
      const was = call.negotiated!.audio;
      const changed =
        next.audio.codec !== was.codec ||
        next.audio.payloadType !== was.payloadType ||
        next.audio.remote.ip !== was.remote.ip ||
        next.audio.remote.port !== was.remote.port;
      call.negotiated = { ...next, video: call.negotiated!.video && next.video ? call.negotiated!.video : null };
      if (changed) {
        call.changing = true;
        this.udp.respond(m, from, 100, 'Trying');
        await call.media.changeAudio(next.audio).finally(() => {
          call.changing = false;
        });
        if ((call.state as Call['state']) === 'ended') return;
      }
    }
    call.sdpVersion++;
    this.armExpiry(call, m);
    this.sendOk(call, m, from);
  }

  /** We end the call: BYE to the room, then the media goes. */
  async hangUp(call: Call, why: string, waitMs?: number): Promise<void> {
    if (call.state === 'ended') return;
    const wasConfirmed = call.state === 'confirmed' || call.ok !== null;
    const ending = this.end(call, why);
    if (!wasConfirmed) return ending;
    const answered = this.udp.request(inDialog(call, 'BYE'), call.remote);
    await Promise.all([ending, waitMs ? Promise.race([answered, new Promise((r) => setTimeout(r, waitMs))]) : undefined]);
  }

  /** A browser needs a keyframe of the room's video: besides mediasoup's RTCP PLI, ask by SIP INFO. */
  private askKeyFrame(call: Call): void {
    const now = Date.now();
    if (call.state !== 'confirmed' || now - call.lastInfo < INFO_GAP_MS) return;
    call.lastInfo = now;
    const info = inDialog(call, 'INFO');
    info.headers['content-type'] = 'application/media_control+xml';
    info.content = FAST_UPDATE_BODY;
    void this.udp.request(info, call.remote);
  }

  private async end(call: Call, why: string): Promise<void> {
    if (call.state === 'ended') return;
    call.state = 'ended';
    this.stopOk(call);
    if (call.expiry) clearTimeout(call.expiry);
    this.calls.delete(call.callId);
    this.opts.logger.info({ meetingId: call.meetingId, why }, 'room system call ended');
    call.onEnd?.(why);
    this.rooms.callEnded(call, why);
    await call.media?.close();
  }
}

const tag = () => randomBytes(6).toString('hex');
