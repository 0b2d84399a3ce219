// Quality linked to the network during a meeting: a commune (Chromium in its own network namespace,
// behind a veth "WAN" link) whose link nms watches (Debian snmpd inside the namespace, fping across the
// veth). When packets are dropped on that link, the chair's console says why the commune's quality is
// poor: that link, degraded, with its loss, as nms measured it; and nms raises that link's event to
// critical because a site in a live meeting sits behind it. When only the commune's media suffers and
// the link is clean, the console says it is the site's own connection.
// SNMP to the agent is spared by the drops, so the link's status stays known while its loss is measured.
import { execFileSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, waitFor } from '../support/browser';
import { loginAndJoin, waitConnected } from '../support/meeting-ui';
import { createNetns, type TestNetns } from '../support/netns';
import { type NmsProcess, startSfuAndNms } from '../support/nms-process';
import type { SfuProcess } from '../support/sfu-process';
import { type Peer, startSnmpd } from './nms-support';

const PASSWORD = 'lienthong123';
const SUBNET = 99;
const SNMP_PORT = 1161;
const LINK_NAME = 'cuvan-dt-uplink';
const COMMUNE = 'TN-DT-CUVAN';

/** Random drops inside the namespace, both ways, of everything but loopback, SNMP and what `spare` names. */
function drop(ns: TestNetns, percent: number, spare: string[] = []): void {
  const chain = (name: string, hook: 'input' | 'output', dev: 'iif' | 'oif') => [
    `  chain ${name} {`,
    `    type filter hook ${hook} priority -10; policy accept;`,
    `    ${dev} "lo" accept`,
    `    udp dport ${SNMP_PORT} accept`,
    `    udp sport ${SNMP_PORT} accept`,
    ...spare.map((s) => `    ${s} accept`),
    `    numgen random mod 100 < ${percent} drop`,
    '  }',
  ];
  const rules = [
    'table inet lt_cause',
    'delete table inet lt_cause',
    ...(percent > 0 ? ['table inet lt_cause {', ...chain('in', 'input', 'iif'), ...chain('out', 'output', 'oif'), '}'] : []),
    '',
  ].join('\n');
  execFileSync('ip', ['netns', 'exec', ns.name, 'nft', '-f', '-'], { input: rules, stdio: ['pipe', 'pipe', 'pipe'] });
}

describe("the chair's console names the network link behind a site's poor quality", () => {
  let ns: TestNetns;
  let sfu: SfuProcess;
  let nms: NmsProcess;
  let snmpd: Peer;
  let host: Browser;
  let communeBrowser: Browser;
  let chair: Page;
  let engineer: string;
  let linkId: string;

  const nmsApi = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await fetch(`${sfu.url}/api/nms${path}`, {
      method,
      headers: { authorization: `Bearer ${engineer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const linkState = async () => (await nmsApi('GET', `/links/${linkId}`)).link.health as { state: string; lossRatio: number | null };
  const cause = chairCause(() => chair);

  beforeAll(async () => {
    ns = createNetns('cause', SUBNET);
    snmpd = startSnmpd({ address: ns.nsIp, port: SNMP_PORT, community: 'cuvan-ro', users: [], netns: ns.name });
    ({ sfu, nms, engineer } = await startSfuAndNms({
      sfu: { listenIp: '0.0.0.0', announcedAddress: ns.hostIp, tlsNames: [ns.hostIp] },
      // Ten pings every 2 s: a round's loss is a fair measure of a 30 % drop.
      nms: { demo: false, extraConfig: ['probes:', '  intervalSeconds: 2', '  pingsPerRound: 10', '  timeoutMs: 500'] },
    }));
    host = await launchChromium({ caFile: sfu.caFile });
    // The commune's router and its uplink to the district, as a network engineer enters them.
    await nmsApi('POST', '/devices', {
      name: 'cuvan-r1',
      siteCode: COMMUNE,
      role: 'router',
      address: ns.nsIp,
      snmpPort: SNMP_PORT,
      snmp: { version: '2c', community: 'cuvan-ro' },
      probe: true,
      pollIntervalSeconds: 5,
    });
    linkId = (
      await nmsApi('POST', '/links', {
        name: LINK_NAME,
        downstream: { siteCode: COMMUNE, device: 'cuvan-r1', interface: `ltn${SUBNET}` },
        upstream: { siteCode: 'TN-DT' },
        speedBps: 100_000_000,
        role: 'primary',
      })
    ).link.id;
    await waitFor(linkState, (h) => h.state === 'up', 45_000, `link up in nms:\n${nms.output()}`);

    chair = await loginAndJoin(host, sfu.httpsUrl(), 'chutri.tinh', PASSWORD);
    await loginAndJoin(host, sfu.httpsUrl(), 'daibieu.dt', PASSWORD);
    communeBrowser = await launchChromium({ executablePath: ns.chromiumWrapper, caFile: sfu.caFile });
    await loginAndJoin(communeBrowser, sfu.httpsUrl(ns.hostIp), 'xa.cuvan', PASSWORD);
    await chair.locator(`[data-testid=console-site][data-code="${COMMUNE}"]`).waitFor({ timeout: 30_000 });
  }, 180_000);

  afterAll(async () => {
    await communeBrowser?.close().catch(() => undefined);
    await host?.close().catch(() => undefined);
    await nms?.stop();
    await sfu?.stop();
    await snmpd?.stop();
    ns?.remove();
  });

  it('loss on the commune link: the console names that link with its loss, and nms raises its event to critical', async () => {
    // sfu-server tells nms the sites of live meetings every few seconds: the commune is marked live first.
    await waitFor(
      async () => (await nmsApi('GET', `/sites/${COMMUNE}`)).site.inLiveMeeting as boolean,
      (live) => live,
      15_000,
      'nms to know the commune is in a live meeting',
    );
    drop(ns, 30);
    const seen = await waitFor(
      () => cause(COMMUNE),
      (c) => c?.kind === 'link',
      90_000,
      'a link named as the cause at the chair',
    );
    expect(seen).toMatchObject({ kind: 'link', link: linkId });
    expect(seen!.text).toContain(`Do tuyến ${LINK_NAME} (Suy giảm)`);
    expect(seen!.text).toMatch(/Mất gói \d+%/);
    // The commune's own badge says poor; the district, on a clean path with good quality, gets no cause.
    expect(await chair.getAttribute(`[data-testid=console-site][data-code="${COMMUNE}"] [data-testid=quality]`, 'data-grade')).toMatch(
      /poor|fair/,
    );
    expect(await cause('TN-DT')).toBeNull();
    // nms learnt the commune is in a live meeting: the link's change is critical and names it.
    const events = (await nmsApi('GET', '/events?limit=100')).events as {
      kind: string;
      linkId: string | null;
      severity: string;
      details?: { to?: string; liveSites?: string[] };
    }[];
    const degraded = events.find((e) => e.kind === 'link_state' && e.linkId === linkId && e.details?.to === 'degraded');
    expect(degraded, JSON.stringify(events.slice(0, 5))).toMatchObject({ severity: 'critical', details: { liveSites: [COMMUNE] } });
  }, 120_000);

  it("media suffers but the link is clean (ping passes): the console says it is the site's own connection", async () => {
    // ICMP spared: nms's probe sees a clean link; the commune's media (UDP) still loses packets.
    drop(ns, 30, ['meta l4proto icmp']);
    const seen = await waitFor(
      () => cause(COMMUNE),
      (c) => c?.kind === 'site',
      90_000,
      "the site's own connection named at the chair",
    );
    expect(seen!.text).toContain('do kết nối riêng của điểm cầu');
    expect((await linkState()).state).toBe('up');
  }, 120_000);

  it('the path clean and the drops gone: the cause leaves the console once the quality is back', async () => {
    drop(ns, 0);
    await waitFor(
      () => cause(COMMUNE),
      (c) => c === null,
      90_000,
      'no cause once the commune is good again',
    );
    await waitConnected(chair);
  }, 120_000);

  it("the quality report marks the link's changes on the commune's charts and lists them; the district has none", async () => {
    const [page] = await Promise.all([chair.context().waitForEvent('page'), chair.getByTestId('quality-link').click()]);
    const site = page.locator(`[data-testid=quality-site][data-code="${COMMUNE}"]`);
    await site.waitFor({ timeout: 15_000 });
    expect(await site.getByTestId('quality-net-count').textContent()).toMatch(/\d+ thay đổi tuyến/);
    expect(await page.locator('[data-testid=quality-site][data-code="TN-DT"] [data-testid=quality-net-count]').count()).toBe(0);
    await site.locator('summary').click();
    await site.getByTestId('quality-chart-loss').locator('canvas').waitFor({ timeout: 5000 });
    const marks = await site
      .getByTestId('quality-network-event')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-link'), e.getAttribute('data-state'), e.textContent ?? '']));
    // Degraded while packets were dropped, then up again once ping passed.
    const states = marks.map(([, state]) => state);
    expect(states.indexOf('degraded'), JSON.stringify(marks)).toBeGreaterThanOrEqual(0);
    expect(states.lastIndexOf('up')).toBeGreaterThan(states.indexOf('degraded'));
    expect(marks.every(([link]) => link === linkId)).toBe(true);
    expect(marks.find(([, state]) => state === 'degraded')![2]).toMatch(new RegExp(`${LINK_NAME}: Suy giảm \\(Mất gói \\d+%`));
    await page.close();
  }, 60_000);
});

/** The cause the chair's console shows for a site (null: none shown). */
function chairCause(page: () => Page) {
  return async (code: string) => {
    // One read of the page: the line may go between two reads.
    const found = await page()
      .locator(`[data-testid=console-site][data-code="${code}"] [data-testid=console-cause]`)
      .evaluateAll((els) =>
        els.map((e) => ({ kind: e.getAttribute('data-kind'), link: e.getAttribute('data-link'), text: e.textContent ?? '' })),
      );
    return found[0] ?? null;
  };
}
