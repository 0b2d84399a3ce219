// Every ClientRequests event has exactly one handler, in the module of its topic:
//   session.ts       router:capabilities, meeting:join/leave/setReceiveMode/setMainPolicy
//   selftest.ts      selftest:join
//   media.ts         media:* (transports, producers, consumers)
//   floor.ts         floor:request/withdraw, chair:giveFloor/takeFloor/setSpeakingLimit
//   chair.ts         control:get, chair:setMode/mute/muteAll/setSelfUnmute/lock/remove/readmit/handOver
//   presentation.ts  presentation:start/stop
//   rollcall.ts      rollcall:start/answer/mark/end
//   recording.ts     chair:record
//   dial-out.ts      chair:dialOut
// The compiler rejects a table entry without a handler, or one handled twice.
import type { RequestHandlers } from '../rpc';
import { chairHandlers } from './chair';
import type { HandlerContext } from './context';
import { dialOutHandlers } from './dial-out';
import { floorHandlers } from './floor';
import { mediaHandlers } from './media';
import { presentationHandlers } from './presentation';
import { recordingHandlers } from './recording';
import { rollcallHandlers } from './rollcall';
import { selftestHandlers } from './selftest';
import { sessionHandlers } from './session';

export type { HandlerContext, SocketSession } from './context';

/** The topic modules, by name (also lets a test check that each event has one owner). */
export const topics = {
  session: sessionHandlers,
  selftest: selftestHandlers,
  media: mediaHandlers,
  floor: floorHandlers,
  chair: chairHandlers,
  presentation: presentationHandlers,
  rollcall: rollcallHandlers,
  recording: recordingHandlers,
  dialOut: dialOutHandlers,
} as const;

type Topics = typeof topics;
type TopicName = keyof Topics;
type KeysOf<T extends TopicName> = T extends TopicName ? keyof Topics[T] : never;
/** Events that more than one topic handles: must be none. */
type Duplicated = { [T in TopicName]: keyof Topics[T] & KeysOf<Exclude<TopicName, T>> }[TopicName];
const noDuplicates: [Duplicated] extends [never] ? true : { handledTwice: Duplicated } = true;
void noDuplicates;

export const requestHandlers = {
  ...sessionHandlers,
  ...selftestHandlers,
  ...mediaHandlers,
  ...floorHandlers,
  ...chairHandlers,
  ...presentationHandlers,
  ...rollcallHandlers,
  ...recordingHandlers,
  ...dialOutHandlers,
} satisfies RequestHandlers<HandlerContext>;
