// A meeting in progress: who is connected from which site, what each receives,
// and which picture is the main one. No transport or media library here.

import type { DialOutCall } from '../../protocol/chair';
import { afterSpeaking, mainFor } from '../../protocol/media';
import type { ChairAuthority } from '../floor/authority';
import { FloorControl } from '../floor/floor-control';
import type { ReceiveMode } from '../floor/media-rules';
import { type Grade, gradeQuality, type QualityNumbers, qualityDiffers } from './quality';

export type { ReceiveMode } from '../floor/media-rules';
export type MainPolicy = 'chair' | 'speaker';

export interface ParticipantIdentity {
  peerId: string;
  userId: string;
  userName: string;
  /** The account holds the chair role (who receives the chair on a hand-over to the site). */
  chairRole: boolean;
  siteId: string;
  siteCode: string;
  siteName: string;
  parentSiteId: string | null;
  parentSiteName: string | null;
}

export interface LiveParticipant extends ParticipantIdentity {
  isChairSite: boolean;
  connected: boolean;
  disconnectedAt: number | null;
  joinedAt: number;
  receiveMode: ReceiveMode;
  quality: QualityNumbers & { grade: Grade };
}

const NO_QUALITY: LiveParticipant['quality'] = { rttMs: null, lossFraction: 0, sendBps: 0, recvBps: 0, jitterMs: null, grade: 'unknown' };

export class LiveMeeting {
  private readonly participants = new Map<string, LiveParticipant>();
  /** The quality last reported as a change, per participant (setQuality). */
  private readonly toldQuality = new Map<string, QualityNumbers>();
  private activeSpeaker: string | null = null;
  /** Who spoke, latest first, each once (mainFor). */
  private spoke: string[] = [];
  mainPolicy: MainPolicy = 'chair';
  readonly floor: FloorControl;
  /** The recording in progress, shown on every screen (set by the recording handler). */
  recording: { recordingId: string; since: number; byName: string } | null = null;
  /** Calls the chair placed to room systems, by room system (the latest of each). */
  readonly dialOut = new Map<string, DialOutCall>();

  constructor(
    readonly meetingId: string,
    readonly title: string,
    chairSiteId: string,
    authority: ChairAuthority,
  ) {
    this.floor = new FloorControl(chairSiteId, authority);
  }

  /** Follows chair hand-over. */
  get chairSiteId(): string {
    return this.floor.chairSiteId;
  }

  /** After a hand-over: the participants' chair flags follow the floor control. */
  syncChair(): void {
    for (const p of this.participants.values()) p.isChairSite = p.siteId === this.chairSiteId;
  }

  /** Some participant of this site is in the meeting (connected or within grace). */
  hasSite(siteId: string): boolean {
    return this.list().some((p) => p.siteId === siteId);
  }

  peersOfUser(userId: string): string[] {
    return this.list()
      .filter((p) => p.userId === userId)
      .map((p) => p.peerId);
  }

  peersOfSite(siteId: string): string[] {
    return this.list()
      .filter((p) => p.siteId === siteId)
      .map((p) => p.peerId);
  }

  join(who: ParticipantIdentity, now: number): LiveParticipant {
    const p: LiveParticipant = {
      ...who,
      isChairSite: who.siteId === this.chairSiteId,
      connected: true,
      disconnectedAt: null,
      joinedAt: now,
      receiveMode: 'full',
      quality: { ...NO_QUALITY },
    };
    this.participants.set(who.peerId, p);
    return p;
  }

  /** A disconnected participant may come back as the same peer, only as the same user. */
  canResume(peerId: string, userId: string): boolean {
    const p = this.participants.get(peerId);
    return !!p && p.userId === userId;
  }

  reconnect(peerId: string): void {
    const p = this.get(peerId);
    p.connected = true;
    p.disconnectedAt = null;
  }

  disconnect(peerId: string, now: number): void {
    const p = this.participants.get(peerId);
    if (!p) return;
    p.connected = false;
    p.disconnectedAt = now;
  }

  leave(peerId: string): boolean {
    if (this.activeSpeaker === peerId) this.activeSpeaker = null;
    this.spoke = this.spoke.filter((id) => id !== peerId);
    this.toldQuality.delete(peerId);
    return this.participants.delete(peerId);
  }

  /** Participants disconnected for longer than the grace period. */
  expired(now: number, graceMs: number): string[] {
    return [...this.participants.values()]
      .filter((p) => !p.connected && p.disconnectedAt !== null && now - p.disconnectedAt > graceMs)
      .map((p) => p.peerId);
  }

  has(peerId: string): boolean {
    return this.participants.has(peerId);
  }

  get(peerId: string): LiveParticipant {
    const p = this.participants.get(peerId);
    if (!p) throw new Error(`unknown participant ${peerId}`);
    return p;
  }

  list(): LiveParticipant[] {
    return [...this.participants.values()];
  }

  get size(): number {
    return this.participants.size;
  }

  setReceiveMode(peerId: string, mode: ReceiveMode): void {
    this.get(peerId).receiveMode = mode;
  }

  /** Returns true when the figures look different on screen from those last reported so (qualityDiffers). */
  setQuality(peerId: string, q: QualityNumbers): boolean {
    const p = this.participants.get(peerId);
    if (!p) return false;
    // Freezes come from the site's own reports (setFreezes), not from the server's statistics.
    const merged = { ...q, ...(p.quality.freezes === undefined ? {} : { freezes: p.quality.freezes }) };
    p.quality = { ...merged, grade: gradeQuality(merged) };
    const told = this.toldQuality.get(peerId);
    if (told && !qualityDiffers(told, merged)) return false;
    this.toldQuality.set(peerId, merged);
    return true;
  }

  /** The site's browser reports how many times its video froze; returns whether it changed. */
  setFreezes(peerId: string, freezes: number): boolean {
    const p = this.participants.get(peerId);
    if (!p || p.quality.freezes === freezes) return false;
    p.quality = { ...p.quality, freezes };
    return true;
  }

  /** Returns true when the main picture changed. */
  setActiveSpeaker(peerId: string | null): boolean {
    const before = this.mainPeerId();
    this.activeSpeaker = peerId && this.participants.has(peerId) ? peerId : null;
    if (this.activeSpeaker) this.spoke = afterSpeaking(this.spoke, this.activeSpeaker);
    return before !== this.mainPeerId();
  }

  get activeSpeakerPeerId(): string | null {
    return this.activeSpeaker;
  }

  get recentSpeakers(): string[] {
    return [...this.spoke];
  }

  /** The main picture one viewer sees (never its own site while another is there). */
  mainFor(viewerPeerId: string): string | null {
    return mainFor({ mainPeerId: this.mainPeerId(), recentSpeakers: this.spoke, participants: this.list() }, viewerPeerId);
  }

  /** The floor holder for everyone; else the chair site by default, or the active speaker when the policy says so. */
  mainPeerId(): string | null {
    const floorSite = this.floor.floor?.siteId;
    if (floorSite) {
      const holder = this.list()
        .filter((p) => p.siteId === floorSite && p.connected)
        .sort((a, b) => a.joinedAt - b.joinedAt)[0];
      if (holder) return holder.peerId;
    }
    if (this.mainPolicy === 'speaker' && this.activeSpeaker) return this.activeSpeaker;
    const chair = this.list()
      .filter((p) => p.isChairSite && p.connected)
      .sort((a, b) => a.joinedAt - b.joinedAt)[0];
    return chair?.peerId ?? this.activeSpeaker;
  }
}
