import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, createParser } from '@lienthong/kit';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Core } from '../../core';
import type { OkReply } from '../../protocol/errors';
import {
  CreateSiteBody,
  type ImportReply,
  MoveSiteBody,
  SITE_DIRECTORY_PATH,
  type SiteDirectoryReply,
  type SiteHistoryReply,
  type SiteList,
  SiteParams,
  type SiteReply,
  SiteTreeFile,
  UpdateSiteBody,
} from '../../protocol/sites';
import { requireCaller } from './context';

const ExportQuery = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) },
  { additionalProperties: false },
);
const treeFileParser = createParser(SiteTreeFile);

export function siteRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  // Every signed-in user sees the whole tree: meeting rooms label sites under their parents.
  r.get('/api/sites', async (req): Promise<SiteList> => {
    await requireCaller(core, req);
    return { ok: true, sites: core.sites.list() };
  });

  // Public on purpose, like the revocation list: nms follows the tree without a user session.
  // Only codes and names of administrative units leave here.
  r.get(SITE_DIRECTORY_PATH, { logLevel: 'warn' }, async (): Promise<SiteDirectoryReply> => {
    const sites = core.sites.list();
    const codeOf = new Map(sites.map((s) => [s.id, s.code]));
    return {
      ok: true,
      sites: sites.map((s) => ({
        code: s.code,
        name: s.name,
        parentCode: s.parentId ? (codeOf.get(s.parentId) ?? null) : null,
        level: s.level,
      })),
    };
  });

  r.get('/api/sites/export', { schema: { querystring: ExportQuery } }, async (req, reply) => {
    await requireCaller(core, req);
    const stamp = core.clock.now().toISOString().slice(0, 10);
    if (req.query.format === 'csv') {
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="lienthong-sites-${stamp}.csv"`)
        .send(core.siteTransfer.exportCsv());
    }
    return reply.header('content-disposition', `attachment; filename="lienthong-sites-${stamp}.json"`).send(core.siteTransfer.exportJson());
  });

  // JSON (a lienthong-sites file) or CSV (text/csv). All rows are checked before anything is written.
  r.post('/api/sites/import', async (req): Promise<ImportReply> => {
    const { actor } = await requireCaller(core, req);
    if (typeof req.body === 'string') return core.siteTransfer.importCsv(actor, req.body);
    const parsed = treeFileParser.parse(req.body);
    if (!parsed.ok)
      throw new AppError('VALIDATION_FAILED', `Not a site tree file: ${parsed.problems.join('; ')}`, 400, { problems: parsed.problems });
    return core.siteTransfer.importJson(actor, parsed.value);
  });

  r.get('/api/sites/:id', { schema: { params: SiteParams } }, async (req): Promise<SiteReply> => {
    await requireCaller(core, req);
    return { ok: true, site: core.sites.get(req.params.id) };
  });

  r.get('/api/sites/:id/history', { schema: { params: SiteParams } }, async (req): Promise<SiteHistoryReply> => {
    await requireCaller(core, req);
    return { ok: true, site: core.sites.get(req.params.id), moves: core.sites.history(req.params.id) };
  });

  r.post('/api/sites', { schema: { body: CreateSiteBody } }, async (req, reply): Promise<SiteReply> => {
    const { actor } = await requireCaller(core, req);
    const site = core.sites.create(actor, req.body);
    reply.code(201);
    return { ok: true, site };
  });

  r.patch('/api/sites/:id', { schema: { params: SiteParams, body: UpdateSiteBody } }, async (req): Promise<SiteReply> => {
    const { actor } = await requireCaller(core, req);
    return { ok: true, site: core.sites.update(actor, req.params.id, req.body) };
  });

  r.post('/api/sites/:id/move', { schema: { params: SiteParams, body: MoveSiteBody } }, async (req): Promise<SiteReply> => {
    const { actor } = await requireCaller(core, req);
    return { ok: true, site: core.sites.move(actor, req.params.id, req.body.parentId) };
  });

  r.delete('/api/sites/:id', { schema: { params: SiteParams } }, async (req): Promise<OkReply> => {
    const { actor } = await requireCaller(core, req);
    core.sites.remove(actor, req.params.id);
    return { ok: true };
  });
}
