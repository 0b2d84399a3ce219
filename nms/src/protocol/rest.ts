// Every REST route of nms (reached from the browser through sfu-server's /api/nms proxy):
// method, path, input and reply schemas, and who may call it. http/routes/api.ts implements it
// and the web app calls it. The network (addresses, devices, events) is for network engineers and
// admins; any other user sees only their own site's path summary (the lobby's technical check).
// The ops routes (/healthz, /metrics) are not part of it.
import {
  CASCADE_HEALTH_PATH,
  CascadeHealthAccepted,
  CascadeHealthReport,
  LiveSitesReport,
  SITES_NETWORK_PATH,
  SitesNetworkReply,
} from '@lienthong/kit/contracts';
import type { RouteTable } from '@lienthong/kit/rest';
import Type, { type Static } from 'typebox';
import { ALERT_WEBHOOK_BODY_LIMIT, AlertmanagerWebhook, AlertsAccepted } from './alerts';
import { EventQuery, EventView, LinkTimeSeries, LinkView, SiteHealthView, TimeSeriesQuery } from './health';
import { DeviceInput, DevicePatch, DeviceView, IdParams, ImportBody, ImportResult, LinkInput, LinkPatch } from './inventory';

/** Roles that may read the whole network and edit the inventory. */
export const EDITOR_ROLES = ['network_engineer', 'admin'] as const;
const editors = { roles: EDITOR_ROLES };
const readers = editors;

const ok = Type.Literal(true);
export const NmsOkReply = Type.Object({ ok });
export const SiteHealthList = Type.Object({ ok, sites: Type.Array(SiteHealthView) });
export type SiteHealthList = Static<typeof SiteHealthList>;
/** One site with its devices and the links that end at it. */
export const SiteDetailReply = Type.Object({ ok, site: SiteHealthView, devices: Type.Array(DeviceView), links: Type.Array(LinkView) });
export type SiteDetailReply = Static<typeof SiteDetailReply>;
/** One link of a site's path to the province, as the technical check shows it (no devices or addresses). */
export const PathHopView = Type.Object({ id: Type.String(), name: Type.String(), health: LinkView.properties.health });
export type PathHopView = Static<typeof PathHopView>;
export const SitePathReply = Type.Object({ ok, site: SiteHealthView, hops: Type.Array(PathHopView) });
export type SitePathReply = Static<typeof SitePathReply>;
export const DeviceList = Type.Object({ ok, devices: Type.Array(DeviceView) });
export const DeviceReply = Type.Object({ ok, device: DeviceView });
export const LinkList = Type.Object({ ok, links: Type.Array(LinkView) });
export const LinkReply = Type.Object({ ok, link: LinkView });
export const LinkSeriesReply = Type.Object({ ok, series: LinkTimeSeries });
export const EventList = Type.Object({ ok, events: Type.Array(EventView) });

export const NmsRoutes = {
  'sites.list': { method: 'GET', path: '/api/nms/sites', access: readers, reply: SiteHealthList },
  /** By site code. */
  'sites.get': { method: 'GET', path: '/api/nms/sites/:id', access: readers, params: IdParams, reply: SiteDetailReply },
  /** By site code: the caller's own site (any user), any site for network engineers and admins. */
  'sites.path': { method: 'GET', path: '/api/nms/sites/:id/path', access: 'user', params: IdParams, reply: SitePathReply },

  'devices.list': { method: 'GET', path: '/api/nms/devices', access: readers, reply: DeviceList },
  'devices.get': { method: 'GET', path: '/api/nms/devices/:id', access: readers, params: IdParams, reply: DeviceReply },
  'devices.create': { method: 'POST', path: '/api/nms/devices', access: editors, status: 201, body: DeviceInput, reply: DeviceReply },
  'devices.update': {
    method: 'PUT',
    path: '/api/nms/devices/:id',
    access: editors,
    params: IdParams,
    body: DevicePatch,
    reply: DeviceReply,
  },
  'devices.remove': { method: 'DELETE', path: '/api/nms/devices/:id', access: editors, params: IdParams, reply: NmsOkReply },

  'links.list': { method: 'GET', path: '/api/nms/links', access: readers, reply: LinkList },
  'links.get': { method: 'GET', path: '/api/nms/links/:id', access: readers, params: IdParams, reply: LinkReply },
  'links.series': {
    method: 'GET',
    path: '/api/nms/links/:id/timeseries',
    access: readers,
    params: IdParams,
    query: TimeSeriesQuery,
    reply: LinkSeriesReply,
  },
  'links.create': { method: 'POST', path: '/api/nms/links', access: editors, status: 201, body: LinkInput, reply: LinkReply },
  'links.update': { method: 'PUT', path: '/api/nms/links/:id', access: editors, params: IdParams, body: LinkPatch, reply: LinkReply },
  'links.remove': { method: 'DELETE', path: '/api/nms/links/:id', access: editors, params: IdParams, reply: NmsOkReply },

  /**
   * sfu-server (with a service token) says which sites are in live meetings and reads their paths' health,
   * so the chair's console can name the link behind a site's poor quality; links on those paths raise
   * their events to critical.
   */
  'meetings.network': { method: 'POST', path: SITES_NETWORK_PATH, access: editors, body: LiveSitesReport, reply: SitesNetworkReply },
  /**
   * A media server (with a service token, like meetings.network) reports its cascade links every few
   * seconds: each neighbouring server's state and round trip, shown beside the WAN link it rides on.
   */
  'cascade.health': {
    method: 'POST',
    path: CASCADE_HEALTH_PATH,
    access: editors,
    polled: true,
    body: CascadeHealthReport,
    reply: CascadeHealthAccepted,
  },

  'events.list': { method: 'GET', path: '/api/nms/events', access: readers, query: EventQuery, reply: EventList },

  /**
   * Alertmanager's webhook (monitoring/alertmanager.yml): machine to machine, so no session; the bearer of
   * alerts.webhookToken, or without one a direct call from this machine (http/routes/alerts.ts checks).
   */
  'alerts.alertmanager': {
    method: 'POST',
    path: '/api/nms/alerts/alertmanager',
    access: 'public',
    body: AlertmanagerWebhook,
    bodyLimit: ALERT_WEBHOOK_BODY_LIMIT,
    reply: AlertsAccepted,
  },

  /** A YAML or JSON inventory file, all or nothing. */
  'inventory.import': { method: 'POST', path: '/api/nms/inventory/import', access: editors, body: ImportBody, reply: ImportResult },
} as const satisfies RouteTable;
export type NmsRoutes = typeof NmsRoutes;
export type NmsRouteName = keyof NmsRoutes;
