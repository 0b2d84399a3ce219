// Readiness before a meeting: sites store their technical check; the chair and operators see every
// invited site's check, network path (nms) and connection on one board, export it and remind the
// sites that have not checked; a reminded site sees it on its meetings page until it checks.
import { EventEmitter } from 'node:events';
import { AppError } from '@lienthong/kit';
import type { SiteNetwork } from '@lienthong/kit/contracts';
import type { Core } from '../../core';
import {
  CHECK_VALID_MS,
  foldByCause,
  latestChecks,
  type SiteNetworkState,
  siteReadiness,
  type TechCheck,
} from '../../domain/readiness/readiness';
import type { Actor } from '../../domain/shared';
import type { ReadinessBoard, ReadinessSite, ReminderList, RoomSystemStatus, TechCheckView } from '../../protocol';
import { ReadinessRepository } from '../../store/readiness-repository';
import { streamJson } from '../json-stream';
import { csvField, formatVnTime, meetingOfOps } from './attendance';
import type { SfuHandlers } from './context';

export interface ReadinessSources {
  /** nms's view of sites' paths (absent: no nms); `live` false: only asking. */
  network?: (siteCodes: string[], live: boolean) => Promise<SiteNetwork[]>;
  /** Sites connected to the meeting's room now. */
  connectedSites?: (meetingId: string) => ReadonlySet<string>;
  /** A room system's reachability and call (absent: SIP is off, each is "unknown"). */
  roomStatus?: (roomSystemId: string) => RoomSystemStatus;
}

const NOT_WATCHED: RoomSystemStatus = { reachability: 'unknown', rttMs: null, checkedAt: null, inCall: false };

const checkView = (c: TechCheck): TechCheckView => ({
  camera: c.camera,
  microphone: c.microphone,
  speaker: c.speaker,
  mediaPath: c.mediaPath,
  rttMs: c.rttMs,
  lossFraction: c.lossFraction,
  userName: c.userName,
  at: new Date(c.at).toISOString(),
});

function networkState(n: SiteNetwork | undefined): SiteNetworkState | null {
  if (!n?.known) return null;
  return { state: n.state, cause: n.cause, degradedLink: n.path.find((l) => l.state === 'degraded')?.name ?? null };
}

async function buildBoard(
  core: Core,
  repo: ReadinessRepository,
  sources: ReadinessSources,
  actor: Actor,
  id: string,
): Promise<ReadinessBoard> {
  const meeting = meetingOfOps(core, actor, id);
  const sites = core.meetings.participatingSites(id);
  const start = Date.parse(meeting.startsAt);
  const ids = sites.map((s) => s.id);
  const checks = latestChecks(repo.checksSince(ids, start - CHECK_VALID_MS), start, Date.parse(meeting.endsAt));
  let net: Map<string, SiteNetwork> | null = null;
  try {
    const answer = sources.network
      ? await sources.network(
          sites.map((s) => s.code),
          false,
        )
      : null;
    net = answer && new Map(answer.map((n) => [n.code, n]));
  } catch {
    net = null; // nms not answering: the board still shows checks and connections
  }
  const connected = sources.connectedSites?.(id) ?? new Set<string>();
  const reminded = new Map(repo.remindersOfMeeting(id).map((r) => [r.siteId, r.at]));
  const rooms = new Map<string, ReadinessSite['roomSystems']>();
  for (const r of core.roomSystems.all())
    rooms.set(r.siteId, [...(rooms.get(r.siteId) ?? []), { id: r.id, name: r.name, ...(sources.roomStatus?.(r.id) ?? NOT_WATCHED) }]);
  const rows: ReadinessSite[] = sites.map((s) => {
    const check = checks.get(s.id) ?? null;
    const known = net?.get(s.code);
    const network = networkState(known);
    const at = reminded.get(s.id);
    const siteRooms = rooms.get(s.id) ?? [];
    return {
      siteId: s.id,
      siteCode: s.code,
      siteName: s.name,
      parentId: s.parentId,
      depth: s.level,
      ...siteReadiness(check, network, siteRooms),
      check: check && checkView(check),
      // Each hop of its path, from the site up, as nms sees it.
      network: network && { ...network, path: (known?.path ?? []).map((l) => ({ linkId: l.id, name: l.name, state: l.state })) },
      connected: connected.has(s.id),
      roomSystems: siteRooms,
      remindedAt: at === undefined ? null : new Date(at).toISOString(),
    };
  });
  return {
    ok: true,
    meetingId: id,
    title: meeting.title,
    startsAt: meeting.startsAt,
    networkKnown: net !== null,
    sites: rows,
    faults: foldByCause(rows),
  };
}

/** The site's reminders for meetings not over yet; one it checked after is done. */
function remindersOf(core: Core, repo: ReadinessRepository, siteId: string): ReminderList['reminders'] {
  const now = Date.now();
  const checkedAt = Math.max(0, ...repo.checksSince([siteId], 0).map((c) => c.at));
  const latest = new Map<string, { at: number; byName: string }>();
  for (const r of repo.remindersOfSite(siteId)) latest.set(r.meetingId, r);
  return [...latest].flatMap(([meetingId, r]) => {
    const m = core.meetings.find(meetingId);
    if (!m || m.status === 'cancelled' || Date.parse(m.endsAt) <= now || checkedAt > r.at) return [];
    return [{ meetingId, title: m.title, startsAt: m.startsAt, at: new Date(r.at).toISOString(), byName: r.byName }];
  });
}

/** How often an open board re-reads its sites (nms, connections); a saved check or a reminder is pushed at once. */
const BOARD_STREAM_MS = 3000;

export function readinessHandlers(core: Core, sources: ReadinessSources = {}): SfuHandlers<'readiness'> {
  const repo = new ReadinessRepository(core.store.db);
  const board = (actor: Actor, id: string) => buildBoard(core, repo, sources, actor, id);
  const changes = new EventEmitter().setMaxListeners(0);

  return {
    'readiness.check': ({ body, caller }) => {
      const check: TechCheck = {
        ...body,
        siteId: caller.actor.siteId,
        userId: caller.actor.sub,
        userName: caller.session.name,
        at: Date.now(),
      };
      repo.addCheck(check);
      changes.emit('changed');
      return { ok: true, check: checkView(check) };
    },
    'readiness.reminders': ({ caller }) => ({ ok: true, reminders: remindersOf(core, repo, caller.actor.siteId) }),
    'readiness.board': ({ params, caller }) => board(caller.actor, params.id),
    'readiness.events': async ({ params, query, caller, req, reply }) => {
      // Refused (403, 404) before the stream opens: the first board checks the caller's rights.
      const first = await board(caller.actor, params.id);
      streamJson(req, reply, first, () => board(caller.actor, params.id), {
        intervalMs: BOARD_STREAM_MS,
        forSeconds: query.for ?? 600,
        nudge: { emitter: changes, event: 'changed' },
        onError: (e) => req.log.warn({ err: e }, 'readiness stream ended'),
      });
      return reply as unknown as string;
    },
    'readiness.remind': ({ params, body, caller }) => {
      meetingOfOps(core, caller.actor, params.id);
      const invited = new Set(core.meetings.participatingSites(params.id).map((s) => s.id));
      const strangers = body.siteIds.filter((s) => !invited.has(s));
      if (strangers.length > 0) throw new AppError('BAD_REQUEST', `Not invited to this meeting: ${strangers.slice(0, 5).join(', ')}`, 400);
      const at = Date.now();
      const siteIds = [...new Set(body.siteIds)];
      repo.addReminders(
        siteIds.map((siteId) => ({ meetingId: params.id, siteId, at, byUserId: caller.actor.sub, byName: caller.session.name })),
      );
      changes.emit('changed');
      return { ok: true, reminded: siteIds.length };
    },
    'readiness.csv': async ({ params, caller, reply }) => {
      const b = await board(caller.actor, params.id);
      reply.header('content-disposition', `attachment; filename="san-sang-${params.id}.csv"`);
      return readinessCsv(b);
    },
  };
}

/** UTF-8 with a BOM so spreadsheet programs show the Vietnamese names. */
function readinessCsv(b: ReadinessBoard): string {
  const head = [
    'Mã',
    'Điểm cầu',
    'Trạng thái',
    'Lý do',
    'Kiểm tra lúc',
    'Người kiểm tra',
    'Camera',
    'Micro',
    'Loa',
    'Đường media',
    'RTT ms',
    'Mất gói %',
    'Mạng (nms)',
    'Đứt do tuyến',
    'Đang kết nối',
    'Codec phòng họp',
  ];
  const yes = (v: boolean | undefined) => (v === undefined ? '' : v ? 'có' : 'không');
  const rows = b.sites.map((s) => [
    s.siteCode,
    s.siteName,
    s.readiness,
    s.reasons.join(' '),
    s.check ? formatVnTime(Date.parse(s.check.at)) : '',
    s.check?.userName ?? '',
    yes(s.check?.camera),
    yes(s.check?.microphone),
    yes(s.check?.speaker),
    s.check?.mediaPath ?? '',
    s.check?.rttMs == null ? '' : String(Math.round(s.check.rttMs)),
    s.check?.lossFraction == null ? '' : (s.check.lossFraction * 100).toFixed(1),
    s.network?.state ?? '',
    s.network?.cause?.linkName ?? '',
    yes(s.connected),
    s.roomSystems.map((r) => `${r.name}: ${r.inCall ? 'in call' : r.reachability}`).join('; '),
  ]);
  return `\uFEFF${[head, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}
