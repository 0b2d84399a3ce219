import type { SiteKind } from '../../protocol/sites';
import type { Transactional } from '../shared';

export interface SiteRecord {
  id: string;
  code: string;
  name: string;
  kind: SiteKind;
  parentId: string | null;
  demo: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface SiteMoveRecord {
  siteId: string;
  fromParentId: string | null;
  toParentId: string | null;
  movedAt: string;
  movedBy: string | null;
}

export interface SiteUsage {
  children: number;
  users: number;
  rooms: number;
  meetings: number;
}

export interface SiteStore extends Transactional {
  listSites(): SiteRecord[];
  insertSite(site: SiteRecord): void;
  updateSite(site: SiteRecord): void;
  deleteSite(id: string): void;
  insertSiteMove(move: SiteMoveRecord): void;
  listSiteMoves(siteId: string): SiteMoveRecord[];
  siteUsage(id: string): SiteUsage;
}
