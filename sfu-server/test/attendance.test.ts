// Attendance and audit persistence, and the CSV / minutes / audit routes with their permissions.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../src/core';
import { authorityFromSchedule } from '../src/domain/floor/authority';
import { FloorControl } from '../src/domain/floor/floor-control';
import { attendanceCsv } from '../src/http/routes/attendance';
import { ChairRepository } from '../src/store/chair-repository';
import { adminToken, makeApp, makeCore, tempDir } from './support/core';

describe('attendance exports', () => {
  let core: Core;
  let app: FastifyInstance;
  let cleanup: () => void;
  let meetingId: string;
  const tmp = tempDir();
  const tokens: Record<string, string> = {};
  const get = (url: string, as: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens[as]}` } });

  beforeAll(async () => {
    ({ core, cleanup } = await makeCore({ dataDir: tmp.dir }));
    app = await makeApp(core);
    for (const [u, p] of [
      ['chutri.tinh', 'lienthong123'],
      ['daibieu.pl', 'lienthong123'],
      ['kythuat.tinh', 'lienthong123'],
    ]) {
      const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: u, password: p } });
      tokens[u!] = (r.json() as { token: string }).token;
    }
    tokens.admin = await adminToken(app);
    const list = (await get('/api/meetings/upcoming', 'chutri.tinh')).json() as { meetings: { id: string; phase: string }[] };
    meetingId = list.meetings.find((m) => m.phase === 'live')!.id;
    // A roll call as signalling records it.
    const f = new FloorControl(core.sites.getByCode('TN')!.id, authorityFromSchedule({ userId: 'u', name: 'Chủ trì' }, []));
    const s = (code: string) => ({ siteId: core.sites.getByCode(code)!.id, siteCode: code, siteName: core.sites.getByCode(code)!.name });
    const rc = f.startRollCall('u', 'rc-1', [s('TN-DT'), s('TN-PL'), s('TN-DH')], Date.UTC(2025, 0, 2, 1, 0, 0));
    const repo = new ChairRepository(core.store.db);
    repo.saveRollCall(meetingId, 'chair', rc);
    f.answerPresent(s('TN-DT').siteId, 9, Date.UTC(2025, 0, 2, 1, 1, 5));
    f.mark('u', s('TN-DH').siteId, 'absent', 'Ốm, "nghỉ phép", =1+1', null, Date.UTC(2025, 0, 2, 1, 2, 0));
    repo.saveRollCall(meetingId, 'chair', rc);
    repo.insertAudit({
      at: Date.UTC(2025, 0, 2, 1, 0, 0),
      meetingId,
      actorUserId: 'u',
      actorName: 'Chủ trì',
      actorSiteId: f.chairSiteId,
      action: 'rollcall.start',
      targetSiteId: null,
      detail: null,
    });
  });
  afterAll(async () => {
    await app?.close();
    cleanup?.();
  });

  it('CSV: BOM, Vietnamese headers and statuses, Vietnam time, quoting and no formulas', async () => {
    const r = await get(`/api/meetings/${meetingId}/attendance.csv`, 'chutri.tinh');
    expect(r.statusCode).toBe(200);
    expect(r.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = r.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines).toEqual([
      'STT,Mã đơn vị,Đơn vị,Trạng thái,Số người,Lý do,Thời gian',
      '1,TN-DT,Huyện Đại Từ,Có mặt,9,,02/01/2025 08:01:05',
      '2,TN-PL,Huyện Phú Lương,Chưa điểm danh,,,',
      `3,TN-DH,Huyện Định Hóa,Vắng,,"Ốm, ""nghỉ phép"", =1+1",02/01/2025 08:02:00`,
    ]);
    expect(attendanceCsv(undefined)).toBe('\uFEFFSTT,Mã đơn vị,Đơn vị,Trạng thái,Số người,Lý do,Thời gian\r\n');
  });

  it('minutes: a printable Vietnamese page with escaped text', async () => {
    const r = await get(`/api/meetings/${meetingId}/minutes`, 'admin');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html; charset=utf-8/);
    expect(r.body).toContain('<html lang="vi">');
    expect(r.body).toContain('Biên bản điểm danh');
    expect(r.body).toContain('Ốm, &#34;nghỉ phép&#34;');
    expect(r.body).toContain('có mặt: 1; đến muộn: 0; vắng: 1; chưa điểm danh: 1');
  });

  it('only the chair/host site, admins and operators of the host subtree; the audit log too; survives reopening', async () => {
    expect((await get(`/api/meetings/${meetingId}/attendance.csv`, 'daibieu.pl')).statusCode).toBe(403);
    expect((await get(`/api/meetings/${meetingId}/minutes`, 'daibieu.pl')).statusCode).toBe(403);
    expect((await get(`/api/meetings/${meetingId}/attendance.csv`, 'kythuat.tinh')).statusCode).toBe(200);
    expect((await get('/api/meetings/no-such/attendance.csv', 'admin')).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/api/meetings/${meetingId}/attendance.csv` })).statusCode).toBe(401);
    const audit = (await get(`/api/meetings/${meetingId}/audit`, 'chutri.tinh')).json() as { entries: { action: string }[] };
    expect(audit.entries.map((e) => e.action)).toEqual(['rollcall.start']);
    await app.close();
    core.close();
    ({ core, cleanup } = await makeCore({ dataDir: tmp.dir }));
    app = await makeApp(core);
    const again = new ChairRepository(core.store.db).rollCalls(meetingId);
    expect(again).toHaveLength(1);
    expect(again[0]!.entries.map((e) => [e.siteCode, e.status, e.headCount])).toEqual([
      ['TN-DT', 'present', 9],
      ['TN-PL', 'pending', null],
      ['TN-DH', 'absent', null],
    ]);
  });
});
