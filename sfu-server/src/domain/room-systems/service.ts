// Meeting-room codecs (SIP room systems): registered at a site by those who manage it; each dials a
// meeting's number and takes part for its site. A call is identified by the SIP user it calls from,
// and, when registered with one, the address it calls from.
import { randomInt } from 'node:crypto';
import type { Meeting } from '../../protocol/meetings';
import type { CreateRoomSystemBody, RoomSystem } from '../../protocol/room-systems';
import type { Site } from '../../protocol/sites';
import type { MeetingService } from '../meetings/service';
import { requireManagesSite, seesSite } from '../permissions';
import { type Actor, type Clock, fail, iso, newId } from '../shared';
import type { SiteService } from '../sites/service';

export type RoomSystemRecord = RoomSystem;

export interface RoomSystemStore {
  listRoomSystems(siteId?: string): RoomSystemRecord[];
  getRoomSystem(id: string): RoomSystemRecord | undefined;
  roomSystemBySipUser(sipUser: string): RoomSystemRecord | undefined;
  insertRoomSystem(r: RoomSystemRecord): void;
  deleteRoomSystem(id: string): void;
  dialNumberOf(meetingId: string): string | undefined;
  meetingOfDialNumber(number: string): string | undefined;
  /** False when the number is taken already. */
  insertDialNumber(meetingId: string, number: string): boolean;
}

/** Six digits a room's keypad can dial; not guessable in sequence. */
const DIAL_DIGITS = 6;

export class RoomSystemService {
  constructor(
    private readonly store: RoomSystemStore,
    private readonly sites: SiteService,
    private readonly meetings: MeetingService,
    private readonly clock: Clock,
  ) {}

  list(actor: Actor, siteId?: string): RoomSystem[] {
    if (siteId !== undefined) this.sites.get(siteId);
    const tree = this.sites.tree();
    return this.store.listRoomSystems(siteId).filter((r) => seesSite(tree, actor, r.siteId));
  }

  /** The room systems of one site by its code, for those who see that site. */
  atSiteCode(actor: Actor, code: string): RoomSystem[] {
    const site = this.sites.getByCode(code) ?? fail('NOT_FOUND', `No site ${code}`);
    if (!seesSite(this.sites.tree(), actor, site.id)) fail('FORBIDDEN', 'This site is outside yours');
    return this.store.listRoomSystems(site.id);
  }

  get(id: string): RoomSystem {
    return this.find(id) ?? fail('NOT_FOUND', `No room system ${id}`);
  }

  find(id: string): RoomSystem | undefined {
    return this.store.getRoomSystem(id);
  }

  /** Every registered room system (the server's own watching; no caller to check). */
  all(): RoomSystem[] {
    return this.store.listRoomSystems();
  }

  create(actor: Actor, body: CreateRoomSystemBody): RoomSystem {
    this.sites.get(body.siteId);
    requireManagesSite(this.sites.tree(), actor, body.siteId, 'register room systems');
    const sipUser = body.sipUser.trim();
    if (this.store.roomSystemBySipUser(sipUser)) fail('SIP_USER_TAKEN', `The SIP user "${sipUser}" belongs to another room system`);
    const rec: RoomSystemRecord = {
      id: newId(),
      siteId: body.siteId,
      name: body.name.trim(),
      sipUser,
      address: body.address ?? null,
      sipPort: body.sipPort ?? null,
      createdAt: iso(this.clock.now()),
    };
    this.store.insertRoomSystem(rec);
    return rec;
  }

  remove(actor: Actor, id: string): void {
    const r = this.get(id);
    requireManagesSite(this.sites.tree(), actor, r.siteId, 'remove room systems');
    this.store.deleteRoomSystem(id);
  }

  /** The registered room system a call comes from, if any (user and, when registered, address must match). */
  identify(sipUser: string, sourceAddress: string): RoomSystem | undefined {
    const r = this.store.roomSystemBySipUser(sipUser);
    if (!r) return undefined;
    return r.address === null || r.address === sourceAddress ? r : undefined;
  }

  /** The number room systems dial for this meeting (given on first ask, kept for the meeting's life). */
  dialNumber(meetingId: string): string {
    this.meetings.get(meetingId);
    const have = this.store.dialNumberOf(meetingId);
    if (have) return have;
    for (let i = 0; i < 50; i++) {
      const n = String(randomInt(10 ** (DIAL_DIGITS - 1), 10 ** DIAL_DIGITS));
      if (this.store.insertDialNumber(meetingId, n)) return n;
    }
    return fail('CONFLICT', 'No free dial-in number');
  }

  meetingOfNumber(number: string): string | undefined {
    return this.store.meetingOfDialNumber(number);
  }

  /** The room systems of the sites invited to a meeting; with an address they can be called. */
  roomsOf(meetingId: string): { id: string; name: string; siteId: string; siteName: string; dialable: boolean }[] {
    const m = this.meetings.get(meetingId);
    const invited = { hostSiteId: m.hostSiteId, chairSiteId: m.chair.siteId, invites: m.invites };
    return this.store
      .listRoomSystems()
      .filter((r) => this.meetings.isSiteInvited(invited, r.siteId))
      .map((r) => ({ id: r.id, name: r.name, siteId: r.siteId, siteName: this.sites.get(r.siteId).name, dialable: r.address !== null }));
  }

  /**
   * A room system joins for its site: the same rules as a person of that site (invited, not
   * cancelled, open), without the role check, since the device has no user.
   */
  checkJoin(siteId: string, meetingId: string): { meeting: Meeting; site: Site } {
    const m = this.meetings.get(meetingId);
    if (m.phase === 'cancelled') fail('MEETING_CANCELLED', `The meeting "${m.title}" was cancelled`);
    if (m.phase === 'ended') fail('MEETING_ENDED', `The meeting "${m.title}" has ended`);
    if (m.phase === 'upcoming') fail('MEETING_NOT_OPEN', `The meeting "${m.title}" has not started`);
    if (!this.meetings.isSiteInvited({ hostSiteId: m.hostSiteId, chairSiteId: m.chair.siteId, invites: m.invites }, siteId))
      fail('NOT_INVITED', `The site is not invited to "${m.title}"`);
    return { meeting: m, site: this.sites.get(siteId) };
  }
}
