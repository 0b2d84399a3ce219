import Type, { type Static } from 'typebox';
import { Nullable } from './schema';

/** A media server as the directory names it (issue 15): enough to show it and reach it. */
export const DirectoryServer = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100 }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  url: Type.String({ maxLength: 300 }),
});
export type DirectoryServer = Static<typeof DirectoryServer>;

/** The tree as other services (nms) follow it: stable codes and names, no ids. */
export const SiteDirectoryReply = Type.Object({
  ok: Type.Literal(true),
  sites: Type.Array(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      parentCode: Type.Union([Type.String(), Type.Null()]),
      level: Type.Integer(),
      /**
       * The media server serving the site (its nearest assigned ancestor-or-self's; this server
       * while none is configured); null when unknown. Optional: an older sfu-server leaves it out.
       */
      server: Type.Optional(Nullable(DirectoryServer)),
    }),
  ),
});
export type SiteDirectoryReply = Static<typeof SiteDirectoryReply>;
export const SITE_DIRECTORY_PATH = '/api/sites/directory';
