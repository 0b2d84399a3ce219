// One login for both services: a session issued by sfu-server opens nms (through the
// same-origin proxy and directly), and after logout nms refuses it too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NmsProcess, startNms } from '../support/nms-process';
import { freePort } from '../support/ports';
import { login, loginAdmin, type SfuProcess, startSfuServer } from '../support/sfu-process';

describe('single sign-on across sfu-server and nms', () => {
  let sfu: SfuProcess;
  let nms: NmsProcess;

  beforeAll(async () => {
    const nmsPort = await freePort();
    sfu = await startSfuServer({ nmsUrl: `http://127.0.0.1:${nmsPort}` });
    nms = await startNms({ publicKeyUrl: `${sfu.url}/api/auth/public-key`, port: nmsPort, demo: false });
  }, 90_000);
  afterAll(async () => {
    await nms?.stop();
    await sfu?.stop();
  });

  it('a logged-out token stops opening nms within the revocation poll interval', async () => {
    const token = await login(sfu.url, 'mang.tinh', 'lienthong123');
    const sites = () => fetch(`${nms.url}/api/nms/sites`, { headers: { authorization: `Bearer ${token}` } });
    const first = await sites();
    expect(first.status).toBe(200);
    expect(((await first.json()) as { sites: unknown[] }).sites.length).toBeGreaterThan(50);
    // The browser's way in: the same origin as the web app, proxied by sfu-server.
    const proxied = await fetch(`${sfu.url}/api/nms/sites`, { headers: { authorization: `Bearer ${token}` } });
    expect(proxied.status).toBe(200);
    expect((await fetch(`${sfu.url}/api/nms/sites`)).status).toBe(401);

    const out = await fetch(`${sfu.url}/api/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(out.status).toBe(200);
    const deadline = Date.now() + 10_000;
    let status = 200;
    while (Date.now() < deadline && status === 200) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await sites()).status;
    }
    expect(status).toBe(401);
    const body = (await (await sites()).json()) as { error: { code: string } };
    expect(body.error.code).toBe('UNAUTHENTICATED');
    // Another user's session is unaffected.
    const other = await loginAdmin(sfu.url);
    expect((await fetch(`${nms.url}/api/nms/sites`, { headers: { authorization: `Bearer ${other}` } })).status).toBe(200);
  });

  it('nms follows the site tree that sfu-server owns: a new site can carry devices within seconds', async () => {
    const admin = await loginAdmin(sfu.url);
    const engineer = await login(sfu.url, 'mang.tinh', 'lienthong123');
    const auth = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' });
    const all = (await (await fetch(`${sfu.url}/api/sites`, { headers: auth(admin) })).json()) as { sites: { id: string; code: string }[] };
    const parent = all.sites.find((s) => s.code === 'TN-DT')!;
    const device = { name: 'xa-moi-r1', siteCode: 'TN-DT-XAMOI', role: 'router', address: '127.0.0.1', probe: false };
    // Before the site exists nms refuses it, and stores nothing.
    const early = await fetch(`${nms.url}/api/nms/devices`, { method: 'POST', headers: auth(engineer), body: JSON.stringify(device) });
    expect(((await early.json()) as { error: { code: string } }).error.code).toBe('UNKNOWN_SITE');

    const created = await fetch(`${sfu.url}/api/sites`, {
      method: 'POST',
      headers: auth(admin),
      body: JSON.stringify({ code: 'TN-DT-XAMOI', name: 'Xã Mới (thử)', kind: 'xa', parentId: parent.id }),
    });
    expect(created.status).toBe(201);
    const nmsSite = async () => {
      const body = (await (await fetch(`${nms.url}/api/nms/sites`, { headers: auth(engineer) })).json()) as {
        sites: { code: string; name: string; parentCode: string | null; level: string }[];
      };
      return body.sites.find((s) => s.code === 'TN-DT-XAMOI');
    };
    let seen = await nmsSite();
    const deadline = Date.now() + 10_000;
    while (!seen && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      seen = await nmsSite();
    }
    expect(seen).toMatchObject({ name: 'Xã Mới (thử)', parentCode: 'TN-DT', level: 'commune' });
    const res = await fetch(`${nms.url}/api/nms/devices`, { method: 'POST', headers: auth(engineer), body: JSON.stringify(device) });
    expect(res.status).toBe(201);
    // Through the proxy, an oversized body gets nms's own answer, not a broken pipe.
    const big = await fetch(`${sfu.url}/api/nms/inventory/import`, {
      method: 'POST',
      headers: auth(engineer),
      body: JSON.stringify({ format: 'yaml', content: 'x'.repeat(5_000_000) }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
