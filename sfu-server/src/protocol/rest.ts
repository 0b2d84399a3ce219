// Every REST route of sfu-server: method, path, input and reply schemas, and who may call it.
// http/routes/* implement it (one module per group, the part of the name before the dot) and
// web/src/lib/api/client.ts calls it. Finer rights (which site, which meeting) are the domain's.
// The ops routes (/healthz, /metrics) and the /api/nms proxy are not part of it.
import type { RouteTable } from '@lienthong/kit/rest';
import Type from 'typebox';
import { LoginBody, LoginReply, MeReply, PasswordChangedReply, REVOCATIONS_PATH, RevocationsQuery, RevocationsReply } from './auth';
import { AuditReply } from './chair';
import { OkReply } from './errors';
import { LoadTestStatusReply, LoadTestUsageReply } from './loadtest';
import {
  CancelMeetingBody,
  CreateMeetingBody,
  JoinCheckReply,
  MeetingList,
  MeetingListQuery,
  MeetingParams,
  MeetingReply,
  UpcomingQuery,
  UpdateMeetingBody,
} from './meetings';
import { QualityReport } from './quality';
import { BoardStreamQuery, ReadinessBoard, ReminderList, RemindInput, RemindReply, TechCheckInput, TechCheckReply } from './readiness';
import { RecordingFileQuery, RecordingList, RecordingParams } from './recordings';
import {
  CreateRoomSystemBody,
  DialIn,
  RoomSystemList,
  RoomSystemListQuery,
  RoomSystemParams,
  RoomSystemReply,
  RoomSystemWatchList,
  RoomSystemWatchQuery,
} from './room-systems';
import { CreateRoomBody, RoomList, RoomListQuery, RoomParams, RoomReply, UpdateRoomBody } from './rooms';
import { CreateServerBody, ServerHealthReply, ServerList, ServerParams, ServerReply, UpdateServerBody } from './servers';
import { PUBLIC_KEY_PATH } from './session';
import {
  CreateSiteBody,
  ImportReply,
  MoveSiteBody,
  SITE_DIRECTORY_PATH,
  SiteDirectoryReply,
  SiteExportFile,
  SiteExportQuery,
  SiteHistoryReply,
  SiteList,
  SiteParams,
  SiteReply,
  SiteTreeFile,
  UpdateSiteBody,
} from './sites';
import {
  ChangeOwnPasswordBody,
  CreateUserBody,
  ResetPasswordBody,
  UpdateUserBody,
  UserList,
  UserListQuery,
  UserParams,
  UserReply,
} from './users';

const Text = Type.String();

const authRoutes = {
  /** Public: the token comes back in the body (for socket.io) and as an HttpOnly cookie. */
  'auth.login': { method: 'POST', path: '/api/auth/login', access: 'public', body: LoginBody, reply: LoginReply },
  /** Public and idempotent: a stale or missing token still clears the cookie. */
  'auth.logout': { method: 'POST', path: '/api/auth/logout', access: 'public', reply: OkReply },
  /** Public: sessions ended early, for verifiers holding only the public key (nms). */
  'auth.revocations': {
    method: 'GET',
    path: REVOCATIONS_PATH,
    access: 'public',
    polled: true,
    query: RevocationsQuery,
    reply: RevocationsReply,
  },
  'auth.me': { method: 'GET', path: '/api/auth/me', access: 'user', reply: MeReply },
  'auth.password': {
    method: 'POST',
    path: '/api/auth/password',
    access: 'user',
    body: ChangeOwnPasswordBody,
    reply: PasswordChangedReply,
  },
  /** Public: the key session tokens are checked with, so nms needs no shared secret. */
  'auth.publicKey': { method: 'GET', path: PUBLIC_KEY_PATH, access: 'public', reply: Text, replyType: 'application/x-pem-file' },
} as const satisfies RouteTable;

const siteRoutes = {
  'sites.list': { method: 'GET', path: '/api/sites', access: 'user', reply: SiteList },
  /** Public, like the revocations: nms follows the tree; only codes and names of administrative units. */
  'sites.directory': { method: 'GET', path: SITE_DIRECTORY_PATH, access: 'public', polled: true, reply: SiteDirectoryReply },
  /** A download: JSON by default, CSV with format=csv. */
  'sites.export': {
    method: 'GET',
    path: '/api/sites/export',
    access: 'user',
    query: SiteExportQuery,
    reply: Type.Union([SiteExportFile, Text]),
  },
  /** A lienthong-sites file (JSON) or CSV text; every row is checked before anything is written. */
  'sites.import': {
    method: 'POST',
    path: '/api/sites/import',
    access: 'user',
    body: SiteTreeFile,
    // Not text/plain: a page of another site can POST that without a preflight.
    textBody: ['text/csv'],
    reply: ImportReply,
  },
  'sites.get': { method: 'GET', path: '/api/sites/:id', access: 'user', params: SiteParams, reply: SiteReply },
  'sites.history': { method: 'GET', path: '/api/sites/:id/history', access: 'user', params: SiteParams, reply: SiteHistoryReply },
  'sites.create': { method: 'POST', path: '/api/sites', access: 'user', status: 201, body: CreateSiteBody, reply: SiteReply },
  'sites.update': { method: 'PATCH', path: '/api/sites/:id', access: 'user', params: SiteParams, body: UpdateSiteBody, reply: SiteReply },
  'sites.move': { method: 'POST', path: '/api/sites/:id/move', access: 'user', params: SiteParams, body: MoveSiteBody, reply: SiteReply },
  'sites.remove': { method: 'DELETE', path: '/api/sites/:id', access: 'user', params: SiteParams, reply: OkReply },
} as const satisfies RouteTable;

const userRoutes = {
  'users.list': { method: 'GET', path: '/api/users', access: 'user', query: UserListQuery, reply: UserList },
  'users.get': { method: 'GET', path: '/api/users/:id', access: 'user', params: UserParams, reply: UserReply },
  'users.create': { method: 'POST', path: '/api/users', access: 'user', status: 201, body: CreateUserBody, reply: UserReply },
  'users.update': { method: 'PATCH', path: '/api/users/:id', access: 'user', params: UserParams, body: UpdateUserBody, reply: UserReply },
  'users.remove': { method: 'DELETE', path: '/api/users/:id', access: 'user', params: UserParams, reply: OkReply },
  'users.resetPassword': {
    method: 'POST',
    path: '/api/users/:id/password',
    access: 'user',
    params: UserParams,
    body: ResetPasswordBody,
    reply: OkReply,
  },
  'users.unlock': { method: 'POST', path: '/api/users/:id/unlock', access: 'user', params: UserParams, reply: UserReply },
} as const satisfies RouteTable;

const roomRoutes = {
  'rooms.list': { method: 'GET', path: '/api/rooms', access: 'user', query: RoomListQuery, reply: RoomList },
  'rooms.get': { method: 'GET', path: '/api/rooms/:id', access: 'user', params: RoomParams, reply: RoomReply },
  'rooms.create': { method: 'POST', path: '/api/rooms', access: 'user', status: 201, body: CreateRoomBody, reply: RoomReply },
  'rooms.update': { method: 'PATCH', path: '/api/rooms/:id', access: 'user', params: RoomParams, body: UpdateRoomBody, reply: RoomReply },
  'rooms.remove': { method: 'DELETE', path: '/api/rooms/:id', access: 'user', params: RoomParams, reply: OkReply },
} as const satisfies RouteTable;

const meetingRoutes = {
  'meetings.list': { method: 'GET', path: '/api/meetings', access: 'user', query: MeetingListQuery, reply: MeetingList },
  'meetings.upcoming': { method: 'GET', path: '/api/meetings/upcoming', access: 'user', query: UpcomingQuery, reply: MeetingList },
  'meetings.get': { method: 'GET', path: '/api/meetings/:id', access: 'user', params: MeetingParams, reply: MeetingReply },
  /** The sites taking part, subtrees expanded now. */
  'meetings.sites': { method: 'GET', path: '/api/meetings/:id/sites', access: 'user', params: MeetingParams, reply: SiteList },
  /** Would a join succeed now? Same rules as signalling, so the lobby can explain a refusal. */
  'meetings.joinCheck': {
    method: 'GET',
    path: '/api/meetings/:id/join-check',
    access: 'user',
    params: MeetingParams,
    reply: JoinCheckReply,
  },
  'meetings.create': { method: 'POST', path: '/api/meetings', access: 'user', status: 201, body: CreateMeetingBody, reply: MeetingReply },
  'meetings.update': {
    method: 'PATCH',
    path: '/api/meetings/:id',
    access: 'user',
    params: MeetingParams,
    body: UpdateMeetingBody,
    reply: MeetingReply,
  },
  'meetings.cancel': {
    method: 'POST',
    path: '/api/meetings/:id/cancel',
    access: 'user',
    params: MeetingParams,
    body: CancelMeetingBody,
    reply: MeetingReply,
  },
  'meetings.openEarly': {
    method: 'POST',
    path: '/api/meetings/:id/open-early',
    access: 'user',
    params: MeetingParams,
    reply: MeetingReply,
  },
} as const satisfies RouteTable;

/** Roll-call exports and the chair's audit log: for the chair, host and chair sites, admins and the host's operators. */
const attendanceRoutes = {
  'attendance.csv': {
    method: 'GET',
    path: '/api/meetings/:id/attendance.csv',
    access: 'user',
    params: MeetingParams,
    reply: Text,
    replyType: 'text/csv; charset=utf-8',
  },
  'attendance.audit': { method: 'GET', path: '/api/meetings/:id/audit', access: 'user', params: MeetingParams, reply: AuditReply },
  /** Each site's measured link quality and drop-outs over the meeting. */
  'attendance.quality': { method: 'GET', path: '/api/meetings/:id/quality', access: 'user', params: MeetingParams, reply: QualityReport },
  /** A printable page. */
  'attendance.minutes': {
    method: 'GET',
    path: '/api/meetings/:id/minutes',
    access: 'user',
    params: MeetingParams,
    reply: Text,
    replyType: 'text/html; charset=utf-8',
  },
} as const satisfies RouteTable;

/** Readiness before a meeting: the board and reminders for the chair and operators (same rights as attendance). */
const readinessRoutes = {
  /** The caller's own site's technical check (from the technical-check page). */
  'readiness.check': {
    method: 'POST',
    path: '/api/readiness/checks',
    access: 'user',
    status: 201,
    body: TechCheckInput,
    reply: TechCheckReply,
  },
  /** Reminders to check, sent to the caller's site for meetings not over yet. */
  'readiness.reminders': { method: 'GET', path: '/api/readiness/reminders', access: 'user', reply: ReminderList },
  'readiness.board': { method: 'GET', path: '/api/meetings/:id/readiness', access: 'user', params: MeetingParams, reply: ReadinessBoard },
  /** The board pushed (server-sent events, one ReadinessBoard per event) whenever it changes; closed after `for` s (the browser reconnects). */
  'readiness.events': {
    method: 'GET',
    path: '/api/meetings/:id/readiness/events',
    access: 'user',
    params: MeetingParams,
    query: BoardStreamQuery,
    reply: Text,
    replyType: 'text/event-stream',
  },
  'readiness.remind': {
    method: 'POST',
    path: '/api/meetings/:id/readiness/remind',
    access: 'user',
    params: MeetingParams,
    body: RemindInput,
    reply: RemindReply,
  },
  'readiness.csv': {
    method: 'GET',
    path: '/api/meetings/:id/readiness.csv',
    access: 'user',
    params: MeetingParams,
    reply: Text,
    replyType: 'text/csv; charset=utf-8',
  },
} as const satisfies RouteTable;

/** Meeting recordings: the list and the files for the same people as the attendance; deletion for admins. */
const recordingRoutes = {
  'recordings.list': { method: 'GET', path: '/api/meetings/:id/recordings', access: 'user', params: MeetingParams, reply: RecordingList },
  /** The MP4 (HTTP ranges for the page's player); `download=true` as an attachment. */
  'recordings.file': {
    method: 'GET',
    path: '/api/recordings/:id/file',
    access: 'user',
    params: RecordingParams,
    query: RecordingFileQuery,
    reply: Text,
    replyType: 'video/mp4',
  },
  'recordings.delete': {
    method: 'DELETE',
    path: '/api/recordings/:id',
    access: { roles: ['admin'] },
    params: RecordingParams,
    reply: OkReply,
  },
} as const satisfies RouteTable;

/** Room systems (SIP codecs) at a site: its managers register them; a meeting's dial-in number for those who see it. */
const roomSystemRoutes = {
  'roomSystems.list': { method: 'GET', path: '/api/room-systems', access: 'user', query: RoomSystemListQuery, reply: RoomSystemList },
  'roomSystems.create': {
    method: 'POST',
    path: '/api/room-systems',
    access: 'user',
    status: 201,
    body: CreateRoomSystemBody,
    reply: RoomSystemReply,
  },
  'roomSystems.remove': { method: 'DELETE', path: '/api/room-systems/:id', access: 'user', params: RoomSystemParams, reply: OkReply },
  /** A site's codecs with reachability and call numbers (nms site view); those who see the site. */
  'roomSystems.watch': {
    method: 'GET',
    path: '/api/room-systems/watch',
    access: 'user',
    query: RoomSystemWatchQuery,
    reply: RoomSystemWatchList,
  },
  'roomSystems.dialIn': { method: 'GET', path: '/api/meetings/:id/dial-in', access: 'user', params: MeetingParams, reply: DialIn },
} as const satisfies RouteTable;

/** Media servers of a cascade (issue 15): everyone signed in sees which server serves which site; admins change them. */
const serverRoutes = {
  'servers.list': { method: 'GET', path: '/api/servers', access: 'user', reply: ServerList },
  'servers.create': {
    method: 'POST',
    path: '/api/servers',
    access: { roles: ['admin'] },
    status: 201,
    body: CreateServerBody,
    reply: ServerReply,
  },
  'servers.update': {
    method: 'PATCH',
    path: '/api/servers/:id',
    access: { roles: ['admin'] },
    params: ServerParams,
    body: UpdateServerBody,
    reply: ServerReply,
  },
  'servers.remove': { method: 'DELETE', path: '/api/servers/:id', access: { roles: ['admin'] }, params: ServerParams, reply: OkReply },
  /** This server's cascade links (pings to its neighbours): for those who read the network monitor. */
  'servers.health': {
    method: 'GET',
    path: '/api/servers/health',
    access: { roles: ['admin', 'network_engineer'] },
    reply: ServerHealthReply,
  },
} as const satisfies RouteTable;

/** `npm run loadtest`: admins only; the usage answers only on a server with loadTest.enabled (LOAD_TEST_DISABLED). */
const loadtestRoutes = {
  'loadtest.status': { method: 'GET', path: '/api/loadtest', access: { roles: ['admin'] }, reply: LoadTestStatusReply },
  'loadtest.usage': { method: 'GET', path: '/api/loadtest/usage', access: { roles: ['admin'] }, reply: LoadTestUsageReply },
} as const satisfies RouteTable;

export const SfuRoutes = {
  ...authRoutes,
  ...siteRoutes,
  ...userRoutes,
  ...roomRoutes,
  ...meetingRoutes,
  ...attendanceRoutes,
  ...readinessRoutes,
  ...recordingRoutes,
  ...roomSystemRoutes,
  ...serverRoutes,
  ...loadtestRoutes,
} as const satisfies RouteTable;
export type SfuRoutes = typeof SfuRoutes;
export type SfuRouteName = keyof SfuRoutes;
