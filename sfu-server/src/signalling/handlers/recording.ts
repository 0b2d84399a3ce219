// The chair (or a console operator) starts and stops the meeting's recording; every screen in the
// meeting shows it while it runs (room:control `recording`).
import { AppError } from '@lienthong/kit';
import { requireChairPowers } from '../../domain/floor/authority';
import { recordedRoom } from '../recording-room';
import type { RequestHandlers } from '../rpc';
import { audit, type HandlerContext, inMeeting } from './context';

export const recordingHandlers = {
  'chair:record': async (ctx, { on }) => {
    const m = inMeeting(ctx);
    requireChairPowers(m.floor.authority, m.userId);
    const recordings = ctx.recordings;
    if (!recordings) throw new AppError('RECORDING_UNAVAILABLE', 'Recording is not set up on this server', 503);
    const meetingId = m.live.meetingId;
    if (on) {
      const r = await recordings.start(
        meetingId,
        { userId: m.userId, name: ctx.session.claims.name },
        recordedRoom(ctx.conference, m.room),
      );
      m.live.recording = { recordingId: r.id, since: r.startedAt, byName: r.startedByName };
      audit(ctx, m, 'recording.start', null, null);
    } else {
      const r = await recordings.stop(meetingId);
      m.live.recording = null;
      audit(ctx, m, 'recording.stop', null, r.durationMs === null ? r.state : `${Math.round(r.durationMs / 1000)} s`);
    }
    ctx.conference.broadcastState(m.room);
    return {};
  },
} satisfies Partial<RequestHandlers<HandlerContext>>;
