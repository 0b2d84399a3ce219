// REST API for the network views: sites with health, devices, links, events, link series,
// and inventory editing (network_engineer/admin) including file import.

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, createParser } from '@lienthong/kit';
import type { FastifyInstance } from 'fastify';
import type { Inventory } from '../../domain/inventory';
import type { Monitor } from '../../domain/monitor';
import { parseInventoryFile } from '../../inventory-file';
import { EventQuery, TimeSeriesQuery } from '../../protocol/health';
import { DeviceInput, DevicePatch, IdParams, ImportBody, LinkInput, LinkPatch } from '../../protocol/inventory';
import { inventoryParser } from '../../protocol/parse';
import type { NmsStore } from '../../store/db';
import { PrometheusUnavailable, type SeriesSource } from '../../timeseries/sources';
import { authenticate, type KeySource, requireEditor } from '../auth';

export interface ApiDeps {
  inventory: Inventory;
  monitor: Monitor;
  store: NmsStore;
  keys: KeySource;
  series: SeriesSource;
  /** Ask the poller to poll a device now (after an edit). */
  pollNow?: (deviceId: string) => void;
}

const parsers = {
  deviceInput: inventoryParser(DeviceInput),
  devicePatch: inventoryParser(DevicePatch),
  linkInput: createParser(LinkInput),
  linkPatch: createParser(LinkPatch),
  importBody: inventoryParser(ImportBody),
};

/** Bodies are checked with the protocol schema itself: unknown keys are refused, never dropped. */
function valid<T>(p: { parse(v: unknown): { ok: true; value: T } | { ok: false; problems: string[] } }, body: unknown): T {
  const r = p.parse(body);
  if (!r.ok) throw new AppError('BAD_REQUEST', `Invalid body: ${r.problems.slice(0, 5).join('; ')}`, 400, { problems: r.problems });
  return r.value;
}

export async function apiRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  await app.register(async (scope) => {
    // Domain errors already are the platform's coded errors (handled by the parent scope).
    scope.setErrorHandler((err) => {
      if (err instanceof PrometheusUnavailable) throw new AppError('PROMETHEUS_UNAVAILABLE', `Prometheus: ${err.message}`, 502);
      throw err;
    });
    scope.addHook('onRequest', async (req) => {
      const user = await authenticate(req, deps.keys);
      if (req.method !== 'GET') requireEditor(user);
      req.log = req.log.child({ user: user.sub });
    });
    const r = scope.withTypeProvider<TypeBoxTypeProvider>();
    const { inventory, monitor } = deps;

    r.get('/api/nms/sites', async () => ({ ok: true as const, sites: monitor.siteHealth() }));
    r.get('/api/nms/sites/:id', { schema: { params: IdParams } }, async (req) => {
      const site = monitor.siteHealth().find((s) => s.code === req.params.id);
      if (!site) throw new AppError('NOT_FOUND', `No site ${req.params.id}`, 404);
      const devices = inventory
        .devices()
        .filter((d) => d.siteCode === site.code)
        .map((d) => monitor.deviceView(d));
      const links = inventory
        .links()
        .filter((l) => l.downstream.siteCode === site.code || l.upstream.siteCode === site.code)
        .map((l) => monitor.linkView(l));
      return { ok: true as const, site, devices, links };
    });

    r.get('/api/nms/devices', async () => ({ ok: true as const, devices: inventory.devices().map((d) => monitor.deviceView(d)) }));
    r.get('/api/nms/devices/:id', { schema: { params: IdParams } }, async (req) => ({
      ok: true as const,
      device: monitor.deviceView(inventory.device(req.params.id)),
    }));
    r.post('/api/nms/devices', async (req, reply) => {
      const d = inventory.createDevice(valid(parsers.deviceInput, req.body));
      deps.pollNow?.(d.id);
      return reply.code(201).send({ ok: true, device: monitor.deviceView(d) });
    });
    r.put('/api/nms/devices/:id', { schema: { params: IdParams } }, async (req) => {
      const d = inventory.updateDevice(req.params.id, valid(parsers.devicePatch, req.body));
      deps.pollNow?.(d.id);
      return { ok: true as const, device: monitor.deviceView(d) };
    });
    r.delete('/api/nms/devices/:id', { schema: { params: IdParams } }, async (req) => {
      inventory.deleteDevice(req.params.id);
      return { ok: true as const };
    });

    r.get('/api/nms/links', async () => ({ ok: true as const, links: inventory.links().map((l) => monitor.linkView(l)) }));
    r.get('/api/nms/links/:id', { schema: { params: IdParams } }, async (req) => ({
      ok: true as const,
      link: monitor.linkView(inventory.link(req.params.id)),
    }));
    r.get('/api/nms/links/:id/timeseries', { schema: { params: IdParams, querystring: TimeSeriesQuery } }, async (req) => ({
      ok: true as const,
      series: await deps.series(inventory.link(req.params.id), req.query.minutes ?? 60),
    }));
    r.post('/api/nms/links', async (req, reply) => {
      const l = inventory.createLink(valid(parsers.linkInput, req.body));
      return reply.code(201).send({ ok: true, link: monitor.linkView(l) });
    });
    r.put('/api/nms/links/:id', { schema: { params: IdParams } }, async (req) => ({
      ok: true as const,
      link: monitor.linkView(inventory.updateLink(req.params.id, valid(parsers.linkPatch, req.body))),
    }));
    r.delete('/api/nms/links/:id', { schema: { params: IdParams } }, async (req) => {
      inventory.deleteLink(req.params.id);
      return { ok: true as const };
    });

    r.get('/api/nms/events', { schema: { querystring: EventQuery } }, async (req) => ({
      ok: true as const,
      events: deps.store.listEvents(req.query),
    }));

    r.post('/api/nms/inventory/import', async (req) => {
      const body = valid(parsers.importBody, req.body);
      const file = parseInventoryFile(body.content, body.format);
      const res = inventory.import(file);
      for (const d of inventory.devices()) deps.pollNow?.(d.id);
      return { ok: true as const, ...res };
    });
  });
}
