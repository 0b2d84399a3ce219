import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core';
import {
  CancelMeetingBody,
  CreateMeetingBody,
  type JoinCheckReply,
  type MeetingList,
  MeetingListQuery,
  MeetingParams,
  type MeetingReply,
  UpcomingQuery,
  UpdateMeetingBody,
} from '../../protocol/meetings';
import type { SiteList } from '../../protocol/sites';
import { requireCaller } from './context';

export function meetingRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/api/meetings', { schema: { querystring: MeetingListQuery } }, async (req): Promise<MeetingList> => {
    const { actor } = await requireCaller(core, req);
    return { ok: true, meetings: core.meetings.list(actor, req.query) };
  });

  r.get('/api/meetings/upcoming', { schema: { querystring: UpcomingQuery } }, async (req): Promise<MeetingList> => {
    const { actor } = await requireCaller(core, req);
    return { ok: true, meetings: core.meetings.upcoming(actor, req.query) };
  });

  r.get('/api/meetings/:id', { schema: { params: MeetingParams } }, async (req): Promise<MeetingReply> => {
    const { actor } = await requireCaller(core, req);
    return { ok: true, meeting: core.meetings.getVisible(actor, req.params.id) };
  });

  /** The sites taking part, subtrees expanded now. */
  r.get('/api/meetings/:id/sites', { schema: { params: MeetingParams } }, async (req): Promise<SiteList> => {
    const { actor } = await requireCaller(core, req);
    core.meetings.getVisible(actor, req.params.id);
    return { ok: true, sites: core.meetings.participatingSites(req.params.id) };
  });

  /** Would a join succeed now? Same rules as signalling, so the lobby can explain a refusal. */
  r.get('/api/meetings/:id/join-check', { schema: { params: MeetingParams } }, async (req): Promise<JoinCheckReply> => {
    const { actor } = await requireCaller(core, req);
    return { ok: true, ...core.meetings.checkJoin(actor, req.params.id) };
  });

  r.post('/api/meetings', { schema: { body: CreateMeetingBody } }, async (req, reply): Promise<MeetingReply> => {
    const { actor } = await requireCaller(core, req);
    const meeting = core.meetings.create(actor, req.body);
    reply.code(201);
    return { ok: true, meeting };
  });

  r.patch('/api/meetings/:id', { schema: { params: MeetingParams, body: UpdateMeetingBody } }, async (req): Promise<MeetingReply> => {
    const { actor } = await requireCaller(core, req);
    return { ok: true, meeting: core.meetings.update(actor, req.params.id, req.body) };
  });

  r.post('/api/meetings/:id/cancel', { schema: { params: MeetingParams, body: CancelMeetingBody } }, async (req): Promise<MeetingReply> => {
    const { actor } = await requireCaller(core, req);
    return { ok: true, meeting: core.meetings.cancel(actor, req.params.id, req.body.reason) };
  });

  r.post('/api/meetings/:id/open-early', { schema: { params: MeetingParams } }, async (req): Promise<MeetingReply> => {
    const { actor } = await requireCaller(core, req);
    return { ok: true, meeting: core.meetings.openEarly(actor, req.params.id) };
  });
}
