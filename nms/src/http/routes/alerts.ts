// Alertmanager's webhook: each alert becomes an nms event (domain/alerts.ts). No session: the sender
// is Alertmanager, admitted with alerts.webhookToken, or without one only from this machine, the
// same rule as /metrics (a call relayed by a proxy, sfu-server's /api/nms included, is not "this machine").
import { AppError, type GroupHandlers, metricsReader } from '@lienthong/kit';
import type { FastifyInstance } from 'fastify';
import { recordAlerts } from '../../domain/alerts';
import type { EventLog } from '../../domain/events';
import type { Inventory } from '../../domain/inventory';
import { NmsRoutes } from '../../protocol/rest';
import type { SessionUser } from '../auth';

export interface AlertDeps {
  events: EventLog;
  inventory: Inventory;
  /** config alerts.webhookToken; empty: direct calls from this machine only. */
  alertsToken: string;
}

const PATH = NmsRoutes['alerts.alertmanager'].path;

/** Refuses a sender without the token before its body is read. */
export function guardAlertWebhook(scope: FastifyInstance, token: string): void {
  scope.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.url !== PATH) return;
    if (!metricsReader(token, req.headers, req.socket.remoteAddress)) {
      reply.header('www-authenticate', 'Bearer realm="alerts"');
      throw new AppError('UNAUTHENTICATED', 'Alert webhook needs the token (alerts.webhookToken)', 401);
    }
  });
}

export function alertHandlers(deps: AlertDeps): GroupHandlers<NmsRoutes, SessionUser, 'alerts'> {
  return {
    'alerts.alertmanager': ({ body, req }) => {
      const byName = <T extends { id: string; name: string }>(list: T[], name: string) => list.find((x) => x.name === name)?.id ?? null;
      const res = recordAlerts(deps.events, body, {
        deviceId: (name) => byName(deps.inventory.devices(), name),
        linkId: (name) => byName(deps.inventory.links(), name),
      });
      req.log.info({ status: body.status, alerts: body.alerts.length, ...res }, 'alertmanager webhook');
      return { ok: true, ...res };
    },
  };
}
