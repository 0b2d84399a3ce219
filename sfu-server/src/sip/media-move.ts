// A room call whose media server went away under it (its district server lost) keeps its call: its
// media opens again on this server and the room is told where by a re-INVITE, as the pages of its
// site rebuild their media here. A room that refuses the new offer, or does not answer, is hung up.
import type { Logger } from '@lienthong/kit';
import { negotiate } from '../domain/room-systems/sdp';
import { type Call, inDialog } from './sip-call';
import type { SipUdp } from './sip-udp';

/** What of the endpoint a moved call uses. */
export interface MoveHost {
  readonly udp: SipUdp;
  readonly opts: { logger: Logger };
  contact(): string;
  answerSdp(call: Call): string;
  hangUp(call: Call, why: string): Promise<void>;
}

const WHY = 'media server lost';

/** Each second: a room system the chair removed, or whose meeting ended, is hung up; one whose media server was lost moves here. */
export function watchCall(host: MoveHost, c: Call): void {
  if (c.state !== 'confirmed' || !c.media) return;
  if (c.media.mediaLost) void moveMediaHere(host, c);
  else if (!c.media.inMeeting) void host.hangUp(c, 'left the meeting');
}

export async function moveMediaHere(host: MoveHost, call: Call): Promise<void> {
  if (call.changing || call.state !== 'confirmed' || !call.media) return;
  call.changing = true;
  const log = host.opts.logger;
  try {
    await call.media.moveHere(call.negotiated!);
    if (call.state !== 'confirmed') return;
    call.sdpVersion++;
    const invite = inDialog(call, 'INVITE');
    invite.headers.contact = host.contact();
    invite.headers['content-type'] = 'application/sdp';
    invite.content = host.answerSdp(call);
    const r = await host.udp.request(invite, call.remote);
    if (call.state !== 'confirmed') return;
    if (!r || (r.status ?? 0) >= 300) {
      log.warn({ meetingId: call.meetingId, status: r?.status ?? null }, 'room system refused its media here');
      await host.hangUp(call, WHY);
      return;
    }
    const ack = inDialog(call, 'ACK');
    ack.headers.cseq = { seq: invite.headers.cseq.seq, method: 'ACK' };
    ack.headers.via = [host.udp.via()];
    host.udp.send(ack, call.remote);
    log.info({ meetingId: call.meetingId, roomSystem: call.roomSystemId }, 'room system media moved here after its server was lost');
    // Its answer may name another address for its sound (video stays as agreed first, as on a re-INVITE).
    const next = r.content ? tryNegotiate(r.content) : null;
    const was = call.negotiated!.audio;
    if (next && (next.audio.remote.ip !== was.remote.ip || next.audio.remote.port !== was.remote.port)) {
      call.negotiated = { ...call.negotiated!, audio: { ...was, remote: next.audio.remote } };
      await call.media.changeAudio(call.negotiated.audio);
    }
  } catch (e) {
    log.warn({ err: e, meetingId: call.meetingId }, 'room system media could not move here');
    await host.hangUp(call, WHY);
  } finally {
    call.changing = false;
  }
}

function tryNegotiate(sdp: string): ReturnType<typeof negotiate> | null {
  try {
    return negotiate(sdp);
  } catch {
    return null;
  }
}
