// users.* routes: accounts, within the caller's subtree (the domain decides).
import type { Core } from '../../core';
import type { SfuHandlers } from './context';

export function userHandlers(core: Core): SfuHandlers<'users'> {
  return {
    'users.list': ({ query, caller }) => ({ ok: true, users: core.accounts.list(caller.actor, query.siteId) }),
    'users.get': ({ params, caller }) => ({ ok: true, user: core.accounts.getVisible(caller.actor, params.id) }),
    'users.create': async ({ body, caller }) => ({ ok: true, user: await core.accounts.create(caller.actor, body) }),
    'users.update': ({ params, body, caller }) => ({ ok: true, user: core.accounts.update(caller.actor, params.id, body) }),
    'users.remove': ({ params, caller }) => {
      core.accounts.remove(caller.actor, params.id);
      return { ok: true };
    },
    'users.resetPassword': async ({ params, body, caller }) => {
      await core.accounts.resetPassword(caller.actor, params.id, body.newPassword);
      return { ok: true };
    },
    'users.unlock': ({ params, caller }) => ({ ok: true, user: core.accounts.unlock(caller.actor, params.id) }),
  };
}
