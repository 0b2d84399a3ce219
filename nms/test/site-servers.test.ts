// Which media server serves each site, and which WAN links carry a cascade between two servers:
// rebuilt from sfu-server's directory alone (a server's parent is the server just above its subtree).
import { describe, expect, it } from 'vitest';
import { SiteServers } from '../src/domain/site-servers';
import type { SiteNode } from '../src/domain/topology';

const server = (id: string) => ({ id, name: `Máy chủ ${id}`, url: `https://${id}.example.vn` });
const P = server('tinh');
const DT = server('dai-tu');
const CV = server('cu-van');
const VN = server('vo-nhai');

const SITES: SiteNode[] = [
  { code: 'TN', name: 'Tỉnh', parentCode: null, server: P },
  { code: 'TN-DT', name: 'Đại Từ', parentCode: 'TN', server: DT },
  { code: 'TN-DT-CUVAN', name: 'Cù Vân', parentCode: 'TN-DT', server: CV },
  { code: 'TN-DT-X1', name: 'Xã 1', parentCode: 'TN-DT', server: DT },
  { code: 'TN-VN', name: 'Võ Nhai', parentCode: 'TN', server: VN },
  { code: 'TN-PB', name: 'Phú Bình', parentCode: 'TN', server: P },
  { code: 'TN-PB-X1', name: 'Xã PB 1', parentCode: 'TN-PB', server: P },
  { code: 'TN-SC', name: 'Sông Công', parentCode: 'TN' },
];

describe('site servers', () => {
  const s = new SiteServers(SITES);

  it("names each site's server, null when the directory did not", () => {
    expect(s.of('TN-DT-X1')).toEqual(DT);
    expect(s.of('TN-PB-X1')).toEqual(P);
    expect(s.of('TN-SC')).toBeNull();
    expect(s.of('NOPE')).toBeNull();
  });

  it('rebuilds the server tree: each server under the server just above its subtree', () => {
    expect([P, DT, CV, VN].map((x) => s.parentId(x.id))).toEqual([null, 'tinh', 'dai-tu', 'tinh']);
  });

  it('marks a link whose ends are served by a server and its parent server, either way round', () => {
    expect(s.cascadeBetween('TN-DT', 'TN')).toEqual({ child: DT, parent: P });
    expect(s.cascadeBetween('TN', 'TN-DT')).toEqual({ child: DT, parent: P });
    expect(s.cascadeBetween('TN-DT-CUVAN', 'TN-DT')).toEqual({ child: CV, parent: DT });
    expect(s.cascadeBetween('TN-VN', 'TN')).toEqual({ child: VN, parent: P });
  });

  it('marks no link within one server, between sibling servers, or with an end of unknown server', () => {
    expect(s.cascadeBetween('TN-PB', 'TN')).toBeNull();
    expect(s.cascadeBetween('TN-DT-X1', 'TN-DT')).toBeNull();
    expect(s.cascadeBetween('TN-VN', 'TN-DT')).toBeNull(); // siblings: their cascade goes through the province
    expect(s.cascadeBetween('TN-DT-CUVAN', 'TN')).toBeNull(); // grandchild: not a hop of the server tree
    expect(s.cascadeBetween('TN-SC', 'TN')).toBeNull();
    expect(new SiteServers(SITES.map(({ server: _, ...rest }) => rest)).cascadeBetween('TN-DT', 'TN')).toBeNull();
  });
});
