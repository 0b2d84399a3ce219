// Who is signed in (id, site, roles), fetched once per login: the header only
// keeps names, but the admin screens need ids to pick sites and spot "my" meetings.
import type { MeReply } from '@lienthong/sfu-server/protocol';
import { api } from '../api/client';
import { auth } from '../auth.svelte';

export const me = $state<{ session: number; reply: MeReply | null }>({ session: -1, reply: null });
let pending: Promise<MeReply> | null = null;

export function loadMe(): Promise<MeReply> {
  if (me.reply && me.session === auth.session) return Promise.resolve(me.reply);
  if (pending) return pending;
  const session = auth.session;
  pending = api
    .call('auth.me')
    .then((r) => {
      me.session = session;
      me.reply = r;
      return r;
    })
    .finally(() => {
      pending = null;
    });
  return pending;
}

export const canAdminister = (roles: readonly string[]): boolean => roles.includes('admin') || roles.includes('operator');
export const canSchedule = (roles: readonly string[]): boolean => canAdminister(roles) || roles.includes('chair');
/** The network monitor is for network engineers and admins (nms refuses everyone else). */
export const canWatchNetwork = (roles: readonly string[]): boolean => roles.includes('network_engineer') || roles.includes('admin');
