// Site tree REST bodies. Levels are derived from depth (0 = province), so a two-tier
// province is just a shallower tree.
import Type, { type Static } from 'typebox';

export const SITE_CODE_REGEX = '^[A-Z0-9]+(-[A-Z0-9]+)*$';

export const SiteKind = Type.Union([
  Type.Literal('tinh'),
  Type.Literal('huyen'),
  Type.Literal('thi_xa'),
  Type.Literal('thanh_pho'),
  Type.Literal('xa'),
  Type.Literal('phuong'),
  Type.Literal('thi_tran'),
  Type.Literal('khac'),
]);
export type SiteKind = Static<typeof SiteKind>;

export const SiteCode = Type.String({ pattern: SITE_CODE_REGEX, minLength: 1, maxLength: 64 });
export const SiteName = Type.String({ minLength: 1, maxLength: 200 });
export const Id = Type.String({ minLength: 1, maxLength: 64 });

export const Site = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  kind: SiteKind,
  parentId: Type.Union([Type.String(), Type.Null()]),
  /** 0 for the root, 1 for its children... */
  level: Type.Integer({ minimum: 0 }),
  demo: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Site = Static<typeof Site>;

export const SiteList = Type.Object({ ok: Type.Literal(true), sites: Type.Array(Site) });
export type SiteList = Static<typeof SiteList>;
export { SITE_DIRECTORY_PATH, SiteDirectoryReply } from '@lienthong/kit/contracts';
export const SiteReply = Type.Object({ ok: Type.Literal(true), site: Site });
export type SiteReply = Static<typeof SiteReply>;

export const SiteParams = Type.Object({ id: Id });

export const CreateSiteBody = Type.Object(
  { code: SiteCode, name: SiteName, kind: SiteKind, parentId: Type.Union([Id, Type.Null()]) },
  { additionalProperties: false },
);
export type CreateSiteBody = Static<typeof CreateSiteBody>;

/** Rename (or re-kind). Moving has its own route because it is checked differently. */
export const UpdateSiteBody = Type.Object(
  { name: Type.Optional(SiteName), kind: Type.Optional(SiteKind) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateSiteBody = Static<typeof UpdateSiteBody>;

export const MoveSiteBody = Type.Object({ parentId: Id }, { additionalProperties: false });
export type MoveSiteBody = Static<typeof MoveSiteBody>;

export const SiteMove = Type.Object({
  fromParentId: Type.Union([Type.String(), Type.Null()]),
  toParentId: Type.Union([Type.String(), Type.Null()]),
  movedAt: Type.String(),
  movedBy: Type.Union([Type.String(), Type.Null()]),
});
export type SiteMove = Static<typeof SiteMove>;
export const SiteHistoryReply = Type.Object({ ok: Type.Literal(true), site: Site, moves: Type.Array(SiteMove) });
export type SiteHistoryReply = Static<typeof SiteHistoryReply>;

/** One site in an import/export file: parents by code so a file is portable between installations. */
export const SiteRow = Type.Object(
  {
    code: SiteCode,
    name: SiteName,
    kind: SiteKind,
    parentCode: Type.Union([SiteCode, Type.Null()]),
  },
  { additionalProperties: false },
);
export type SiteRow = Static<typeof SiteRow>;

export const SITE_CSV_COLUMNS = ['code', 'name', 'kind', 'parentCode'] as const;

export const SiteTreeFile = Type.Object(
  { format: Type.Literal('lienthong-sites'), version: Type.Literal(1), sites: Type.Array(Type.Unknown(), { maxItems: 20_000 }) },
  { additionalProperties: false },
);
export type SiteTreeFile = Static<typeof SiteTreeFile>;

/** GET /api/sites/export: the whole tree as a lienthong-sites file (JSON, the default) or CSV. */
export const SiteExportQuery = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) },
  { additionalProperties: false },
);
export const SiteExportFile = Type.Object({
  format: Type.Literal('lienthong-sites'),
  version: Type.Literal(1),
  sites: Type.Array(SiteRow),
});

/** Import replies: sites are matched by code; existing ones are renamed/moved, new ones created, none deleted. */
export const ImportReply = Type.Object({
  ok: Type.Literal(true),
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
});
export type ImportReply = Static<typeof ImportReply>;
