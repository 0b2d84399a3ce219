// Pages loaded on demand, each its own chunk: the login page and the meeting list come with the
// first load; the network views (charts), administration and the media pages (mediasoup-client,
// socket.io) follow only when opened, so a site on a thin link can log in without waiting for them.
import type { Component } from 'svelte';
import { api, nmsApi } from './api/client';

// biome-ignore lint/suspicious/noExplicitAny: each page has its own props; the caller types the render
export type PageLoader = () => Promise<{ default: Component<any> }>;

/** The page's chunk, rendered once the route tables are also here (links use api.url synchronously). */
function withRoutes<M>(load: () => Promise<M>): () => Promise<M> {
  return () => Promise.all([load(), api.ready(), nmsApi.ready()]).then(([m]) => m);
}

export const pages = {
  selftest: withRoutes(() => import('../pages/SelfTest.svelte')),
  network: withRoutes(() => import('../pages/network/Network.svelte')),
  lobby: withRoutes(() => import('../pages/Lobby.svelte')),
  room: withRoutes(() => import('../pages/Room.svelte')),
  schedule: withRoutes(() => import('../pages/admin/Schedule.svelte')),
  adminSites: withRoutes(() => import('../pages/admin/Sites.svelte')),
  adminUsers: withRoutes(() => import('../pages/admin/Users.svelte')),
  quality: withRoutes(() => import('../pages/QualityReport.svelte')),
  readiness: withRoutes(() => import('../pages/Readiness.svelte')),
  recordings: withRoutes(() => import('../pages/Recordings.svelte')),
} satisfies Record<string, PageLoader>;

/**
 * Fetches the meeting pages in the background once someone is signed in, so joining does not wait
 * for them. Started when the browser is idle; a failure is left for the real load to report.
 */
export function prefetchMeetingPages(): void {
  const run = () => {
    for (const load of [pages.lobby, pages.room]) load().catch(() => undefined);
  };
  if ('requestIdleCallback' in window) requestIdleCallback(run, { timeout: 3000 });
  else setTimeout(run, 1000);
}
