import Type, { type Static } from 'typebox';

/** The tree as other services (nms) follow it: stable codes and names, no ids. */
export const SiteDirectoryReply = Type.Object({
  ok: Type.Literal(true),
  sites: Type.Array(
    Type.Object({ code: Type.String(), name: Type.String(), parentCode: Type.Union([Type.String(), Type.Null()]), level: Type.Integer() }),
  ),
});
export type SiteDirectoryReply = Static<typeof SiteDirectoryReply>;
export const SITE_DIRECTORY_PATH = '/api/sites/directory';
