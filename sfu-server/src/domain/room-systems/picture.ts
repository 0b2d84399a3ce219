// The picture a room system is sent: the configured size if the H.264 level it offered can take it
// (ITU-T H.264 Table A-1: macroblocks per frame and per second), else the largest smaller one that
// fits. A codec that offered level 3.0 cannot decode 720p, whatever the server would like to send.

export interface PictureSpec {
  width: number;
  height: number;
  fps: number;
  kbps: number;
}

/** level_idc → [MaxFS, MaxMBPS] (macroblocks per frame, per second). */
const LEVELS: [number, number, number][] = [
  [10, 99, 1485],
  [11, 396, 3000],
  [12, 396, 6000],
  [13, 396, 11880],
  [20, 396, 11880],
  [21, 792, 19800],
  [22, 1620, 20250],
  [30, 1620, 40500],
  [31, 3600, 108000],
  [32, 5120, 216000],
  [40, 8192, 245760],
  [41, 8192, 245760],
  [42, 8704, 522240],
  [50, 22080, 589824],
  [51, 36864, 983040],
];

/** What most room systems show well and every Baseline level from 3.0 decodes. */
export const DEFAULT_PICTURE: PictureSpec = { width: 640, height: 360, fps: 25, kbps: 800 };

const FALLBACKS: PictureSpec[] = [
  { width: 640, height: 360, fps: 25, kbps: 800 },
  { width: 320, height: 180, fps: 25, kbps: 300 },
];

/** The level_idc of a profile-level-id (its last byte); 3.1 when unreadable (RFC 6184's default is 1.0, but no room system offers that). */
export function levelOf(profileLevelId: string): number {
  const n = Number.parseInt(profileLevelId.slice(4, 6), 16);
  return Number.isFinite(n) ? n : 31;
}

export function fitsLevel(p: Pick<PictureSpec, 'width' | 'height' | 'fps'>, level: number): boolean {
  const limits = [...LEVELS].reverse().find(([l]) => l <= level) ?? LEVELS[0]!;
  const mbs = Math.ceil(p.width / 16) * Math.ceil(p.height / 16);
  return mbs <= limits[1] && mbs * p.fps <= limits[2];
}

export function pictureFor(profileLevelId: string, wanted: PictureSpec): PictureSpec {
  const level = levelOf(profileLevelId);
  const fitting = [wanted, ...FALLBACKS.filter((f) => f.width * f.height < wanted.width * wanted.height)].find((p) => fitsLevel(p, level));
  return fitting ?? FALLBACKS[FALLBACKS.length - 1]!;
}

export interface H264Format {
  profileLevelId: string;
  packetizationMode: 0 | 1;
}

/** profile_idc 66 with constraint_set1: Constrained Baseline, which every room system decodes. */
function constrainedBaseline(profileLevelId: string): boolean {
  const idc = Number.parseInt(profileLevelId.slice(0, 2), 16);
  const flags = Number.parseInt(profileLevelId.slice(2, 4), 16);
  return idc === 0x42 && (flags & 0x40) !== 0;
}

/**
 * Whether a room's H.264 can be sent as it is to another room: Constrained Baseline (or the very
 * profile the receiver offered), a level the receiver takes, and a packetization it reads (mode 0
 * sends single NAL units, which a mode 1 receiver also reads; FU-A needs mode 1).
 */
export function canPassThrough(source: H264Format, room: H264Format): boolean {
  const src = source.profileLevelId.toLowerCase();
  const dst = room.profileLevelId.toLowerCase();
  if (!/^[0-9a-f]{6}$/.test(src) || !/^[0-9a-f]{6}$/.test(dst)) return false;
  const profileOk = constrainedBaseline(src) || src.slice(0, 4) === dst.slice(0, 4);
  const levelOk = levelOf(src) <= levelOf(dst);
  const modeOk = source.packetizationMode === 0 || room.packetizationMode === 1;
  return profileOk && levelOk && modeOk;
}
