// The province's side of a room-system call whose media runs on a district server: each step of
// the call (open, a new audio codec, a keyframe, what the room hears and sees, hang-up) is one
// request to that server (protocol/cascade-room-call.ts), in order with the peer's other media
// calls. What the room hears and sees goes only when it changes. The district's news of the call
// (a key on the room's remote, a keyframe wanted from the room) comes back as media events.
import type { AudioChoice } from '../domain/room-systems/sdp';
import type { MediaEvent } from '../protocol/cascade-media';
import type { RoomCallOpened, RoomCallStep, RoomHearing } from '../protocol/cascade-room-call';
import type { CallMedia, RoomCallOpening } from '../signalling/ports';

/** One placed peer's way to its server (split-room-media.ts). */
export interface RoomCallLink {
  request(step: RoomCallStep): Promise<RoomCallOpened | null>;
  /** This peer's media events from its server; returns an unsubscribe. */
  onEvent(handler: (e: MediaEvent) => void): () => void;
}

export class RemoteRoomCall implements CallMedia {
  /** Its server lost the peer's media (server down, worker died): the call cannot go on. */
  lost = false;
  private closed = false;
  /** What the room was last told it hears and sees (sent again only when it changes). */
  private told = '';

  private constructor(
    private readonly link: RoomCallLink,
    private readonly opened: RoomCallOpened,
    private readonly off: () => void,
  ) {}

  static async open(link: RoomCallLink, o: RoomCallOpening): Promise<RemoteRoomCall> {
    const off = link.onEvent((e) => {
      if (e.event === 'roomKey' && e.key) o.onKey(e.key);
      else if (e.event === 'roomAsksKeyFrame') o.askKeyFrame();
    });
    try {
      const opened = await link.request({ op: 'open', audio: o.audio, video: o.video, sipFrom: o.sipFrom, cname: o.cname });
      if (!opened) throw new Error('the media server opened no room call');
      return new RemoteRoomCall(link, opened, off);
    } catch (e) {
      off();
      throw e;
    }
  }

  get ip(): string {
    return this.opened.ip;
  }

  get ports(): CallMedia['ports'] {
    const p = this.opened.ports;
    return { audio: p.audio, video: p.video, videoRtcp: p.videoRtcp ?? undefined };
  }

  get srtpKeys(): CallMedia['srtpKeys'] {
    const k = this.opened.srtpKeys;
    return { audio: k.audio ?? undefined, video: k.video ?? undefined };
  }

  /** Only the server that re-encodes knows; the province's metric counts its own calls. */
  readonly passingThrough = false;

  async changeAudio(audio: AudioChoice): Promise<void> {
    await this.link.request({ op: 'changeAudio', audio });
  }

  keyFrame(): void {
    if (!this.closed) void this.link.request({ op: 'keyFrame' }).catch(() => undefined);
  }

  async hear(hearing: RoomHearing): Promise<void> {
    const now = JSON.stringify(hearing);
    if (this.closed || this.lost || now === this.told) return;
    this.told = now;
    await this.link.request({ op: 'hear', hearing }).catch((e: unknown) => {
      // Told again on the next turn.
      if (this.told === now) this.told = '';
      throw e;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.off();
    if (!this.lost) await this.link.request({ op: 'close' }).catch(() => undefined);
  }
}
