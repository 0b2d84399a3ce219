// The nms REST API (protocol/rest.ts): sites with health, devices, links, events, link series,
// and inventory editing (network_engineer/admin) including file import.
import { AppError, type Handlers, serveRoutes } from '@lienthong/kit';
import type { FastifyInstance } from 'fastify';
import type { Inventory } from '../../domain/inventory';
import type { Monitor } from '../../domain/monitor';
import { parseInventoryFile } from '../../inventory-file';
import { inventoryParser } from '../../protocol/parse';
import { EDITOR_ROLES, NmsRoutes } from '../../protocol/rest';
import type { NmsStore } from '../../store/db';
import { PrometheusUnavailable, type SeriesSource } from '../../timeseries/sources';
import { authenticate, type KeySource, type SessionUser } from '../auth';
import { type AlertDeps, alertHandlers, guardAlertWebhook } from './alerts';

export interface ApiDeps extends AlertDeps {
  inventory: Inventory;
  monitor: Monitor;
  store: NmsStore;
  keys: KeySource;
  series: SeriesSource;
  /** Ask the poller to poll a device now (after an edit). */
  pollNow?: (deviceId: string) => void;
}

function handlers(deps: ApiDeps): Handlers<NmsRoutes, SessionUser> {
  const { inventory, monitor } = deps;
  const deviceView = (d: Parameters<Monitor['deviceView']>[0]) => monitor.deviceView(d);
  const linkView = (l: Parameters<Monitor['linkView']>[0]) => monitor.linkView(l);
  const siteOf = (code: string) => {
    const site = monitor.siteHealth().find((s) => s.code === code);
    if (!site) throw new AppError('NOT_FOUND', `No site ${code}`, 404);
    return site;
  };
  return {
    'sites.list': () => ({ ok: true, sites: monitor.siteHealth() }),
    'sites.path': ({ params, caller }) => {
      // Checked before looking: another site's code gets the same answer whether it exists or not.
      if (params.id !== caller.siteCode && !caller.roles.some((r) => (EDITOR_ROLES as readonly string[]).includes(r)))
        throw new AppError('FORBIDDEN', "Only your own site's network path", 403);
      const site = siteOf(params.id);
      const byId = new Map(inventory.links().map((l) => [l.id, l]));
      const hops = site.path.flatMap((id) => {
        const l = byId.get(id);
        return l ? [{ id: l.id, name: l.name, health: linkView(l).health }] : [];
      });
      return { ok: true, site, hops };
    },
    ...serviceHandlers(monitor),
    'sites.get': ({ params }) => {
      const site = siteOf(params.id);
      const devices = inventory
        .devices()
        .filter((d) => d.siteCode === site.code)
        .map(deviceView);
      const links = inventory
        .links()
        .filter((l) => l.downstream.siteCode === site.code || l.upstream.siteCode === site.code)
        .map(linkView);
      return { ok: true, site, devices, links };
    },

    'devices.list': () => ({ ok: true, devices: inventory.devices().map(deviceView) }),
    'devices.get': ({ params }) => ({ ok: true, device: deviceView(inventory.device(params.id)) }),
    'devices.create': ({ body }) => {
      const d = inventory.createDevice(body);
      deps.pollNow?.(d.id);
      return { ok: true, device: deviceView(d) };
    },
    'devices.update': ({ params, body }) => {
      const d = inventory.updateDevice(params.id, body);
      deps.pollNow?.(d.id);
      return { ok: true, device: deviceView(d) };
    },
    'devices.remove': ({ params }) => {
      inventory.deleteDevice(params.id);
      return { ok: true };
    },

    'links.list': () => ({ ok: true, links: inventory.links().map(linkView) }),
    'links.get': ({ params }) => ({ ok: true, link: linkView(inventory.link(params.id)) }),
    'links.series': async ({ params, query }) => ({ ok: true, series: await deps.series(inventory.link(params.id), query.minutes ?? 60) }),
    'links.create': ({ body }) => ({ ok: true, link: linkView(inventory.createLink(body)) }),
    'links.update': ({ params, body }) => ({ ok: true, link: linkView(inventory.updateLink(params.id, body)) }),
    'links.remove': ({ params }) => {
      inventory.deleteLink(params.id);
      return { ok: true };
    },

    'events.list': ({ query }) => ({ ok: true, events: deps.store.listEvents(query) }),

    'inventory.import': ({ body }) => {
      const res = inventory.import(parseInventoryFile(body.content, body.format));
      for (const d of inventory.devices()) deps.pollNow?.(d.id);
      return { ok: true, ...res };
    },

    ...alertHandlers(deps),
  };
}

/** What sfu-server tells nms (with its service token): the sites in live meetings, and its cascade links. */
function serviceHandlers(monitor: Monitor): Pick<Handlers<NmsRoutes, SessionUser>, 'meetings.network' | 'cascade.health'> {
  return {
    'meetings.network': ({ body }) => {
      const codes = [...new Set(body.sites)];
      if (body.live !== false) monitor.live.report(codes);
      return { ok: true, sites: monitor.sitesNetwork(codes) };
    },
    'cascade.health': ({ body }) => {
      monitor.cascade.report(body.server, body.neighbours);
      return { ok: true };
    },
  };
}

export async function apiRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const all = handlers(deps);
  await app.register(async (scope) => {
    // Domain errors already are the kit's coded errors (handled by the parent scope).
    scope.setErrorHandler((err) => {
      if (err instanceof PrometheusUnavailable) throw new AppError('PROMETHEUS_UNAVAILABLE', `Prometheus: ${err.message}`, 502);
      throw err;
    });
    guardAlertWebhook(scope, deps.alertsToken);
    serveRoutes(scope, NmsRoutes, all, {
      authenticate: async (req) => {
        const user = await authenticate(req, deps.keys);
        req.log = req.log.child({ user: user.sub });
        return user;
      },
      roles: (user) => user.roles,
      // Refused callers are told so before their body is read.
      callerFirst: true,
      // Judges SNMP credentials by the version they name.
      parser: inventoryParser,
      invalid: (part, problems) =>
        new AppError('BAD_REQUEST', `Invalid ${part === 'querystring' ? 'query' : part}: ${problems.slice(0, 5).join('; ')}`, 400, {
          problems,
        }),
    });
  });
}
