// A district server's side of the room-system calls of its sites: the province keeps each call's
// SIP dialog and meeting, and asks this server to run the call's media beside the site's pages
// (sip/room-call-media.ts on the meeting's MediaRoom here). The room sends its media here; its sound
// and picture reach the province over the cascade like a page's. Only the parent may ask.
import { AppError, type Logger } from '@lienthong/kit';
import type { MediaRoom } from '../media/media-room';
import type { MediaEvent } from '../protocol/cascade-media';
import type { RoomCallOpened, RoomCallRequest } from '../protocol/cascade-room-call';
import { RoomCallMedia, type RoomCallMediaDeps } from '../sip/room-call-media';

export interface RoomCallHostDeps {
  /** This server's room-system media settings (its sip.listenIp, rtpPorts, picture…). */
  media: Omit<RoomCallMediaDeps, 'logger'>;
  logger: Logger;
  serverId: string;
  parent: string;
  /** The meeting's media here, with the peers the parent placed (media-host.ts). */
  roomOf(meetingId: string): MediaRoom | undefined;
  publish(e: MediaEvent): void;
}

export class RoomCallHost {
  private readonly calls = new Map<string, RoomCallMedia>();
  /** Opens under way: a close that arrives meanwhile waits for it. */
  private readonly opening = new Map<string, Promise<RoomCallMedia | undefined>>();

  constructor(private readonly deps: RoomCallHostDeps) {}

  /** Calls open here (tests, health). */
  get count(): number {
    return this.calls.size;
  }

  async handle(r: RoomCallRequest, from: string): Promise<{ result: RoomCallOpened | null }> {
    if (from !== this.deps.parent) throw new AppError('CASCADE_NOT_PARENT', `${from} is not this server's parent`, 403);
    const key = `${r.meetingId}/${r.peerId}`;
    await this.opening.get(key);
    if (r.op === 'open') return { result: await this.open(key, r) };
    const call = this.calls.get(key);
    if (r.op === 'close') {
      await this.peerGone(r.meetingId, r.peerId);
      return { result: null };
    }
    if (!call) throw new AppError('NOT_IN_ROOM', 'No room call of that peer here', 409);
    if (r.op === 'changeAudio') await call.changeAudio(r.audio);
    else if (r.op === 'keyFrame') call.keyFrame();
    else await call.hear(r.hearing);
    return { result: null };
  }

  /** The peer's media went (the parent removed it, or it was left over): so does its call's. */
  async peerGone(meetingId: string, peerId: string): Promise<void> {
    const key = `${meetingId}/${peerId}`;
    const call = this.calls.get(key);
    this.calls.delete(key);
    await call?.close();
  }

  async close(): Promise<void> {
    const all = [...this.calls.values()];
    this.calls.clear();
    await Promise.all(all.map((c) => c.close()));
  }

  private async open(key: string, r: Extract<RoomCallRequest, { op: 'open' }>): Promise<RoomCallOpened> {
    const room = this.deps.roomOf(r.meetingId);
    if (!room?.hasPeer(r.peerId)) throw new AppError('NOT_IN_ROOM', 'That peer has no media here', 409);
    await this.peerGone(r.meetingId, r.peerId);
    const tell = (event: 'roomKey' | 'roomAsksKeyFrame', k?: string) =>
      this.deps.publish({ meetingId: r.meetingId, origin: this.deps.serverId, event, peerId: r.peerId, ...(k ? { key: k } : {}) });
    const logger = this.deps.logger.child({ meetingId: r.meetingId, peerId: r.peerId });
    const made = RoomCallMedia.open({ ...this.deps.media, logger }, room, r.peerId, r.cname, r, {
      sipFrom: r.sipFrom,
      askKeyFrame: () => tell('roomAsksKeyFrame'),
      onKey: (k) => tell('roomKey', k),
    });
    const settled = made.then(
      (c) => c,
      () => undefined,
    );
    this.opening.set(key, settled);
    try {
      const call = await made;
      this.calls.set(key, call);
      logger.info({ ports: call.ports }, 'room system media opened for the parent');
      const { ports, srtpKeys } = call;
      return {
        ip: call.ip,
        ports: { audio: ports.audio, video: ports.video, videoRtcp: ports.videoRtcp ?? null },
        srtpKeys: { audio: srtpKeys.audio ?? null, video: srtpKeys.video ?? null },
      };
    } finally {
      if (this.opening.get(key) === settled) this.opening.delete(key);
    }
  }
}
