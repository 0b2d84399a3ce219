// Which media server serves which site (domain/cascade/assignment.ts), and the service's guard on the site tree.
import { describe, expect, it } from 'vitest';
import {
  localServer,
  type MediaServerRecord,
  normalizeServerUrl,
  pathBetween,
  serverForSite,
  serverTree,
  validateAssignment,
} from '../src/domain/cascade/assignment';
import { MediaServerService } from '../src/domain/cascade/service';
import type { SiteRecord } from '../src/domain/sites/store';
import { SiteTree } from '../src/domain/sites/tree';
import { LOCAL_SERVER_ID } from '../src/protocol/servers';
import { MediaServerRepository } from '../src/store/media-server-repository';
import { seededDomain } from './support/core';
import { codeOf } from './support/errors';

const T = '2026-01-01T00:00:00.000Z';
const site = (id: string, parentId: string | null): SiteRecord => ({
  id,
  code: id.toUpperCase(),
  name: id,
  kind: parentId === null ? 'tinh' : 'khac',
  parentId,
  demo: false,
  createdAt: T,
  updatedAt: T,
});
// tn ─┬─ dt ─┬─ cuvan ── thon
//     │      └─ labang
//     ├─ vn ── thuongnung
//     └─ sc
// other (a second root)
const tree = new SiteTree([
  site('tn', null),
  site('dt', 'tn'),
  site('cuvan', 'dt'),
  site('thon', 'cuvan'),
  site('labang', 'dt'),
  site('vn', 'tn'),
  site('thuongnung', 'vn'),
  site('sc', 'tn'),
  site('other', null),
]);
const server = (id: string, siteId: string, over: Partial<MediaServerRecord> = {}): MediaServerRecord => ({
  id,
  name: `Máy chủ ${id}`,
  url: `https://${id}.example.vn:8443`,
  siteId,
  createdAt: T,
  updatedAt: T,
  ...over,
});
const province = server('p', 'tn');
const district = server('d', 'dt');
const commune = server('c', 'cuvan');
const vnServer = server('v', 'vn');
const all = [province, district, commune, vnServer];
const codes = (servers: MediaServerRecord[]) => validateAssignment(tree, servers).map((p) => p.code);

describe('serverForSite', () => {
  it('resolves a site to the server of its nearest assigned ancestor, the site itself included', () => {
    const of = (siteId: string) => serverForSite(tree, all, siteId)?.id;
    expect(of('tn')).toBe('p');
    expect(of('sc')).toBe('p');
    expect(of('dt')).toBe('d');
    expect(of('labang')).toBe('d');
    expect(of('cuvan')).toBe('c');
    expect(of('thon')).toBe('c');
    expect(of('thuongnung')).toBe('v');
    // Under another root nobody serves: the province server.
    expect(of('other')).toBe('p');
    expect(of('nope')).toBeUndefined();
  });

  it('answers "this server" for every site while no server is configured', () => {
    for (const s of tree.all()) expect(serverForSite(tree, [], s.id)?.id).toBe(LOCAL_SERVER_ID);
    const here = localServer('https://tinh.example.vn');
    expect(serverForSite(tree, [], 'thon', here)).toBe(here);
  });
});

describe('validateAssignment', () => {
  it('accepts no servers, one province server, and a valid tree of servers', () => {
    expect(codes([])).toEqual([]);
    expect(codes([province])).toEqual([]);
    expect(codes(all)).toEqual([]);
  });

  it('wants exactly one server at a root site once any server is configured', () => {
    expect(codes([district, commune])).toEqual(['SERVER_ROOT_REQUIRED']);
    expect(codes([province, server('o', 'other')])).toEqual(['SERVER_ROOT_TAKEN']);
  });

  it('allows at most one server per site', () => {
    expect(codes([province, district, server('d2', 'dt')])).toEqual(['SERVER_SITE_TAKEN']);
  });

  it('wants each server on an existing site', () => {
    expect(codes([province, server('x', 'gone')])).toEqual(['NOT_FOUND']);
  });

  it('wants https URLs, unique once normalized', () => {
    expect(codes([province, server('d', 'dt', { url: 'http://d.example.vn' })])).toEqual(['SERVER_URL_INVALID']);
    expect(codes([province, server('d', 'dt', { url: 'not a url' })])).toEqual(['SERVER_URL_INVALID']);
    expect(codes([province, server('d', 'dt', { url: 'https://user:pw@d.example.vn' })])).toEqual(['SERVER_URL_INVALID']);
    expect(codes([province, server('d', 'dt', { url: 'HTTPS://P.Example.VN:8443/' })])).toEqual(['SERVER_URL_TAKEN']);
    expect(normalizeServerUrl('HTTPS://Huyen.Example.VN:443/sfu/')).toBe('https://huyen.example.vn/sfu');
  });

  it('wants unique names, whatever their case and spaces', () => {
    expect(codes([province, server('d', 'dt', { name: '  MÁY CHỦ P ' })])).toEqual(['SERVER_NAME_TAKEN']);
  });

  it('names the server each problem is about', () => {
    const problems = validateAssignment(tree, [province, server('d2', 'tn', { url: province.url })]);
    expect(problems.map((p) => [p.code, p.serverId])).toEqual([
      ['SERVER_SITE_TAKEN', 'd2'],
      ['SERVER_URL_TAKEN', 'd2'],
      ['SERVER_ROOT_TAKEN', 'd2'],
    ]);
  });
});

describe('serverTree and pathBetween', () => {
  const links = serverTree(tree, all);

  it('links each server to the server of its nearest assigned strict ancestor', () => {
    expect(Object.fromEntries(links)).toEqual({ p: null, d: 'p', c: 'd', v: 'p' });
    // A skipped level links to the next assigned one up: the commune server under the province.
    expect(Object.fromEntries(serverTree(tree, [province, commune]))).toEqual({ p: null, c: 'p' });
    // A server under another root hangs off the province server.
    expect(Object.fromEntries(serverTree(tree, [province, server('o', 'other')]))).toEqual({ p: null, o: 'p' });
  });

  it('walks the tree path, up to the meeting point and down again', () => {
    expect(pathBetween(links, 'c', 'v')).toEqual(['c', 'd', 'p', 'v']);
    expect(pathBetween(links, 'v', 'c')).toEqual(['v', 'p', 'd', 'c']);
    expect(pathBetween(links, 'c', 'p')).toEqual(['c', 'd', 'p']);
    expect(pathBetween(links, 'p', 'c')).toEqual(['p', 'd', 'c']);
    expect(pathBetween(links, 'd', 'd')).toEqual(['d']);
    // The next hop toward an origin is path[1]: the commune asks the district, never the province.
    expect(pathBetween(links, 'c', 'v')[1]).toBe('d');
    expect(pathBetween(links, 'c', 'nope')).toEqual([]);
    expect(
      pathBetween(
        new Map([
          ['a', null],
          ['b', null],
        ]),
        'a',
        'b',
      ),
    ).toEqual([]);
  });
});

describe('the site tree keeps its servers', () => {
  it('refuses to delete a served site or move the province server off the top, and changes nothing', async () => {
    const d = await seededDomain();
    try {
      const servers = new MediaServerService(new MediaServerRepository(d.store.db), d.sites, d.clock, 'https://tinh.example.vn');
      expect(servers.serverForSite(d.site('TN-DT-CUVAN').id).url).toBe('https://tinh.example.vn');
      const p = servers.create(d.actors.admin, { name: 'Tỉnh', url: 'https://tinh.example.vn/', siteId: d.site('TN').id });
      expect(p.url).toBe('https://tinh.example.vn');
      const hamlet = d.sites.create(d.actors.admin, { code: 'TN-DT-X1', name: 'Thôn', kind: 'khac', parentId: d.site('TN-DT').id });
      servers.create(d.actors.admin, { name: 'Thôn', url: 'https://thon.example.vn', siteId: hamlet.id });
      expect(codeOf(() => d.sites.remove(d.actors.admin, hamlet.id))).toBe('SITE_HAS_SERVER');
      expect(d.sites.find(hamlet.id)).toBeDefined();
      const top = d.sites.create(d.actors.admin, { code: 'HN', name: 'Hà Nội', kind: 'tinh', parentId: null });
      expect(codeOf(() => d.sites.move(d.actors.admin, d.site('TN').id, top.id))).toBe('SERVER_ROOT_REQUIRED');
      expect(d.site('TN').parentId).toBeNull();
      const csv = 'code,name,kind,parentCode\nTN,Tỉnh Thái Nguyên,tinh,HN\n';
      expect(codeOf(() => d.transfer.importCsv(d.actors.admin, csv))).toBe('SERVER_ROOT_REQUIRED');
      expect(d.site('TN').parentId).toBeNull();
      expect(codeOf(() => servers.create(d.actors.opDt, { name: 'X', url: 'https://x.example.vn', siteId: d.site('TN-DT').id }))).toBe(
        'FORBIDDEN',
      );
      expect(servers.list().map((s) => s.name)).toEqual(['Tỉnh', 'Thôn']);
    } finally {
      d.store.close();
    }
  });
});

describe('the demo district server (npm run start:cascade)', () => {
  it("is added once, under its own id, checked as an admin's would be", async () => {
    const d = await seededDomain();
    try {
      const servers = new MediaServerService(new MediaServerRepository(d.store.db), d.sites, d.clock, 'https://tinh.example.vn');
      servers.seedProvince(d.site('TN').id, 'Tỉnh');
      const body = { id: 'huyen-dai-tu', name: 'Máy chủ Huyện Đại Từ', url: 'https://127.0.0.1:8445/', siteId: d.site('TN-DT').id };
      expect(servers.seedDistrict(body)).toMatchObject({ id: 'huyen-dai-tu', url: 'https://127.0.0.1:8445' });
      expect(servers.seedDistrict(body)).toBeNull();
      expect(servers.serverForSite(d.site('TN-DT-CUVAN').id).id).toBe('huyen-dai-tu');
      expect(codeOf(() => servers.seedDistrict({ ...body, id: 'other', name: 'Khác', url: 'http://x.example.vn' }))).toBe(
        'SERVER_URL_INVALID',
      );
      expect(codeOf(() => servers.seedDistrict({ ...body, id: 'other', name: 'Khác', url: 'https://x.example.vn' }))).toBe(
        'SERVER_SITE_TAKEN',
      );
      expect(servers.list().map((s) => s.id)).toHaveLength(2);
    } finally {
      d.store.close();
    }
  });
});
