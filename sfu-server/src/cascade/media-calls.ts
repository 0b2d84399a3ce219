// The province's media calls to district servers over the cascade bus, and whether each district
// answers now (from the cascade's pings).
import Type from 'typebox';
import { type MediaEvent, type MediaOp, mediaResults, StatsAnswer } from '../protocol/cascade-media';
import { RoomCallReply } from '../protocol/cascade-room-call';
import type { CascadeBus } from './bus';
import type { MediaCalls } from './split-room-media';

/** Adding a peer waits less: a site whose server does not answer meets through this one. */
const ADD_PEER_TIMEOUT_MS = 3000;
const ROOM_CALL_TIMEOUT_MS = 10_000;

export interface NeighbourWatch {
  isDown(server: string): boolean;
  onDown(listener: (server: string) => void): () => void;
}

export function mediaCalls(bus: Pick<CascadeBus, 'request' | 'serverId' | 'onMediaEvents'>, neighbours: NeighbourWatch): MediaCalls {
  const replies = new Map<MediaOp, ReturnType<typeof Type.Object>>();
  const replyOf = (op: MediaOp) => {
    let r = replies.get(op);
    if (!r) {
      r = Type.Object({ result: mediaResults[op] });
      replies.set(op, r);
    }
    return r;
  };
  return {
    async call(server, meetingId, peerId, op, args) {
      const body = { meetingId, from: bus.serverId, peerId, op, ...args };
      const reply = await bus.request(server, 'media', body, replyOf(op), op === 'addPeer' ? ADD_PEER_TIMEOUT_MS : undefined);
      return (reply as { result: never }).result;
    },
    async roomCall(server, meetingId, peerId, step) {
      // Opening starts GStreamer pipelines on the far server: it may take longer than a media call.
      const reply = await bus.request(
        server,
        'roomCall',
        { ...step, meetingId, from: bus.serverId, peerId },
        RoomCallReply,
        ROOM_CALL_TIMEOUT_MS,
      );
      return reply.result;
    },
    stats: (server, meetingId, known) =>
      bus.request(server, 'mediaStats', { meetingId, from: bus.serverId, ...(known === undefined ? {} : { known }) }, StatsAnswer),
    onEvents: (meetingId: string, handler: (e: MediaEvent) => void) => bus.onMediaEvents(meetingId, handler),
    isDown: (server) => neighbours.isDown(server),
    onDown: (listener) => neighbours.onDown(listener),
  };
}
