// The REST route table itself: paths and params agree, and URLs are built and matched as
// Fastify routes them (the web client builds its URLs with routeUrl).
import { matchRoute, routeUrl } from '@lienthong/kit';
import { describe, expect, it } from 'vitest';
import { SfuRoutes } from '../src/protocol';

describe('SfuRoutes', () => {
  it('names each :param of a path in its params schema, and nothing else', () => {
    for (const [name, spec] of Object.entries(SfuRoutes)) {
      const inPath = [...spec.path.matchAll(/:(\w+)/g)].map((m) => m[1]).sort();
      const schema = 'params' in spec ? Object.keys(spec.params.properties).sort() : [];
      expect([name, inPath]).toEqual([name, schema]);
    }
  });

  it('has one route per method and path, all under /api/', () => {
    const keys = Object.values(SfuRoutes).map((s) => `${s.method} ${s.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of keys) expect(k).toMatch(/^[A-Z]+ \/api\//);
  });

  it('builds URLs with encoded params and the defined query values', () => {
    expect(routeUrl(SfuRoutes['attendance.csv'], { params: { id: 'a b/c' } })).toBe('/api/meetings/a%20b%2Fc/attendance.csv');
    expect(routeUrl(SfuRoutes['meetings.upcoming'], { query: { includeCancelled: true, siteId: undefined, limit: 5 } })).toBe(
      '/api/meetings/upcoming?includeCancelled=true&limit=5',
    );
    expect(routeUrl(SfuRoutes['sites.list'])).toBe('/api/sites');
    expect(() => routeUrl(SfuRoutes['sites.get'], {})).toThrow(/missing :id/);
  });

  it('matches a request to its route, fixed segments before params', () => {
    expect(matchRoute(SfuRoutes, 'GET', '/api/meetings/upcoming?limit=3')?.[0]).toBe('meetings.upcoming');
    expect(matchRoute(SfuRoutes, 'GET', '/api/meetings/m-1')?.[0]).toBe('meetings.get');
    expect(matchRoute(SfuRoutes, 'GET', '/api/sites/directory')?.[0]).toBe('sites.directory');
    expect(matchRoute(SfuRoutes, 'post', '/api/sites/s-1/move')?.[0]).toBe('sites.move');
    expect(matchRoute(SfuRoutes, 'PUT', '/api/sites/s-1')).toBeUndefined();
  });
});
