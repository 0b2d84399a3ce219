// One room-system call in a meeting: the room system becomes a participant of its site. This is the
// meeting's side of the call (the peer, its keys, what it hears and sees); its media runs where its
// site's media runs: here (RoomCallMedia), or on the district server the site is placed on, driven
// over the cascade like a page's media (cascade/remote-room-call.ts).
import { KeyEntry } from '../domain/room-systems/dtmf';
import type { AudioChoice, Negotiated } from '../domain/room-systems/sdp';
import type { RoomHearing } from '../protocol/cascade-room-call';
import { Conference, type LiveRoom } from '../signalling/conference';
import type { CallMedia, LiveMeetingInfo, RoomCallOpening } from '../signalling/ports';
import { RoomCallMedia, type RoomCallMediaDeps } from './room-call-media';

export interface RoomCallDeps extends RoomCallMediaDeps {
  conference: Conference;
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
  private media!: CallMedia;
  private opening!: RoomCallOpening;
  private ticker: NodeJS.Timeout | null = null;
  private closed = false;
  /** Keys from the room's remote control, toward a roll-call answer. */
  private readonly keys = new KeyEntry();

  private constructor(
    private readonly deps: RoomCallDeps,
    readonly room: LiveRoom,
    readonly peerId: string,
  ) {}

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
    const call = new RoomCall(deps, room, peerId);
    try {
      // Its site's server carries its media, as it carries its site's pages'.
      await room.media.addPeer(peerId, { siteId: who.site.id });
      const opening: RoomCallOpening = {
        audio: n.audio,
        video: n.video,
        sipFrom: signal.sipFrom,
        cname: `room-${who.roomSystemId.slice(0, 8)}`,
        askKeyFrame: signal.askKeyFrame,
        onKey: (key) => call.key(key),
      };
      call.opening = opening;
      call.media = await (room.media.remoteRoomCall?.(peerId, opening) ?? call.openHere(n, opening));
      call.ticker = setInterval(() => void call.hear(), 500);
      void call.hear();
      conference.broadcastState(room);
      return call;
    } catch (e) {
      await call.close();
      throw e;
    }
  }

  private openHere(n: Negotiated, opening: RoomCallOpening): Promise<CallMedia> {
    const { media } = this.room;
    if (!media.createPlainTransport || !media.openTap) throw new Error('this room takes no plain RTP');
    const room = {
      produce: media.produce.bind(media),
      createPlainTransport: media.createPlainTransport.bind(media),
      openTap: media.openTap.bind(media),
    };
    return RoomCallMedia.open(this.deps, room, this.peerId, opening.cname, n, opening);
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

  /** The address the SDP answer gives for the room's media (its media server's). */
  get mediaIp(): string {
    return this.media.ip;
  }

  get ports(): CallMedia['ports'] {
    return this.media.ports;
  }

  /** Our SRTP keys (base64) for the lines the room keyed, for the answer. */
  get srtpKeys(): CallMedia['srtpKeys'] {
    return this.media.srtpKeys;
  }

  /** A re-INVITE changed the room's audio codec (or where it takes sound). */
  async changeAudio(a: AudioChoice): Promise<void> {
    if (!this.closed) await this.media.changeAudio(a);
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

  /** The room is sent another room's H.264 as it is now (not re-encoded). */
  get passingThrough(): boolean {
    return this.media?.passingThrough ?? false;
  }

  /** The room asks for a keyframe of what it is sent (RTCP PLI/FIR, SIP INFO picture_fast_update). */
  roomAsksKeyFrame(): void {
    this.media?.keyFrame();
  }

  /** The others' open microphones, latest speakers first, into what the room hears; the main picture into what it sees. */
  private async hear(): Promise<void> {
    const live = this.room.live;
    if (!live || this.closed || !this.media) return;
    const shown = live.floor.presentation;
    const main = live.mainFor(this.peerId);
    const camera =
      main && main !== this.peerId ? this.room.media.producersOf(main, 'video').find((x) => x.source === 'camera' && !x.paused) : undefined;
    const order = (id: string) => {
      const i = live.recentSpeakers.indexOf(id);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    const others = live
      .list()
      .filter((p) => p.peerId !== this.peerId && p.connected)
      .sort((a, b) => order(a.peerId) - order(b.peerId));
    const hearing: RoomHearing = {
      show: (shown && shown.peerId !== this.peerId ? shown.producerId : null) ?? camera?.producerId ?? null,
      mix: others.map((p) => {
        const mic = this.room.media.producersOf(p.peerId, 'audio').find((x) => x.source === 'mic');
        return { peerId: p.peerId, micProducerId: mic?.producerId ?? null, micPaused: mic?.paused ?? true };
      }),
    };
    await this.media
      .hear(hearing)
      .catch((e: unknown) => this.deps.logger.warn({ err: e, peerId: this.peerId }, 'room system hearing not set'));
  }

  /** Its media's server was lost: the media opens again here (the caller tells the room by re-INVITE). */
  async moveHere(n: Negotiated): Promise<void> {
    if (this.closed) return;
    await this.media.close();
    await this.room.media.addPeer(this.peerId);
    this.media = await this.openHere(n, this.opening);
    this.deps.conference.broadcastState(this.room);
  }

  /** Its media's server lost it (a district server down): the call cannot go on. */
  get mediaLost(): boolean {
    return !!this.media?.lost;
  }

  /** Still a participant (the chair may have removed the site, the meeting may have ended, its media server lost). */
  get inMeeting(): boolean {
    return (
      !this.closed && !this.media?.lost && this.deps.conference.rooms.get(this.room.key) === this.room && !!this.room.live?.has(this.peerId)
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ticker) clearInterval(this.ticker);
    await this.media?.close();
    if (this.deps.conference.rooms.get(this.room.key) === this.room && this.room.live?.has(this.peerId))
      this.deps.conference.removePeer(this.room, this.peerId);
  }
}
