// A room in progress: a meeting (with its LiveMeeting) or a technical self-test
// (live null), its media, and the sockets bound to its peers.
import type { LiveMeeting } from '../domain/live/live-meeting';
import type { Grade } from '../domain/live/quality';
import type { RoomAdaptation } from './adaptation-state';
import type { RoomMedia } from './ports';

export interface LiveRoom {
  key: string;
  live: LiveMeeting | null;
  media: RoomMedia;
  /** peerId -> socket id currently bound. */
  sockets: Map<string, string>;
  graceTimers: Map<string, NodeJS.Timeout>;
  /** Audio producers their own site paused: stay paused whatever the chair allows. */
  selfPaused: Set<string>;
  /** Fires when the floor holder's speaking time runs out. */
  floorTimer: NodeJS.Timeout | null;
  /** Fires at the meeting's end: everyone leaves (reason `ended`). */
  endTimer?: NodeJS.Timeout | null;
  /** Each site's link and what was shed for it (adaptation.ts). */
  adaptation?: RoomAdaptation;
  /** Each site's grade as the room was last told it (quality-push.ts). */
  gradeTold?: Map<string, Grade>;
  /** When each site's quality was last read (conference.refreshQuality). */
  qualityReadAt?: Map<string, number>;
}
