// What a meeting keeps of each site's link for the quality report: a sample of the figures the
// server measured at most every `sampleEveryMs` per peer (at once when the grade changes, so a
// short bad spell is not lost between samples), and when a site dropped out, came back or left.
import type { Grade, QualityNumbers } from './quality';

export interface QualitySample extends QualityNumbers {
  meetingId: string;
  siteId: string;
  peerId: string;
  at: number;
  grade: Grade;
}

export type SiteEventKind = 'joined' | 'disconnected' | 'reconnected' | 'left';
export interface SiteEvent {
  meetingId: string;
  siteId: string;
  peerId: string;
  at: number;
  kind: SiteEventKind;
}

/** A link on the site's path changed state in nms while the site was in the meeting. */
export interface NetworkMark {
  at: number;
  linkId: string;
  linkName: string;
  /** up, degraded, down, flapping, unknown. */
  state: string;
  reasons: { code: string; value: number | null; minutes: number | null }[];
}
export interface NetworkEvent extends NetworkMark {
  meetingId: string;
  siteId: string;
}

/** Storage of the log (SQLite in store/quality-repository.ts). */
export interface QualityLogPort {
  addSample(s: QualitySample): void;
  addEvent(e: SiteEvent): void;
  addNetworkEvent(e: NetworkEvent): void;
  samples(meetingId: string): QualitySample[];
  events(meetingId: string): SiteEvent[];
  networkEvents(meetingId: string): NetworkEvent[];
}

export class QualityRecorder {
  private readonly last = new Map<string, { at: number; grade: Grade }>();

  constructor(
    private readonly port: QualityLogPort,
    private readonly sampleEveryMs = 10_000,
  ) {}

  /** Returns whether the sample was kept. */
  sample(meetingId: string, who: { siteId: string; peerId: string }, q: QualityNumbers & { grade: Grade }, at: number): boolean {
    const prev = this.last.get(who.peerId);
    if (prev && at - prev.at < this.sampleEveryMs && prev.grade === q.grade) return false;
    this.last.set(who.peerId, { at, grade: q.grade });
    this.port.addSample({
      meetingId,
      siteId: who.siteId,
      peerId: who.peerId,
      at,
      rttMs: q.rttMs,
      lossFraction: q.lossFraction,
      jitterMs: q.jitterMs,
      sendBps: q.sendBps,
      recvBps: q.recvBps,
      grade: q.grade,
      ...(q.layer === undefined ? {} : { layer: q.layer }),
      ...(q.freezes === undefined ? {} : { freezes: q.freezes }),
    });
    return true;
  }

  event(meetingId: string, who: { siteId: string; peerId: string }, kind: SiteEventKind, at: number): void {
    if (kind === 'left') this.last.delete(who.peerId);
    this.port.addEvent({ meetingId, siteId: who.siteId, peerId: who.peerId, at, kind });
  }

  network(e: NetworkEvent): void {
    this.port.addNetworkEvent(e);
  }
}

/** Every sample and event of one site, in time order, per site in order of first appearance. */
export function bySite(
  samples: readonly QualitySample[],
  events: readonly SiteEvent[],
): Map<string, { samples: QualitySample[]; events: SiteEvent[] }> {
  const out = new Map<string, { samples: QualitySample[]; events: SiteEvent[] }>();
  const of = (siteId: string) => {
    const e = out.get(siteId) ?? { samples: [], events: [] };
    out.set(siteId, e);
    return e;
  };
  for (const e of [...events].sort((a, b) => a.at - b.at)) of(e.siteId).events.push(e);
  for (const s of [...samples].sort((a, b) => a.at - b.at)) of(s.siteId).samples.push(s);
  return out;
}

const RANK: Record<Grade, number> = { unknown: 0, good: 1, fair: 2, poor: 3 };

export interface SiteReport {
  siteId: string;
  siteCode: string;
  siteName: string;
  samples: (QualityNumbers & { at: number; grade: Grade })[];
  events: { at: number; kind: SiteEventKind }[];
  network: NetworkMark[];
  worstGrade: Grade;
  dropouts: number;
}

/** One entry per site that took part, with its worst grade and how often it dropped out. */
export function siteReports(
  samples: readonly QualitySample[],
  events: readonly SiteEvent[],
  siteOf: (siteId: string) => { code: string; name: string } | undefined,
  network: readonly NetworkEvent[] = [],
): SiteReport[] {
  return [...bySite(samples, events)].map(([siteId, log]) => {
    const site = siteOf(siteId);
    return {
      siteId,
      siteCode: site?.code ?? siteId,
      siteName: site?.name ?? siteId,
      samples: log.samples.map(({ at, rttMs, lossFraction, jitterMs, sendBps, recvBps, grade, layer, freezes }) => ({
        at,
        rttMs,
        lossFraction,
        jitterMs,
        sendBps,
        recvBps,
        grade,
        ...(layer === undefined ? {} : { layer }),
        ...(freezes === undefined ? {} : { freezes }),
      })),
      events: log.events.map(({ at, kind }) => ({ at, kind })),
      network: network
        .filter((e) => e.siteId === siteId)
        .sort((a, b) => a.at - b.at)
        .map(({ at, linkId, linkName, state, reasons }) => ({ at, linkId, linkName, state, reasons })),
      worstGrade: log.samples.reduce<Grade>((w, s) => (RANK[s.grade] > RANK[w] ? s.grade : w), 'unknown'),
      dropouts: log.events.filter((e) => e.kind === 'disconnected').length,
    };
  });
}
