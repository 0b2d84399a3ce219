// Chair-led meeting rules: mode, speaking queue, floor, mutes, lock, removal,
// chair hand-over, presentation and roll call. Who speaks is keyed by site (the unit
// officials speak for); who may act as chair is keyed by user (authority.ts): every
// chair action takes the caller's user id, checks it first and throws a coded
// AppError before changing anything.
// What a site may send follows from this state: see media-rules.ts.
import { AppError } from '@lienthong/kit';
import { authorityFromSchedule, cloneAuthority, requireChairPowers, requireChairUser, scheduleKey } from './authority';
import { audioAllowed, type FloorView, floorExpired, mayUnmute, micState } from './media-rules';
import type {
  AttendanceEntry,
  ChairAuthority,
  ChairRight,
  ControlSettings,
  Floor,
  MeetingMode,
  MicState,
  Person,
  Presentation,
  QueueEntry,
  RollCall,
} from './types';

export type {
  AttendanceEntry,
  AttendanceStatus,
  ChairRight,
  ControlSettings,
  Floor,
  MeetingMode,
  MicState,
  Presentation,
  QueueEntry,
  RollCall,
} from './types';

const err = (code: string, message: string, status = 409) => new AppError(code, message, status);

export class FloorControl implements FloorView {
  mode: MeetingMode = 'discussion';
  locked = false;
  allowSelfUnmute = true;
  speakingLimitMs: number | null = null;
  floor: Floor | null = null;
  presentation: Presentation | null = null;
  rollCall: RollCall | null = null;
  private queue: QueueEntry[] = [];
  /** Sites the chair opened or muted explicitly; others follow defaultOpen (discussion only). */
  private readonly rights = new Map<string, ChairRight>();
  /** Discussion starts open to all; "mute all" closes it until the chair opens sites again. */
  private openByDefault = true;
  private readonly removed = new Set<string>();

  /** The chair site: the one whose microphone is always open. */
  chairSiteId: string;
  private auth: ChairAuthority;

  constructor(chairSiteId: string, authority: ChairAuthority) {
    this.chairSiteId = chairSiteId;
    this.auth = cloneAuthority(authority);
  }

  /** Sites let back in while locked (were present when the settings were last saved). */
  private readonly admitted = new Set<string>();

  settings(presentSites: readonly string[]): ControlSettings {
    if (this.locked) for (const site of presentSites) this.admitted.add(site);
    const admitted = this.locked ? [...this.admitted] : [];
    return {
      admitted,
      chairSiteId: this.chairSiteId,
      mode: this.mode,
      locked: this.locked,
      allowSelfUnmute: this.allowSelfUnmute,
      speakingLimitMs: this.speakingLimitMs,
      defaultOpen: this.openByDefault,
      rights: [...this.rights],
      removed: [...this.removed],
      queue: this.queue.map((q) => ({ ...q })),
      floor: this.floor ? { ...this.floor } : null,
      authority: cloneAuthority(this.auth),
    };
  }

  restore(s: ControlSettings): void {
    this.chairSiteId = s.chairSiteId;
    this.mode = s.mode;
    this.locked = s.locked;
    this.allowSelfUnmute = s.allowSelfUnmute;
    this.speakingLimitMs = s.speakingLimitMs;
    this.openByDefault = s.defaultOpen;
    this.rights.clear();
    for (const [site, right] of s.rights) this.rights.set(site, right);
    this.removed.clear();
    for (const site of s.removed) this.removed.add(site);
    this.admitted.clear();
    for (const site of s.admitted ?? []) this.admitted.add(site);
    this.queue = (s.queue ?? []).map((q) => ({ ...q }));
    this.floor = s.floor ? { ...s.floor } : null;
    if (s.authority) this.auth = cloneAuthority(s.authority);
  }

  /** Sites the queue or the floor is waiting for (after a restart, until they are back). */
  sitesWaitedFor(): string[] {
    const out = new Set(this.queue.map((q) => q.siteId));
    if (this.floor) out.add(this.floor.siteId);
    return [...out];
  }

  // ---- authority

  /** The chair user and the console operators acting for them. */
  get authority(): Readonly<ChairAuthority> {
    return this.auth;
  }

  /** The one check of chair powers: `userId` is the caller's user. */
  requireChair(userId: string): void {
    requireChairPowers(this.auth, userId);
  }

  /** The chair names (or clears) the console operators for the rest of the meeting. */
  setOperators(caller: string, operators: readonly Person[]): void {
    requireChairUser(this.auth, caller);
    this.auth = { ...this.auth, operators: operators.map((o) => ({ ...o })) };
  }

  /** The schedule's chair or operators changed: they apply from now on. True when anything changed. */
  applySchedule(chair: Person, operators: readonly Person[]): boolean {
    const key = scheduleKey(
      chair.userId,
      operators.map((o) => o.userId),
    );
    if (key === this.auth.scheduled) return false;
    this.auth = authorityFromSchedule(chair, operators);
    return true;
  }

  // ---- what the media rules read

  get defaultOpen(): boolean {
    return this.openByDefault;
  }

  rightOf(siteId: string): ChairRight | undefined {
    return this.rights.get(siteId);
  }

  /** May this site's microphone be forwarded now? (decided in media-rules.ts) */
  micAllowed(siteId: string): boolean {
    return audioAllowed(this, siteId);
  }

  micState(siteId: string): MicState {
    return micState(this, siteId);
  }

  // ---- speaking requests (by any site)

  requestFloor(siteId: string, now: number): number {
    if (siteId === this.chairSiteId) throw err('IS_CHAIR', 'The chair site does not need to ask for the floor');
    if (this.floor?.siteId === siteId) throw err('HAS_FLOOR', 'This site already holds the floor');
    if (!this.queue.some((q) => q.siteId === siteId)) this.queue.push({ siteId, requestedAt: now });
    return this.positionOf(siteId);
  }

  withdraw(siteId: string): void {
    const before = this.queue.length;
    this.queue = this.queue.filter((q) => q.siteId !== siteId);
    if (this.queue.length === before) throw err('NOT_IN_QUEUE', 'This site has not asked to speak');
  }

  /** Ordered by request time (then by arrival for equal times). */
  get requests(): readonly QueueEntry[] {
    return this.queue;
  }

  /** 1-based, 0 when not queued. */
  positionOf(siteId: string): number {
    return this.queue.findIndex((q) => q.siteId === siteId) + 1;
  }

  waitMs(siteId: string, now: number): number | null {
    const q = this.queue.find((e) => e.siteId === siteId);
    return q ? now - q.requestedAt : null;
  }

  // ---- chair actions

  giveFloor(caller: string, siteId: string, now: number, present: (siteId: string) => boolean): void {
    this.requireChair(caller);
    if (siteId === this.chairSiteId) throw err('IS_CHAIR', 'The chair site always has its microphone');
    if (!present(siteId)) throw err('SITE_NOT_PRESENT', 'That site is not in the meeting', 404);
    this.queue = this.queue.filter((q) => q.siteId !== siteId);
    // In discussion the previous speaker keeps an open microphone; in briefing only one holds the floor.
    if (this.mode === 'discussion' && this.floor && this.floor.siteId !== siteId) this.rights.set(this.floor.siteId, 'open');
    // Giving the floor lifts a chair mute; the floor itself is what opens the microphone.
    if (this.rights.get(siteId) === 'muted') this.rights.delete(siteId);
    this.floor = { siteId, since: now, until: this.speakingLimitMs ? now + this.speakingLimitMs : null };
  }

  takeFloor(caller: string): void {
    this.requireChair(caller);
    if (!this.floor) throw err('NO_FLOOR', 'Nobody holds the floor');
    this.dropFloor();
  }

  /** Speaking limit ran out: the floor returns to the chair. True when it did. */
  tick(now: number): boolean {
    if (!floorExpired(this.floor, now)) return false;
    this.dropFloor();
    return true;
  }

  setMode(caller: string, mode: MeetingMode): void {
    this.requireChair(caller);
    this.mode = mode;
    // Entering briefing closes every microphone the chair had opened.
    if (mode === 'briefing') {
      for (const [s, r] of this.rights) if (r === 'open') this.rights.delete(s);
      this.openByDefault = false;
    }
  }

  mute(caller: string, siteId: string, muted: boolean): void {
    this.requireChair(caller);
    if (siteId === this.chairSiteId) throw err('IS_CHAIR', 'The chair site cannot be muted by itself here');
    if (muted) this.rights.set(siteId, 'muted');
    else this.rights.set(siteId, 'open');
  }

  /** Every site but the chair: closed until opened again (floor included). */
  muteAll(caller: string): void {
    this.requireChair(caller);
    this.rights.clear();
    this.openByDefault = false;
    this.floor = null;
  }

  setSelfUnmute(caller: string, allowed: boolean): void {
    this.requireChair(caller);
    this.allowSelfUnmute = allowed;
  }

  /** A site opens its own microphone again; throws when the rules say no. */
  selfUnmute(siteId: string): void {
    const verdict = mayUnmute(this, siteId);
    if (!verdict.ok) throw err(verdict.code, verdict.message, 403);
    if (!verdict.alreadyOpen) this.rights.set(siteId, 'open');
  }

  setSpeakingLimit(caller: string, seconds: number | null, now: number): void {
    this.requireChair(caller);
    this.speakingLimitMs = seconds ? seconds * 1000 : null;
    if (this.floor) this.floor.until = this.speakingLimitMs ? Math.max(now, this.floor.since + this.speakingLimitMs) : null;
  }

  lock(caller: string, locked: boolean): void {
    this.requireChair(caller);
    this.locked = locked;
    this.admitted.clear();
  }

  /** Throws when a site may not (re)join now. `present`: the site already has someone in the meeting. */
  checkJoin(siteId: string, present: boolean): void {
    if (this.removed.has(siteId)) throw err('SITE_REMOVED', 'The chair removed this site from the meeting', 403);
    if (this.locked && !present && !this.admitted.has(siteId) && siteId !== this.chairSiteId)
      throw err('MEETING_LOCKED', 'The chair has locked the meeting', 423);
  }

  remove(caller: string, siteId: string): void {
    this.requireChair(caller);
    if (siteId === this.chairSiteId) throw err('IS_CHAIR', 'The chair site cannot remove itself');
    this.removed.add(siteId);
    this.forgetSite(siteId);
  }

  readmit(caller: string, siteId: string): void {
    this.requireChair(caller);
    if (!this.removed.delete(siteId)) throw err('NOT_REMOVED', 'That site was not removed', 404);
  }

  get removedSites(): string[] {
    return [...this.removed];
  }

  /** The chair site moves to `siteId`; the chair's powers move to `heir()` there (authority.ts chooseHeir). */
  handOver(caller: string, siteId: string, present: (siteId: string) => boolean, heir: () => Person): void {
    this.requireChair(caller);
    if (siteId === this.chairSiteId) throw err('IS_CHAIR', 'That site is already the chair');
    if (!present(siteId)) throw err('SITE_NOT_PRESENT', 'That site is not in the meeting', 404);
    const chair = heir();
    this.forgetSite(siteId);
    this.chairSiteId = siteId;
    // The new chair names their own console operators.
    this.auth = { chair: { ...chair }, operators: [], scheduled: this.auth.scheduled };
  }

  // ---- presentation

  startPresentation(siteId: string, peerId: string, now: number): void {
    const p = this.presentation;
    if (p && p.peerId !== peerId) throw err('PRESENTATION_BUSY', 'Another site is presenting');
    if (!p) this.presentation = { siteId, peerId, producerId: null, since: now };
  }

  /** The presenter or the chair (user). Returns the presentation that ended. */
  stopPresentation(callerUser: string, callerPeer: string): Presentation {
    const p = this.presentation;
    if (!p) throw err('NO_PRESENTATION', 'Nobody is presenting');
    if (p.peerId !== callerPeer) this.requireChair(callerUser);
    this.presentation = null;
    return p;
  }

  presentationEnded(peerId: string): boolean {
    if (this.presentation?.peerId !== peerId) return false;
    this.presentation = null;
    return true;
  }

  // ---- roll call

  startRollCall(caller: string, id: string, sites: { siteId: string; siteCode: string; siteName: string }[], now: number): RollCall {
    this.requireChair(caller);
    if (this.rollCall && this.rollCall.endedAt === null) throw err('ROLLCALL_OPEN', 'A roll call is already open');
    this.rollCall = {
      id,
      startedAt: now,
      endedAt: null,
      entries: sites.map((s) => ({ ...s, status: 'pending', headCount: null, reason: null, at: null })),
    };
    return this.rollCall;
  }

  answerPresent(siteId: string, headCount: number | null, now: number): AttendanceEntry {
    const e = this.openEntry(siteId);
    e.status = 'present';
    e.headCount = headCount;
    e.reason = null;
    e.at = now;
    return e;
  }

  mark(
    caller: string,
    siteId: string,
    status: 'absent' | 'late' | 'present',
    reason: string | null,
    headCount: number | null,
    now: number,
  ) {
    this.requireChair(caller);
    const e = this.openEntry(siteId);
    e.status = status;
    e.reason = reason;
    if (headCount !== null) e.headCount = headCount;
    e.at = now;
    return e;
  }

  endRollCall(caller: string, now: number): RollCall {
    this.requireChair(caller);
    const rc = this.rollCall;
    if (!rc || rc.endedAt !== null) throw err('NO_ROLLCALL', 'No roll call is open');
    rc.endedAt = now;
    return rc;
  }

  private openEntry(siteId: string): AttendanceEntry {
    const rc = this.rollCall;
    if (!rc || rc.endedAt !== null) throw err('NO_ROLLCALL', 'No roll call is open');
    const e = rc.entries.find((x) => x.siteId === siteId);
    if (!e) throw err('NOT_IN_ROLLCALL', 'That site is not on the roll', 404);
    return e;
  }

  // ---- housekeeping

  /** The site's last participant left: it leaves the queue, the floor and the presentation; chair mutes stay. */
  siteLeft(siteId: string): void {
    this.queue = this.queue.filter((q) => q.siteId !== siteId);
    if (this.floor?.siteId === siteId) this.dropFloor();
    if (this.presentation?.siteId === siteId) this.presentation = null;
  }

  /** A site left for good: it leaves the queue and the floor. */
  forgetSite(siteId: string): void {
    this.queue = this.queue.filter((q) => q.siteId !== siteId);
    if (this.floor?.siteId === siteId) this.dropFloor();
    this.rights.delete(siteId);
    if (this.presentation?.siteId === siteId) this.presentation = null;
  }

  private dropFloor(): void {
    this.floor = null;
  }
}
