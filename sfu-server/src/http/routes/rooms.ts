import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core';
import type { OkReply } from '../../protocol/errors';
import { CreateRoomBody, type RoomList, RoomListQuery, RoomParams, type RoomReply, UpdateRoomBody } from '../../protocol/rooms';
import { requireCaller } from './context';

export function roomRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/api/rooms', { schema: { querystring: RoomListQuery } }, async (req): Promise<RoomList> => {
    await requireCaller(core, req);
    return { ok: true, rooms: core.rooms.list(req.query.siteId) };
  });

  r.get('/api/rooms/:id', { schema: { params: RoomParams } }, async (req): Promise<RoomReply> => {
    await requireCaller(core, req);
    return { ok: true, room: core.rooms.get(req.params.id) };
  });

  r.post('/api/rooms', { schema: { body: CreateRoomBody } }, async (req, reply): Promise<RoomReply> => {
    const { actor } = await requireCaller(core, req);
    const room = core.rooms.create(actor, req.body);
    reply.code(201);
    return { ok: true, room };
  });

  r.patch('/api/rooms/:id', { schema: { params: RoomParams, body: UpdateRoomBody } }, async (req): Promise<RoomReply> => {
    const { actor } = await requireCaller(core, req);
    return { ok: true, room: core.rooms.update(actor, req.params.id, req.body) };
  });

  r.delete('/api/rooms/:id', { schema: { params: RoomParams } }, async (req): Promise<OkReply> => {
    const { actor } = await requireCaller(core, req);
    core.rooms.remove(actor, req.params.id);
    return { ok: true };
  });
}
