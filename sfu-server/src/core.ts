// The accounts, site tree and scheduling core of sfu-server, wired over one SQLite
// store: what main.ts, signalling and the tests build on.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@lienthong/kit';
import { loadOrCreateSigningKey } from './auth/signing-key';
import { createTokenService, type TokenService } from './auth/tokens';
import type { SfuConfig } from './config/schema';
import { AccountService } from './domain/accounts/service';
import type { UserRecord } from './domain/accounts/store';
import { MediaServerService } from './domain/cascade/service';
import { RoomService } from './domain/meetings/rooms';
import { MeetingService } from './domain/meetings/service';
import { RoomSystemService } from './domain/room-systems/service';
import { type Clock, systemClock } from './domain/shared';
import { PROVINCE_CODE, thaiNguyenSeed } from './domain/sites/seed-thai-nguyen';
import { SiteService } from './domain/sites/service';
import { SiteTransfer } from './domain/sites/transfer';
import type { Role } from './protocol/session';
import { MediaServerRepository } from './store/media-server-repository';
import { RoomSystemRepository } from './store/room-system-repository';
import { SqliteStore } from './store/sqlite-store';

export const DB_FILE = 'lienthong.sqlite';
/** Password of every demo account except `admin` (see DEMO-ACCOUNTS.md). Demo data only. */
export const DEMO_PASSWORD = 'lienthong123';

export interface CoreOptions {
  /** Holds the SQLite file and the session signing key. */
  dataDir: string;
  auth: SfuConfig['auth'];
  demoSeed: boolean;
  logger: Logger;
  clock?: Clock;
  /** Tests lower the scrypt cost; production keeps the default. */
  scrypt?: { N: number; r: number; p: number };
  /** This server's own https URL (config/public-url.ts): the demo's province server, and every site's server while none is configured. */
  publicUrl?: string;
  /** `npm run start:cascade`: a district server the demo's province knows (demo.districtServer). */
  demoDistrictServer?: SfuConfig['demo']['districtServer'];
}

/** When the caller names no URL: the default HTTPS port on this machine. */
export const DEFAULT_PUBLIC_URL = 'https://localhost:8443';

export interface Core {
  store: SqliteStore;
  sites: SiteService;
  siteTransfer: SiteTransfer;
  accounts: AccountService;
  rooms: RoomService;
  meetings: MeetingService;
  roomSystems: RoomSystemService;
  /** The media servers of a cascade and the sites each serves. */
  servers: MediaServerService;
  tokens: TokenService;
  clock: Clock;
  sessionTtlSeconds: number;
  close(): void;
}

export async function createCore(opts: CoreOptions): Promise<Core> {
  mkdirSync(opts.dataDir, { recursive: true });
  const clock = opts.clock ?? systemClock;
  const store = SqliteStore.open(join(opts.dataDir, DB_FILE));
  try {
    const sites = new SiteService(store, clock);
    const accounts = new AccountService(store, sites, clock, {
      maxFailedLogins: opts.auth.maxFailedLogins,
      lockoutSeconds: opts.auth.lockoutSeconds,
      initialPassword: opts.auth.initialAdminPassword,
      ...(opts.scrypt ? { scrypt: opts.scrypt } : {}),
    });
    const rooms = new RoomService(store, sites, clock);
    const meetings = new MeetingService(store, sites, accounts, clock);
    const key = loadOrCreateSigningKey(opts.dataDir);
    if (key.created) opts.logger.info({ publicKey: key.publicKeyPem }, 'generated a new session signing key');
    const tokens = createTokenService(key, accounts, opts.auth.sessionTtlSeconds);
    const core: Core = {
      store,
      sites,
      siteTransfer: new SiteTransfer(sites, store, clock),
      accounts,
      rooms,
      meetings,
      roomSystems: new RoomSystemService(new RoomSystemRepository(store.db), sites, meetings, clock),
      servers: new MediaServerService(new MediaServerRepository(store.db), sites, clock, opts.publicUrl ?? DEFAULT_PUBLIC_URL),
      tokens,
      clock,
      sessionTtlSeconds: opts.auth.sessionTtlSeconds,
      close: () => store.close(),
    };
    const purged = accounts.purgeExpiredSessions();
    if (purged > 0) opts.logger.info({ purged }, 'forgot expired sessions');
    if (sites.list().length === 0) {
      if (opts.demoSeed) await seedDemo(core, opts.auth.initialAdminPassword);
      else await seedMinimal(core, opts.auth.initialAdminPassword);
      opts.logger.info({ demo: opts.demoSeed, sites: sites.list().length, users: accounts.count() }, 'seeded an empty store');
    } else {
      if (opts.demoSeed && refreshDemoMeeting(core)) opts.logger.info('the demo meeting had ended: scheduled a new one happening now');
      // Stores seeded before one-time passwords: an admin still on the initial password must change it.
      const flagged = await accounts.flagInitialPasswords(opts.auth.initialAdminPassword);
      if (flagged > 0) opts.logger.warn({ flagged }, 'administrators still use the initial password: they must change it at login');
    }
    if (opts.demoSeed && opts.demoDistrictServer) seedDemoDistrict(core, opts.demoDistrictServer, opts.logger);
    return core;
  } catch (e) {
    store.close();
    throw e;
  }
}

function seedDemoDistrict(core: Core, d: NonNullable<CoreOptions['demoDistrictServer']>, logger: Logger): void {
  const site = core.sites.getByCode(d.siteCode);
  if (!site) throw new Error(`demo.districtServer: no site with code ${d.siteCode}`);
  const made = core.servers.seedDistrict({ id: d.id, name: d.name, url: d.url, siteId: site.id });
  if (made) logger.info({ server: made.id, site: d.siteCode, url: made.url }, 'added the demo district server');
}

/** First start without demo data: the province site and the administrator, nothing else. */
async function seedMinimal(core: Core, adminPassword: string): Promise<void> {
  const root = thaiNguyenSeed()[0]!;
  const admin = await core.accounts.prepareSeedUser({
    username: 'admin',
    displayName: 'Quản trị hệ thống',
    siteId: '',
    roles: ['admin'],
    password: adminPassword,
    mustChangePassword: true,
  });
  core.store.transaction(() => {
    core.sites.seed([{ ...root, demo: true }]);
    core.accounts.insertSeedUser({ ...admin, siteId: core.sites.getByCode(PROVINCE_CODE)!.id });
  });
}

interface SeedUser {
  username: string;
  displayName: string;
  siteCode: string;
  roles: Role[];
  password: string;
  mustChangePassword?: boolean;
}

/** Demo communes that get a `xa.<code>` account. */
const DEMO_COMMUNES = ['TN-DT-CUVAN', 'TN-DT-HUNGSON', 'TN-DT-LABANG', 'TN-VN-THUONGNUNG'];

export function demoUsers(adminPassword: string): SeedUser[] {
  const seed = thaiNguyenSeed();
  const nameOf = (code: string) => seed.find((s) => s.code === code)?.name ?? code;
  const users: SeedUser[] = [
    // The initial password is public (config, README): one-time, changed at the first login.
    {
      username: 'admin',
      displayName: 'Quản trị hệ thống',
      siteCode: PROVINCE_CODE,
      roles: ['admin'],
      password: adminPassword,
      mustChangePassword: true,
    },
    {
      username: 'chutri.tinh',
      displayName: 'Chủ trì Tỉnh Thái Nguyên',
      siteCode: PROVINCE_CODE,
      roles: ['chair', 'participant'],
      password: DEMO_PASSWORD,
    },
    {
      username: 'kythuat.tinh',
      displayName: 'Kỹ thuật viên Tỉnh Thái Nguyên',
      siteCode: PROVINCE_CODE,
      roles: ['operator'],
      password: DEMO_PASSWORD,
    },
    {
      username: 'mang.tinh',
      displayName: 'Kỹ sư mạng Tỉnh Thái Nguyên',
      siteCode: PROVINCE_CODE,
      roles: ['network_engineer'],
      password: DEMO_PASSWORD,
    },
  ];
  for (const d of seed.filter((s) => s.parentCode === PROVINCE_CODE)) {
    const short = d.code.slice(PROVINCE_CODE.length + 1).toLowerCase();
    users.push({
      username: `daibieu.${short}`,
      displayName: `Đại biểu ${d.name}`,
      siteCode: d.code,
      roles: ['participant'],
      password: DEMO_PASSWORD,
    });
  }
  for (const code of DEMO_COMMUNES) {
    const short = code.split('-').at(-1)!.toLowerCase();
    users.push({
      username: `xa.${short}`,
      displayName: `Đại biểu ${nameOf(code)}`,
      siteCode: code,
      roles: ['participant'],
      password: DEMO_PASSWORD,
    });
  }
  return users;
}

async function seedDemo(core: Core, adminPassword: string): Promise<void> {
  const tree = thaiNguyenSeed();
  const specs = demoUsers(adminPassword);
  // Hash first (in parallel, off the main thread), then write everything in one transaction.
  const prepared = await Promise.all(specs.map((u) => core.accounts.prepareSeedUser({ ...u, siteId: '' })));
  core.store.transaction(() => {
    core.sites.seed(tree);
    const siteId = (code: string) => core.sites.getByCode(code)?.id ?? '';
    const roomOf = new Map<string, string>();
    for (const s of core.sites.list()) roomOf.set(s.code, core.rooms.createSeedRoom(s.id, `Phòng họp trực tuyến ${s.name}`).id);
    const users = new Map<string, UserRecord>();
    specs.forEach((spec, i) => {
      const rec = { ...prepared[i]!, siteId: siteId(spec.siteCode) };
      core.accounts.insertSeedUser(rec);
      users.set(spec.username, rec);
    });
    const chair = users.get('chutri.tinh')!;
    const admin = users.get('admin')!;
    const now = core.clock.now().getTime();
    const districts = tree.filter((s) => s.parentCode === PROVINCE_CODE);
    const base = {
      description: 'Cuộc họp mẫu (dữ liệu demo).',
      hostSiteId: siteId(PROVINCE_CODE),
      roomId: roomOf.get(PROVINCE_CODE) ?? null,
      chairUserId: chair.id,
      chairSiteId: chair.siteId,
      status: 'scheduled' as const,
      openedEarlyAt: null,
      cancelledAt: null,
      cancelReason: null,
      createdBy: admin.id,
    };
    // Happening now: all districts, and Đại Từ with all its communes.
    core.meetings.createSeedMeeting({
      ...base,
      title: DEMO_TITLE,
      startsAt: new Date(now - 5 * 60_000).toISOString(),
      endsAt: new Date(now + 12 * 3600_000).toISOString(),
      invites: districts.map((d) => ({ siteId: siteId(d.code), scope: d.code === 'TN-DT' ? ('subtree' as const) : ('site' as const) })),
    });
    // Tomorrow, in a later slot of the same room: shows up in "upcoming".
    core.meetings.createSeedMeeting({
      ...base,
      title: 'Họp chuẩn bị kế hoạch quý (demo)',
      startsAt: new Date(now + 24 * 3600_000).toISOString(),
      endsAt: new Date(now + 26 * 3600_000).toISOString(),
      invites: [
        { siteId: siteId('TN-SC'), scope: 'site' },
        { siteId: siteId('TN-PY'), scope: 'subtree' },
      ],
    });
    // One server, the province's, serving the whole tree: a cascade starts from here.
    core.servers.seedProvince(siteId(PROVINCE_CODE), `Máy chủ ${core.sites.getByCode(PROVINCE_CODE)!.name}`);
  });
}

const DEMO_TITLE = 'Hội nghị giao ban trực tuyến toàn tỉnh (demo)';

/**
 * A newcomer running `npm start` on a later day should still find a meeting to join:
 * when the demo meeting is over, schedule it again from now (without a room, so it
 * never clashes with anything booked since).
 */
export function refreshDemoMeeting(core: Core): boolean {
  const now = core.clock.now().getTime();
  const demos = core.store
    .listMeetingsEndingAfter(new Date(0).toISOString())
    .filter((m) => m.title === DEMO_TITLE && m.status === 'scheduled');
  const latest = demos.sort((a, b) => Date.parse(b.startsAt) - Date.parse(a.startsAt))[0];
  if (!latest || Date.parse(latest.endsAt) > now) return false;
  core.meetings.createSeedMeeting({
    ...latest,
    roomId: null,
    startsAt: new Date(now - 5 * 60_000).toISOString(),
    endsAt: new Date(now + 12 * 3600_000).toISOString(),
    openedEarlyAt: null,
  });
  return true;
}
