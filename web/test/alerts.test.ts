// The network page's alert notifications: which Alertmanager alerts are active, and their wording.
import type { EventView } from '@lienthong/nms/protocol';
import { describe, expect, it } from 'vitest';
import { activeAlerts } from '../src/lib/network/alerts';
import { eventText } from '../src/lib/network/wording';

let nextId = 1;
const ev = (alertname: string, fingerprint: string, status: 'firing' | 'resolved', severity: EventView['severity']): EventView => ({
  id: nextId++,
  kind: 'alert',
  severity,
  firstAt: '2026-11-30T10:00:00Z',
  lastAt: '2026-11-30T10:00:00Z',
  count: 1,
  source: 'alertmanager',
  deviceId: null,
  linkId: null,
  siteCode: 'TN-PB',
  interface: null,
  message: `${alertname} ${status}`,
  details: { alertname, status, fingerprint, labels: { alertname, site: 'TN-PB', link: 'TN-PB uplink' } },
});

describe('active alerts', () => {
  it("an alert's newest event decides; critical first", () => {
    const linkFiring = ev('NmsLinkDown', 'f1', 'firing', 'critical');
    const lossFiring = ev('NmsProbeLoss', 'f2', 'firing', 'warning');
    const lossResolved = ev('NmsProbeLoss', 'f2', 'resolved', 'info');
    const latency = ev('NmsProbeHighLatency', 'f3', 'firing', 'warning');
    const linkAgain = ev('NmsDeviceDown', 'f4', 'firing', 'critical');
    const other = { ...ev('x', 'f5', 'firing', 'critical'), kind: 'link_down' as const };
    // Newest first, as nms lists them.
    const active = activeAlerts([linkAgain, latency, lossResolved, lossFiring, linkFiring, other]);
    expect(active.map((e) => e.id)).toEqual([linkAgain.id, linkFiring.id, latency.id]);
  });

  it('words known alerts in Vietnamese and English, others by name', () => {
    expect(eventText(ev('NmsLinkDown', 'f1', 'firing', 'critical'), 'vi')).toBe('Cảnh báo: đường truyền bị đứt (TN-PB uplink)');
    expect(eventText(ev('NmsLinkDown', 'f1', 'resolved', 'info'), 'en')).toBe('Resolved: link down (TN-PB uplink)');
    expect(eventText(ev('CustomThing', 'f9', 'firing', 'warning'), 'en')).toBe('Alert: CustomThing (TN-PB uplink)');
  });
});
