// sites.* routes: the site tree, its history, export/import, and the directory nms follows.
import type { Core } from '../../core';
import type { SfuHandlers } from './context';

export function siteHandlers(core: Core): SfuHandlers<'sites'> {
  return {
    // Every signed-in user sees the whole tree: meeting rooms label sites under their parents.
    'sites.list': () => ({ ok: true, sites: core.sites.list() }),

    // Public (nms follows it): codes, names and each site's media server (name and https URL).
    'sites.directory': () => {
      const sites = core.sites.list();
      const codeOf = new Map(sites.map((s) => [s.id, s.code]));
      const serving = core.servers.serving();
      const serverOf = (siteId: string) => {
        const server = serving.get(siteId);
        return server ? { id: server.id, name: server.name, url: server.url } : null;
      };
      return {
        ok: true,
        sites: sites.map((s) => ({
          code: s.code,
          name: s.name,
          parentCode: s.parentId ? (codeOf.get(s.parentId) ?? null) : null,
          level: s.level,
          server: serverOf(s.id),
        })),
      };
    },

    'sites.export': ({ query, reply }) => {
      const stamp = core.clock.now().toISOString().slice(0, 10);
      if (query.format === 'csv') {
        reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="lienthong-sites-${stamp}.csv"`);
        return core.siteTransfer.exportCsv();
      }
      reply.header('content-disposition', `attachment; filename="lienthong-sites-${stamp}.json"`);
      return core.siteTransfer.exportJson();
    },

    'sites.import': ({ body, caller }) =>
      typeof body === 'string' ? core.siteTransfer.importCsv(caller.actor, body) : core.siteTransfer.importJson(caller.actor, body),

    'sites.get': ({ params }) => ({ ok: true, site: core.sites.get(params.id) }),
    'sites.history': ({ params }) => ({ ok: true, site: core.sites.get(params.id), moves: core.sites.history(params.id) }),
    'sites.create': ({ body, caller }) => ({ ok: true, site: core.sites.create(caller.actor, body) }),
    'sites.update': ({ params, body, caller }) => ({ ok: true, site: core.sites.update(caller.actor, params.id, body) }),
    'sites.move': ({ params, body, caller }) => ({ ok: true, site: core.sites.move(caller.actor, params.id, body.parentId) }),
    'sites.remove': ({ params, caller }) => {
      core.sites.remove(caller.actor, params.id);
      return { ok: true };
    },
  };
}
