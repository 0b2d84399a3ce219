// Typed calls to the nms REST API (through sfu-server's /api/nms proxy) and the formatting
// shared by the network pages.
import type { DeviceView, EventView, LinkHealthReason, LinkTimeSeries, LinkView, SiteHealthView } from '@lienthong/nms/protocol';
import { LOCAL_SERVER_ID } from '@lienthong/sfu-server/protocol';
import { nmsApi } from '../../lib/api/client';
import { i18n, t } from '../../lib/i18n/i18n.svelte';
import * as wording from '../../lib/network/wording';

export type { DeviceView, EventView, LinkTimeSeries, LinkView, SiteHealthView };

export const nms = {
  sites: async () => (await nmsApi.call('sites.list')).sites,
  site: (code: string) => nmsApi.call('sites.get', { params: { id: code } }),
  /** A site's path summary: any user for their own site (the lobby's technical check). */
  sitePath: (code: string) => nmsApi.call('sites.path', { params: { id: code } }),
  links: async () => (await nmsApi.call('links.list')).links,
  link: async (id: string) => (await nmsApi.call('links.get', { params: { id } })).link,
  series: async (id: string, minutes: number) => (await nmsApi.call('links.series', { params: { id }, query: { minutes } })).series,
  devices: async () => (await nmsApi.call('devices.list')).devices,
  events: async (siteCode: string | null, limit = 200) =>
    (await nmsApi.call('events.list', { query: { limit, ...(siteCode ? { siteCode } : {}) } })).events,
};

export { fmtBps, fmtMs, fmtPct, fmtTime, fmtUptime, linkSeverity, ofSpeed, TZ } from '../../lib/network/format';

// The wording in the reader's current language (lib/network/wording.ts words it for a given one).
export const reasonText = (r: LinkHealthReason): string => wording.reasonText(r, i18n.locale);
export const reasonsText = (reasons: LinkHealthReason[]): string => wording.reasonsText(reasons, i18n.locale);
export const deviceErrorText = (code: string, message: string | null): string => wording.pollErrorText(code, message, i18n.locale);
export const eventText = (e: EventView): string => wording.eventText(e, i18n.locale);
export const cascadeHealthText = (h: NonNullable<LinkView['cascade']>['health']): string => wording.cascadeHealthText(h, i18n.locale);

type ServerRef = NonNullable<SiteHealthView['server']>;
/** A media server's name as shown; the synthetic one of a single-server install is "this server". */
export const serverName = (s: ServerRef): string => (s.id === LOCAL_SERVER_ID ? t('serverLocal') : s.name);
/** "Máy chủ: …" for a site whose server is known, else null. */
export const siteServerText = (site: SiteHealthView): string | null =>
  site.server ? t('serverOfSite').replace('{name}', serverName(site.server)) : null;
/** The cascade a link carries: its short label and its longer explanation. */
export const cascadeText = (c: NonNullable<LinkView['cascade']>, key: 'netCascadeBetween' | 'netCascadeHint'): string =>
  t(key).replace('{child}', serverName(c.child)).replace('{parent}', serverName(c.parent));
/** Whose pings a cascade link's health comes from (the server's name when the link names it). */
export const cascadeHealthHint = (c: NonNullable<LinkView['cascade']>): string => {
  if (!c.health) return '';
  const by = [c.child, c.parent].find((s) => s.id === c.health!.seenBy);
  return t('netCascadeHealthHint').replace('{server}', by ? serverName(by) : c.health.seenBy);
};
