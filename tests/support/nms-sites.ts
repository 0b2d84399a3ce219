// nms no longer knows the demo tree (sfu-server owns it): tests that run nms without
// sfu-server hand it sfu-server's seeded tree.
import { thaiNguyenSeed } from '@lienthong/sfu-server/seed';
import type { SiteInfo } from '../../nms/src/domain/monitor';

export const seededSites = (): SiteInfo[] => thaiNguyenSeed().map((s) => ({ code: s.code, name: s.name, parentCode: s.parentCode }));
