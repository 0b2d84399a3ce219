// A site's own view of the chair's rules, and the clocks shown next to them.
import type { AttendanceEntry, ControlState } from '@lienthong/sfu-server/protocol';

/**
 * "mm:ss" of a duration, never negative. A countdown rounds up (it shows 00:00 only when the
 * time is over); elapsed times round to the nearest second.
 */
export function mmss(ms: number, rounding: 'nearest' | 'up' = 'nearest'): string {
  const s = Math.max(0, rounding === 'up' ? Math.ceil(ms / 1000) : Math.round(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export interface SiteFloorView {
  /** 1-based place in the speaking queue, 0 when not queued. */
  position: number;
  hasFloor: boolean;
  mic: string;
  /** 'floor', 'queued', or the mic rule ('open', 'closed', 'muted'). */
  state: string;
  /** Our roll-call entry while a roll call is open. */
  roll: AttendanceEntry | undefined;
}

export function siteFloorView(control: ControlState, siteId: string): SiteFloorView {
  const position = control.queue.findIndex((q) => q.siteId === siteId) + 1;
  const hasFloor = control.floor?.siteId === siteId;
  const mic = control.mics[siteId] ?? 'closed';
  const rc = control.rollCall;
  return {
    position,
    hasFloor,
    mic,
    state: hasFloor ? 'floor' : position > 0 ? 'queued' : mic,
    roll: rc?.endedAt === null ? rc.entries.find((e) => e.siteId === siteId) : undefined,
  };
}
