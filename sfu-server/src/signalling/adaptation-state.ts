// Per room: each site's link state and what was shed for it (kept in the LiveRoom, run by adaptation.ts).
import type { LinkState } from '../domain/adaptation/ladder';
import type { RecvSide } from '../media/media-stats';

export interface PeerAdaptation {
  link: LinkState;
  paused: number;
  lowered: number;
  sendVideoPaused: boolean;
  uplinkKbps: number | null;
  /** A steady link is read again only from then (ms); 0: at the next tick. */
  nextSampleAt: number;
  /** The last reading of the link toward the site (the quality refresh uses it instead of asking again). */
  lastLink?: RecvSide;
}

export interface RoomAdaptation {
  peers: Map<string, PeerAdaptation>;
  /** The last table each socket was sent (its shown figures), to send only changes. */
  sent: Map<string, string>;
}
