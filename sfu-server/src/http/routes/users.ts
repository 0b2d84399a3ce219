import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import type { Core } from '../../core';
import type { OkReply } from '../../protocol/errors';
import {
  CreateUserBody,
  ResetPasswordBody,
  UpdateUserBody,
  type UserList,
  UserListQuery,
  UserParams,
  type UserReply,
} from '../../protocol/users';
import { requireCaller } from './context';

export function userRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/api/users', { schema: { querystring: UserListQuery } }, async (req): Promise<UserList> => {
    const { actor } = await requireCaller(core, req);
    const q: Static<typeof UserListQuery> = req.query;
    return { ok: true, users: core.accounts.list(actor, q.siteId) };
  });

  r.get('/api/users/:id', { schema: { params: UserParams } }, async (req): Promise<UserReply> => {
    const { actor } = await requireCaller(core, req);
    return { ok: true, user: core.accounts.getVisible(actor, req.params.id) };
  });

  r.post('/api/users', { schema: { body: CreateUserBody } }, async (req, reply): Promise<UserReply> => {
    const { actor } = await requireCaller(core, req);
    const user = await core.accounts.create(actor, req.body);
    reply.code(201);
    return { ok: true, user };
  });

  r.patch('/api/users/:id', { schema: { params: UserParams, body: UpdateUserBody } }, async (req): Promise<UserReply> => {
    const { actor } = await requireCaller(core, req);
    return { ok: true, user: core.accounts.update(actor, req.params.id, req.body) };
  });

  r.delete('/api/users/:id', { schema: { params: UserParams } }, async (req): Promise<OkReply> => {
    const { actor } = await requireCaller(core, req);
    core.accounts.remove(actor, req.params.id);
    return { ok: true };
  });

  r.post('/api/users/:id/password', { schema: { params: UserParams, body: ResetPasswordBody } }, async (req): Promise<OkReply> => {
    const { actor } = await requireCaller(core, req);
    await core.accounts.resetPassword(actor, req.params.id, req.body.newPassword);
    return { ok: true };
  });

  r.post('/api/users/:id/unlock', { schema: { params: UserParams } }, async (req): Promise<UserReply> => {
    const { actor } = await requireCaller(core, req);
    return { ok: true, user: core.accounts.unlock(actor, req.params.id) };
  });
}
