// Meeting rooms belong to a site; the site's managers manage them.
import type { CreateRoomBody, Room, UpdateRoomBody } from '../../protocol/rooms';
import { requireManagesSite } from '../permissions';
import { type Actor, type Clock, fail, iso, newId } from '../shared';
import type { SiteService } from '../sites/service';
import type { RoomRecord, RoomStore } from './store';

export class RoomService {
  constructor(
    private readonly store: RoomStore,
    private readonly sites: SiteService,
    private readonly clock: Clock,
  ) {}

  list(siteId?: string): Room[] {
    if (siteId !== undefined) this.sites.get(siteId);
    return this.store.listRooms(siteId);
  }

  find(id: string): Room | undefined {
    return this.store.getRoom(id);
  }

  get(id: string): Room {
    return this.store.getRoom(id) ?? fail('NOT_FOUND', `No room ${id}`);
  }

  create(actor: Actor, body: CreateRoomBody): Room {
    this.sites.get(body.siteId);
    requireManagesSite(this.sites.tree(), actor, body.siteId, 'create rooms');
    const name = body.name.trim();
    this.requireUniqueName(body.siteId, name);
    const now = iso(this.clock.now());
    const rec: RoomRecord = { id: newId(), siteId: body.siteId, name, createdAt: now, updatedAt: now };
    this.store.insertRoom(rec);
    return rec;
  }

  update(actor: Actor, id: string, body: UpdateRoomBody): Room {
    const cur = this.get(id);
    requireManagesSite(this.sites.tree(), actor, cur.siteId, 'rename rooms');
    const name = body.name.trim();
    if (name !== cur.name) this.requireUniqueName(cur.siteId, name);
    const rec = { ...cur, name, updatedAt: iso(this.clock.now()) };
    this.store.updateRoom(rec);
    return rec;
  }

  remove(actor: Actor, id: string): void {
    const cur = this.get(id);
    requireManagesSite(this.sites.tree(), actor, cur.siteId, 'delete rooms');
    const n = this.store.roomMeetingCount(id);
    if (n > 0) fail('ROOM_IN_USE', `The room is booked by ${n} meeting(s)`);
    this.store.deleteRoom(id);
  }

  /** Seeding only. */
  createSeedRoom(siteId: string, name: string): Room {
    const now = iso(this.clock.now());
    const rec: RoomRecord = { id: newId(), siteId, name, createdAt: now, updatedAt: now };
    this.store.insertRoom(rec);
    return rec;
  }

  private requireUniqueName(siteId: string, name: string): void {
    if (this.store.listRooms(siteId).some((r) => r.name === name)) fail('CONFLICT', `The site already has a room named ${name}`);
  }
}
