import type { Invite } from '../../protocol/meetings';
import type { Transactional } from '../shared';

export interface RoomRecord {
  id: string;
  siteId: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface MeetingRecord {
  id: string;
  title: string;
  description: string;
  /** UTC ISO strings (Date#toISOString), so they compare as text. */
  startsAt: string;
  endsAt: string;
  hostSiteId: string;
  roomId: string | null;
  chairUserId: string;
  chairSiteId: string;
  invites: Invite[];
  /** Console operators named for the meeting (user ids, in order). */
  operators: string[];
  status: 'scheduled' | 'cancelled';
  openedEarlyAt: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface RoomStore extends Transactional {
  listRooms(siteId?: string): RoomRecord[];
  getRoom(id: string): RoomRecord | undefined;
  insertRoom(room: RoomRecord): void;
  updateRoom(room: RoomRecord): void;
  deleteRoom(id: string): void;
  roomMeetingCount(id: string): number;
}

export interface MeetingStore extends Transactional {
  getMeeting(id: string): MeetingRecord | undefined;
  /** Meetings whose end is after `afterIso`, by start time. */
  listMeetingsEndingAfter(afterIso: string): MeetingRecord[];
  /** Meetings whose window overlaps [fromIso, toIso), by start time. */
  listMeetingsBetween(fromIso: string, toIso: string): MeetingRecord[];
  /** A scheduled meeting in the room whose window overlaps [startsAt, endsAt), other than `excludeId`. */
  findRoomClash(roomId: string, startsAt: string, endsAt: string, excludeId?: string): MeetingRecord | undefined;
  insertMeeting(m: MeetingRecord): void;
  /** Replaces the row and its invites. */
  updateMeeting(m: MeetingRecord): void;
}
