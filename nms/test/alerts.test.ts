// Alertmanager's webhook: alerts become nms events (kind alert), re-sends fold by fingerprint and
// status, the sender is admitted by token or from this machine only, and the body is checked and bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertEvent } from '../src/domain/alerts';
import type { AlertmanagerAlert } from '../src/protocol';
import type { Nms } from '../src/service';
import { testNms } from './support';

const startsAt = '2026-11-30T10:00:00.000Z';
const alert = (over: Partial<AlertmanagerAlert> = {}): AlertmanagerAlert => ({
  status: 'firing',
  labels: { alertname: 'NmsLinkDown', site: 'TN-PB', link: 'TN-PB uplink', severity: 'critical' },
  annotations: { summary: 'Link TN-PB uplink is down' },
  startsAt,
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus:9090/graph',
  fingerprint: 'a1b2c3d4e5f60718',
  ...over,
});
const webhook = (alerts: AlertmanagerAlert[]) => ({
  version: '4',
  groupKey: '{}:{alertname="NmsLinkDown"}',
  truncatedAlerts: 0,
  status: alerts.every((a) => a.status === 'resolved') ? 'resolved' : 'firing',
  receiver: 'nms',
  groupLabels: { alertname: 'NmsLinkDown' },
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  alerts,
});

describe('alert events (domain)', () => {
  it('maps severity, site and wording; a resolved alert is info', () => {
    const firing = alertEvent(alert());
    expect(firing).toMatchObject({ kind: 'alert', source: 'alertmanager', severity: 'critical', siteCode: 'TN-PB' });
    expect(firing.message).toBe('NmsLinkDown firing: Link TN-PB uplink is down');
    const resolved = alertEvent(alert({ status: 'resolved' }));
    expect(resolved.severity).toBe('info');
    expect(resolved.sourceKey).not.toBe(firing.sourceKey);
    expect(alertEvent(alert({ labels: { alertname: 'X', severity: 'page' } })).severity).toBe('warning');
    // A new episode (fires again later) is a new event.
    expect(alertEvent(alert({ startsAt: '2026-11-30T12:00:00.000Z' })).sourceKey).not.toBe(firing.sourceKey);
  });
});

describe('POST /api/nms/alerts/alertmanager', () => {
  let nms: Nms;
  let engineer: string;
  const TOKEN = 'alert-token-0123456789';
  beforeAll(async () => {
    const t = await testNms({ alerts: { webhookToken: TOKEN } });
    nms = t.nms;
    engineer = await t.keys.token(['network_engineer']);
  });
  afterAll(() => nms.close());

  const post = (payload: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }, remoteAddress = '10.0.0.9') =>
    nms.app.inject({ method: 'POST', url: '/api/nms/alerts/alertmanager', payload: payload as object, headers, remoteAddress });
  const alertEvents = async () =>
    (await nms.app.inject({ method: 'GET', url: '/api/nms/events?limit=1000', headers: { authorization: `Bearer ${engineer}` } }))
      .json()
      .events.filter((e: { kind: string }) => e.kind === 'alert');

  it('refuses a sender without the token, even from this machine, and stores nothing', async () => {
    expect((await post(webhook([alert()]), {})).statusCode).toBe(401);
    expect((await post(webhook([alert()]), {}, '127.0.0.1')).statusCode).toBe(401);
    expect((await post(webhook([alert()]), { authorization: 'Bearer wrong' })).statusCode).toBe(401);
    // A session of a real user is not the webhook's token.
    expect((await post(webhook([alert()]), { authorization: `Bearer ${engineer}` })).statusCode).toBe(401);
    expect(await alertEvents()).toEqual([]);
  });

  it('records firing then resolved, folding re-sends of the same status', async () => {
    const first = await post(webhook([alert()]));
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ ok: true, recorded: 1, duplicates: 0 });
    // Alertmanager re-sends the group (repeat_interval, another alert joining it).
    expect((await post(webhook([alert()]))).json()).toEqual({ ok: true, recorded: 0, duplicates: 1 });
    expect((await post(webhook([alert({ status: 'resolved', endsAt: '2026-11-30T10:05:00.000Z' })]))).json().recorded).toBe(1);
    const events = await alertEvents();
    expect(events.map((e: { severity: string; count: number }) => [e.severity, e.count])).toEqual([
      ['info', 1],
      ['critical', 2],
    ]);
    expect(events[1].details).toMatchObject({ alertname: 'NmsLinkDown', status: 'firing', fingerprint: 'a1b2c3d4e5f60718' });
    expect(events[1].siteCode).toBe('TN-PB');
  });

  it('refuses a malformed or oversized message', async () => {
    const bad = await post({ ...webhook([alert()]), version: '3' });
    expect(bad.statusCode).toBe(400);
    // Fields a newer Alertmanager adds are not a reason to lose its alerts.
    const newer = await post({ ...webhook([{ ...alert({ fingerprint: 'ffee01' }), newField: 'x' } as AlertmanagerAlert]), extra: 1 });
    expect(newer.statusCode).toBe(200);
    expect((await post(webhook([alert({ fingerprint: 'not hex!' })]))).statusCode).toBe(400);
    const big = webhook([alert({ annotations: { summary: 'x'.repeat(4000) } })]);
    big.alerts = Array.from({ length: 400 }, () => big.alerts[0]!);
    expect((await post(big)).statusCode).toBe(413);
  });
});

describe('without a token', () => {
  let nms: Nms;
  beforeAll(async () => {
    nms = (await testNms()).nms;
  });
  afterAll(() => nms.close());
  const post = (remoteAddress: string, headers: Record<string, string> = {}) =>
    nms.app.inject({ method: 'POST', url: '/api/nms/alerts/alertmanager', payload: webhook([alert()]), headers, remoteAddress });

  it('takes direct calls from this machine only (not another address, not one relayed by a proxy)', async () => {
    expect((await post('192.0.2.7')).statusCode).toBe(401);
    expect((await post('127.0.0.1', { 'x-forwarded-for': '192.0.2.7' })).statusCode).toBe(401);
    expect((await post('127.0.0.1')).statusCode).toBe(200);
  });
});
