// The built web app (web/dist) at /. Vite names every file under assets/ by its content hash, so those
// are cached for a year and never revalidated; index.html (and the single-page fallback) is revalidated
// on each load (no-cache, answered 304 while unchanged), so a new release is picked up at once. Text
// files are sent as the .br/.gz copies the build wrote (web/build/precompress.ts): a commune on a
// 256 kbit/s link loads a fraction of the bytes.
import { resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import { installNotFound } from '@lienthong/kit';
import type { FastifyInstance } from 'fastify';

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

export async function serveWebApp(app: FastifyInstance, webRoot: string): Promise<void> {
  const root = resolve(webRoot);
  const assets = `${resolve(root, 'assets')}${sep}`;
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    index: 'index.html',
    preCompressed: true,
    // send's own header would be public, max-age=0; ours depends on the file.
    cacheControl: false,
    setHeaders(res, path) {
      res.setHeader('cache-control', path.startsWith(assets) ? IMMUTABLE : REVALIDATE);
      // Caches between here and the browser must key the .br and .gz answers apart.
      res.setHeader('vary', 'accept-encoding');
    },
  });
  // Single-page app: unknown non-API GETs get index.html. A missing hashed asset (an old release's
  // chunk) is a 404, never the page: a script or style must not be answered with HTML.
  installNotFound(app, (req, reply) => {
    if (req.method !== 'GET' || req.url.startsWith('/api/') || req.url.startsWith('/socket.io/') || req.url.startsWith('/assets/')) {
      return false;
    }
    void reply.sendFile('index.html');
    return true;
  });
}
