// Permissions follow the site tree: an admin manages everything; an operator manages
// their own site and everything below it. Chairs schedule at their site or below.
import type { Actor } from './shared';
import { fail } from './shared';
import type { SiteTree } from './sites/tree';

export const isAdmin = (a: Actor): boolean => a.roles.includes('admin');

export function managesSite(tree: SiteTree, actor: Actor, siteId: string): boolean {
  if (isAdmin(actor)) return true;
  return actor.roles.includes('operator') && tree.isAncestorOrSelf(actor.siteId, siteId);
}

export function requireManagesSite(tree: SiteTree, actor: Actor, siteId: string, what: string): void {
  if (!managesSite(tree, actor, siteId)) fail('FORBIDDEN', `You may not ${what} at this site`);
}

/** May schedule a meeting hosted at `hostSiteId`: site managers, and chairs at the host site or above. */
export function maySchedule(tree: SiteTree, actor: Actor, hostSiteId: string): boolean {
  if (managesSite(tree, actor, hostSiteId)) return true;
  return actor.roles.includes('chair') && tree.isAncestorOrSelf(actor.siteId, hostSiteId);
}

/** May read what happens at a site (users, history): anyone at or above it, or an admin. */
export function seesSite(tree: SiteTree, actor: Actor, siteId: string): boolean {
  return isAdmin(actor) || tree.isAncestorOrSelf(actor.siteId, siteId);
}
