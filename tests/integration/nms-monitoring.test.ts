// monitoring/: promtool checks and rule unit tests, amtool, and a real Alertmanager folding
// downstream alerts under a down link (inhibit_rules).
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports';
import { type Peer, startPeer, tempDir, waitFor } from './nms-support';

const run = promisify(execFile);
const mon = join(import.meta.dirname, '..', '..', 'monitoring');
let am: Peer | undefined;
afterAll(() => am?.stop());

describe('monitoring configuration', () => {
  it('promtool accepts prometheus.yml and the rules', async () => {
    const c = await run('promtool', ['check', 'config', join(mon, 'prometheus.yml')]);
    expect(c.stdout).toContain('SUCCESS');
    // Every rule file prometheus.yml loads (rules/*.yml), so a new one cannot go unchecked.
    const files = readdirSync(join(mon, 'rules')).filter((f) => f.endsWith('.yml'));
    expect(files).toContain('cascade.yml');
    for (const file of files) {
      const r = await run('promtool', ['check', 'rules', join(mon, 'rules', file)]);
      expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/);
    }
  });

  it('room-system rule unit tests pass (a codec drops out of a running meeting, stops answering, loses packets)', async () => {
    const r = await run('promtool', ['test', 'rules', join(mon, 'tests', 'room-systems.test.yml')]);
    expect(r.stdout).toContain('SUCCESS');
  });

  it('cascade rule unit tests pass (a neighbour server silent for 30 s, a shorter blip)', async () => {
    const r = await run('promtool', ['test', 'rules', join(mon, 'tests', 'cascade.test.yml')]);
    expect(r.stdout).toContain('SUCCESS');
  });

  it('every rule file has its unit tests', () => {
    const rules = readdirSync(join(mon, 'rules')).filter((f) => f.endsWith('.yml'));
    const tested = readdirSync(join(mon, 'tests')).map((f) => f.replace(/\.test\.yml$/, '.yml'));
    expect(rules.filter((f) => !tested.includes(f))).toEqual([]);
  });

  it('rule unit tests pass (device down, link down, utilisation, loss, latency, flapping, reboot, folding)', async () => {
    const r = await run('promtool', ['test', 'rules', join(mon, 'tests', 'nms-alerts.test.yml')]);
    expect(r.stdout).toContain('SUCCESS');
  });

  it('amtool accepts alertmanager.yml', async () => {
    const r = await run('amtool', ['check-config', join(mon, 'alertmanager.yml')]);
    expect(r.stdout).toContain('SUCCESS');
  });

  it('Alertmanager inhibits per-site alerts while the site uplink is down', async () => {
    const port = await freePort();
    const cluster = await freePort();
    am = startPeer('prometheus-alertmanager', [
      `--config.file=${join(mon, 'alertmanager.yml')}`,
      `--storage.path=${tempDir('nms-am-')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--cluster.listen-address=127.0.0.1:${cluster}`,
    ]);
    const base = `http://127.0.0.1:${port}`;
    await waitFor('alertmanager', async () => (await fetch(`${base}/-/ready`)).ok, 20_000);
    const alert = (alertname: string, site: string) => ({
      labels: { alertname, site, severity: 'critical' },
      annotations: {},
      startsAt: new Date().toISOString(),
    });
    const post = await fetch(`${base}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([alert('NmsLinkDown', 'TN-DT'), alert('NmsDeviceDown', 'TN-DT'), alert('NmsDeviceDown', 'TN-PY')]),
    });
    expect(post.ok).toBe(true);
    type A = { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } };
    const alerts = await waitFor(
      'inhibition',
      async () => {
        const list = (await (await fetch(`${base}/api/v2/alerts`)).json()) as A[];
        return list.length === 3 && list.some((a) => a.status.state === 'suppressed') ? list : null;
      },
      20_000,
      300,
    );
    const state = (name: string, site: string) => alerts.find((a) => a.labels.alertname === name && a.labels.site === site)!.status.state;
    expect(state('NmsDeviceDown', 'TN-DT')).toBe('suppressed');
    expect(state('NmsLinkDown', 'TN-DT')).toBe('active');
    expect(state('NmsDeviceDown', 'TN-PY')).toBe('active');
  });
});
