// Meeting scheduling and join eligibility. A meeting is hosted at a site, may book
// one of the host's rooms (never two meetings at once), has a chair (user + site)
// and invites single sites or whole subtrees, expanded only when checked.
import {
  type CreateMeetingBody,
  type Meeting,
  type MeetingPhase,
  OPEN_EARLY_MAX_MINUTES,
  type UpdateMeetingBody,
} from '../../protocol/meetings';
import type { Site } from '../../protocol/sites';
import type { AccountService } from '../accounts/service';
import { isAdmin, managesSite, maySchedule, seesSite } from '../permissions';
import { type Actor, type Clock, fail, iso, newId } from '../shared';
import type { SiteService } from '../sites/service';
import { checkInvites, meetingWindow } from './checks';
import type { MeetingRecord, MeetingStore, RoomStore } from './store';

const OPEN_EARLY_MS = OPEN_EARLY_MAX_MINUTES * 60_000;
const HOUR_MS = 3600_000;

/** What signalling needs to admit a site into a meeting. */
export interface JoinGrant {
  meeting: Meeting;
  /** The joining user's (current) site. */
  site: Site;
  /** The user's site is the chair site: its picture is the default main one. */
  isChairSite: boolean;
  /** The user is the meeting's chair person. */
  isChair: boolean;
  /** The user is one of the meeting's console operators. */
  isOperator: boolean;
  isHostSite: boolean;
  /** Who holds the chair's powers, for the join screen. */
  chairName: string;
  operatorNames: string[];
}

/** Roles that join a meeting as a site; console operators named for the meeting join too. */
const MEETING_ROLES = new Set(['participant', 'chair']);

/** Told after a change is saved, so signalling can react (close a cancelled meeting, drop uninvited sites). */
export type MeetingChange = { type: 'created' | 'updated' | 'cancelled' | 'opened_early'; meeting: Meeting };
export type MeetingListener = (change: MeetingChange) => void;

export class MeetingService {
  private readonly listeners = new Set<MeetingListener>();

  constructor(
    private readonly store: MeetingStore & RoomStore,
    private readonly sites: SiteService,
    private readonly accounts: AccountService,
    private readonly clock: Clock,
  ) {}

  /** Returns an unsubscribe function. Listener errors are isolated from the caller. */
  onChange(listener: MeetingListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(type: MeetingChange['type'], meeting: Meeting): Meeting {
    for (const l of this.listeners) {
      try {
        l({ type, meeting });
      } catch {
        // a failing listener must not undo or fail a saved change
      }
    }
    return meeting;
  }

  phase(m: MeetingRecord, now: Date = this.clock.now()): MeetingPhase {
    const t = now.getTime();
    if (m.status === 'cancelled') return 'cancelled';
    if (t >= Date.parse(m.endsAt)) return 'ended';
    if (t >= Date.parse(m.startsAt)) return 'live';
    if (m.openedEarlyAt !== null) return 'open_early';
    return 'upcoming';
  }

  view(m: MeetingRecord, now: Date = this.clock.now()): Meeting {
    return {
      id: m.id,
      title: m.title,
      description: m.description,
      startsAt: m.startsAt,
      endsAt: m.endsAt,
      hostSiteId: m.hostSiteId,
      roomId: m.roomId,
      chair: { userId: m.chairUserId, siteId: m.chairSiteId },
      operators: [...m.operators],
      invites: m.invites.map((i) => ({ ...i })),
      status: m.status,
      phase: this.phase(m, now),
      openedEarlyAt: m.openedEarlyAt,
      cancelledAt: m.cancelledAt,
      cancelReason: m.cancelReason,
      createdBy: m.createdBy,
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
    };
  }

  private record(id: string): MeetingRecord {
    return this.store.getMeeting(id) ?? fail('NOT_FOUND', `No meeting ${id}`);
  }

  /** No permission check: for signalling and other trusted callers. */
  get(id: string): Meeting {
    return this.view(this.record(id));
  }

  find(id: string): Meeting | undefined {
    const m = this.store.getMeeting(id);
    return m ? this.view(m) : undefined;
  }

  /** The site takes part: host, chair site, invited directly or inside an invited subtree. */
  isSiteInvited(meeting: Pick<MeetingRecord, 'hostSiteId' | 'chairSiteId' | 'invites'>, siteId: string): boolean {
    if (siteId === meeting.hostSiteId || siteId === meeting.chairSiteId) return true;
    const tree = this.sites.tree();
    return meeting.invites.some((i) => i.siteId === siteId || (i.scope === 'subtree' && tree.isAncestorOrSelf(i.siteId, siteId)));
  }

  /** Every site taking part, expanded now (host first, then tree order). */
  participatingSites(meetingId: string): Site[] {
    const m = this.record(meetingId);
    const all = this.sites.list().filter((s) => this.isSiteInvited(m, s.id));
    return [...all.filter((s) => s.id === m.hostSiteId), ...all.filter((s) => s.id !== m.hostSiteId)];
  }

  canSee(actor: Actor, m: Pick<MeetingRecord, 'hostSiteId' | 'chairSiteId' | 'chairUserId' | 'createdBy' | 'invites'>): boolean {
    const tree = this.sites.tree();
    return (
      isAdmin(actor) ||
      m.chairUserId === actor.sub ||
      m.createdBy === actor.sub ||
      seesSite(tree, actor, m.hostSiteId) ||
      this.isSiteInvited(m, actor.siteId)
    );
  }

  private canEdit(actor: Actor, m: MeetingRecord): boolean {
    return m.chairUserId === actor.sub || m.createdBy === actor.sub || managesSite(this.sites.tree(), actor, m.hostSiteId);
  }

  getVisible(actor: Actor, id: string): Meeting {
    const m = this.record(id);
    if (!this.canSee(actor, m)) fail('FORBIDDEN', 'You may not see this meeting');
    return this.view(m);
  }

  create(actor: Actor, body: CreateMeetingBody): Meeting {
    const now = this.clock.now();
    this.sites.get(body.hostSiteId);
    if (!maySchedule(this.sites.tree(), actor, body.hostSiteId)) fail('FORBIDDEN', 'You may not schedule meetings hosted at this site');
    const { startsAt, endsAt } = meetingWindow(body.startsAt, body.endsAt);
    if (Date.parse(endsAt) <= now.getTime()) fail('VALIDATION_FAILED', 'The meeting would end in the past');
    const chair = this.resolveChair(body.chairUserId, body.chairSiteId);
    const roomId = body.roomId ?? null;
    this.checkRoom(roomId, body.hostSiteId);
    const invites = checkInvites(this.sites, body.invites);
    const at = iso(now);
    const draft = { hostSiteId: body.hostSiteId, chairSiteId: chair.siteId, chairUserId: chair.userId, createdBy: actor.sub, invites };
    const operators = this.checkOperators(draft, body.operators ?? []);
    const rec: MeetingRecord = {
      id: newId(),
      title: body.title.trim(),
      description: body.description?.trim() ?? '',
      startsAt,
      endsAt,
      hostSiteId: body.hostSiteId,
      roomId,
      chairUserId: chair.userId,
      chairSiteId: chair.siteId,
      invites,
      operators,
      status: 'scheduled',
      openedEarlyAt: null,
      cancelledAt: null,
      cancelReason: null,
      createdBy: actor.sub,
      createdAt: at,
      updatedAt: at,
    };
    // Clash check and insert in one transaction: nothing can slip in between.
    this.store.transaction(() => {
      this.refuseClash(rec);
      this.store.insertMeeting(rec);
    });
    return this.emit('created', this.view(rec, now));
  }

  update(actor: Actor, id: string, body: UpdateMeetingBody): Meeting {
    const now = this.clock.now();
    const cur = this.record(id);
    if (!this.canSee(actor, cur) || !this.canEdit(actor, cur)) fail('FORBIDDEN', 'You may not edit this meeting');
    this.requireActive(cur, now);
    const { startsAt, endsAt } = meetingWindow(body.startsAt ?? cur.startsAt, body.endsAt ?? cur.endsAt);
    if (Date.parse(endsAt) <= now.getTime()) fail('VALIDATION_FAILED', 'The meeting would end in the past');
    const chairChanged = body.chairUserId !== undefined || body.chairSiteId !== undefined;
    const chair = chairChanged
      ? this.resolveChair(
          body.chairUserId ?? cur.chairUserId,
          body.chairSiteId ?? (body.chairUserId === undefined ? cur.chairSiteId : undefined),
        )
      : { userId: cur.chairUserId, siteId: cur.chairSiteId };
    const roomId = body.roomId === undefined ? cur.roomId : body.roomId;
    if (roomId !== cur.roomId) this.checkRoom(roomId, cur.hostSiteId);
    const invites = body.invites ? checkInvites(this.sites, body.invites) : cur.invites;
    const draft = { ...cur, chairUserId: chair.userId, chairSiteId: chair.siteId, invites };
    const operators = this.checkOperators(draft, body.operators ?? cur.operators);
    const next: MeetingRecord = {
      ...cur,
      title: body.title?.trim() ?? cur.title,
      description: body.description?.trim() ?? cur.description,
      startsAt,
      endsAt,
      roomId,
      chairUserId: chair.userId,
      chairSiteId: chair.siteId,
      invites,
      operators,
      // A new start time needs a new technical-check opening.
      openedEarlyAt: startsAt === cur.startsAt ? cur.openedEarlyAt : null,
      updatedAt: iso(now),
    };
    this.store.transaction(() => {
      this.refuseClash(next);
      this.store.updateMeeting(next);
    });
    return this.emit('updated', this.view(next, now));
  }

  cancel(actor: Actor, id: string, reason?: string): Meeting {
    const now = this.clock.now();
    const cur = this.record(id);
    if (!this.canSee(actor, cur) || !this.canEdit(actor, cur)) fail('FORBIDDEN', 'You may not cancel this meeting');
    this.requireActive(cur, now);
    const next: MeetingRecord = {
      ...cur,
      status: 'cancelled',
      cancelledAt: iso(now),
      cancelReason: reason?.trim() || null,
      updatedAt: iso(now),
    };
    this.store.updateMeeting(next);
    return this.emit('cancelled', this.view(next, now));
  }

  /** The chair (or the host site's technicians) opens the meeting up to 60 minutes early for the technical check. */
  openEarly(actor: Actor, id: string): Meeting {
    const now = this.clock.now();
    const cur = this.record(id);
    if (!this.canSee(actor, cur)) fail('FORBIDDEN', 'You may not see this meeting');
    if (cur.chairUserId !== actor.sub && !managesSite(this.sites.tree(), actor, cur.hostSiteId)) {
      fail('FORBIDDEN', "Only the meeting's chair or the host site's operators may open it early");
    }
    this.requireActive(cur, now);
    const opensAt = new Date(Date.parse(cur.startsAt) - OPEN_EARLY_MS);
    if (now < opensAt) fail('OPEN_EARLY_TOO_SOON', `The meeting can be opened from ${iso(opensAt)}`, { opensAt: iso(opensAt) });
    if (cur.openedEarlyAt !== null || now.getTime() >= Date.parse(cur.startsAt)) return this.view(cur, now);
    const next = { ...cur, openedEarlyAt: iso(now), updatedAt: iso(now) };
    this.store.updateMeeting(next);
    return this.emit('opened_early', this.view(next, now));
  }

  /** Meetings not yet ended (or ended within `endedWithinDays`) where the site takes part (or that it hosts), by start time. */
  upcoming(actor: Actor, opts: { siteId?: string; includeCancelled?: boolean; endedWithinDays?: number; limit?: number } = {}): Meeting[] {
    const now = this.clock.now();
    const siteId = opts.siteId ?? actor.siteId;
    this.sites.get(siteId);
    if (!seesSite(this.sites.tree(), actor, siteId)) fail('FORBIDDEN', 'You may not see the meetings of this site');
    return this.store
      .listMeetingsEndingAfter(iso(new Date(now.getTime() - (opts.endedWithinDays ?? 0) * 24 * HOUR_MS)))
      .filter((m) => (opts.includeCancelled ? true : m.status === 'scheduled'))
      .filter((m) => this.isSiteInvited(m, siteId))
      .slice(0, opts.limit ?? 100)
      .map((m) => this.view(m, now));
  }

  /** The schedule the caller may see (administration and history pages). */
  list(actor: Actor, opts: { from?: string; to?: string; hostSiteId?: string; includeCancelled?: boolean } = {}): Meeting[] {
    const now = this.clock.now();
    const from = opts.from ? new Date(opts.from) : new Date(now.getTime() - 7 * 24 * HOUR_MS);
    const to = opts.to ? new Date(opts.to) : new Date(now.getTime() + 30 * 24 * HOUR_MS);
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || to <= from) fail('VALIDATION_FAILED', 'from must be before to');
    if (to.getTime() - from.getTime() > 366 * 24 * HOUR_MS) fail('VALIDATION_FAILED', 'At most one year at a time');
    if (opts.hostSiteId !== undefined) this.sites.get(opts.hostSiteId);
    const tree = this.sites.tree();
    return this.store
      .listMeetingsBetween(iso(from), iso(to))
      .filter((m) => opts.includeCancelled || m.status === 'scheduled')
      .filter((m) => opts.hostSiteId === undefined || tree.isAncestorOrSelf(opts.hostSiteId, m.hostSiteId))
      .filter((m) => this.canSee(actor, m))
      .map((m) => this.view(m, now));
  }

  /**
   * May this user's site enter the meeting now? Only a site taking part, only inside the
   * window, or from the early opening on; only users with the participant or chair role, or
   * the meeting's console operators. Throws AppError NOT_FOUND, NO_MEETING_ROLE, MEETING_CANCELLED,
   * MEETING_ENDED, NOT_INVITED, MEETING_NOT_OPEN or UNAUTHENTICATED.
   */
  checkJoin(who: { sub: string }, meetingId: string, now: Date = this.clock.now()): JoinGrant {
    const actor = this.accounts.actorOf(who.sub);
    const m = this.record(meetingId);
    const isOperator = m.operators.includes(actor.sub);
    if (!isOperator && !actor.roles.some((r) => MEETING_ROLES.has(r)))
      fail('NO_MEETING_ROLE', 'Only participants, chairs and the console operators named for the meeting may join it');
    if (m.status === 'cancelled') fail('MEETING_CANCELLED', `The meeting "${m.title}" was cancelled`);
    if (!this.isSiteInvited(m, actor.siteId)) fail('NOT_INVITED', `Your site is not invited to "${m.title}"`);
    const t = now.getTime();
    if (t >= Date.parse(m.endsAt)) fail('MEETING_ENDED', `The meeting "${m.title}" has ended`);
    if (t < Date.parse(m.startsAt) && m.openedEarlyAt === null) {
      fail('MEETING_NOT_OPEN', `The meeting "${m.title}" starts at ${m.startsAt} and has not been opened early`, {
        startsAt: m.startsAt,
        opensEarliestAt: iso(new Date(Date.parse(m.startsAt) - OPEN_EARLY_MS)),
      });
    }
    return {
      meeting: this.view(m, now),
      site: this.sites.get(actor.siteId),
      isChairSite: actor.siteId === m.chairSiteId,
      isChair: actor.sub === m.chairUserId,
      isOperator,
      isHostSite: actor.siteId === m.hostSiteId,
      chairName: this.accounts.find(m.chairUserId)?.displayName ?? '',
      operatorNames: m.operators.map((id) => this.accounts.find(id)?.displayName ?? id),
    };
  }

  /** Seeding only: no permission or clash checks beyond the store's own. */
  createSeedMeeting(rec: Omit<MeetingRecord, 'id' | 'createdAt' | 'updatedAt' | 'operators'> & { operators?: string[] }): Meeting {
    const at = iso(this.clock.now());
    const full: MeetingRecord = { ...rec, operators: rec.operators ?? [], id: newId(), createdAt: at, updatedAt: at };
    this.store.insertMeeting(full);
    return this.view(full);
  }

  private requireActive(m: MeetingRecord, now: Date): void {
    if (m.status === 'cancelled') fail('MEETING_CANCELLED', `The meeting "${m.title}" was cancelled`);
    if (now.getTime() >= Date.parse(m.endsAt)) fail('MEETING_ENDED', `The meeting "${m.title}" has ended`);
  }

  private resolveChair(userId: string, siteId: string | undefined): { userId: string; siteId: string } {
    const u = this.accounts.find(userId) ?? fail('NOT_FOUND', `No user ${userId} (chair)`);
    if (u.disabled) fail('VALIDATION_FAILED', `${u.displayName} is disabled and cannot chair`);
    if (!u.roles.includes('chair')) fail('VALIDATION_FAILED', `${u.displayName} does not hold the chair role`);
    const chairSite = siteId ?? u.siteId;
    this.sites.find(chairSite) ?? fail('NOT_FOUND', `No site ${chairSite} (chair site)`);
    return { userId: u.id, siteId: chairSite };
  }

  private checkRoom(roomId: string | null, hostSiteId: string): void {
    if (roomId === null) return;
    const room = this.store.getRoom(roomId) ?? fail('NOT_FOUND', `No room ${roomId}`);
    if (room.siteId !== hostSiteId) fail('VALIDATION_FAILED', `Room ${room.name} does not belong to the host site`);
  }

  /** Console operators for a live meeting (chair:setOperators): the same rules as at scheduling. */
  validateOperators(meetingId: string, userIds: readonly string[]): string[] {
    return this.checkOperators(this.record(meetingId), userIds);
  }

  /** Existing, enabled users who may see the meeting and whose site takes part (so they can join). */
  private checkOperators(
    m: Pick<MeetingRecord, 'hostSiteId' | 'chairSiteId' | 'chairUserId' | 'createdBy' | 'invites'>,
    userIds: readonly string[],
  ): string[] {
    const out = [...new Set(userIds)];
    for (const id of out) {
      const u = this.accounts.find(id) ?? fail('NOT_FOUND', `No user ${id} (console operator)`);
      if (u.disabled) fail('VALIDATION_FAILED', `${u.displayName} is disabled and cannot run the console`);
      const actor = { sub: u.id, siteId: u.siteId, roles: u.roles };
      if (!this.canSee(actor, m) || !this.isSiteInvited(m, u.siteId))
        fail('VALIDATION_FAILED', `${u.displayName} is not at a site taking part in the meeting`);
    }
    return out;
  }

  private refuseClash(m: MeetingRecord): void {
    if (m.roomId === null || m.status !== 'scheduled') return;
    const clash = this.store.findRoomClash(m.roomId, m.startsAt, m.endsAt, m.id);
    if (!clash) return;
    const room = this.store.getRoom(m.roomId);
    fail(
      'ROOM_DOUBLE_BOOKED',
      `${room?.name ?? 'The room'} is already booked by "${clash.title}" from ${clash.startsAt} to ${clash.endsAt}`,
      {
        meetingId: clash.id,
        title: clash.title,
        startsAt: clash.startsAt,
        endsAt: clash.endsAt,
      },
    );
  }
}
