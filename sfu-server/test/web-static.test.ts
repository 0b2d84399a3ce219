// The web app as sfu-server serves it: precompressed copies by Accept-Encoding, hashed assets cached
// for good, the page itself revalidated, and no HTML where a script was asked for.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { createMetricsRegistry, HealthRegistry } from '@lienthong/kit';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/http/app';
import { IMMUTABLE, REVALIDATE } from '../src/http/web-static';

const SCRIPT = `export const text = ${JSON.stringify('xin chào '.repeat(400))};\n`;
let dir: string;
let app: FastifyInstance;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lt-web-static-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/assets/index-AbC123.js"></script>');
  writeFileSync(join(dir, 'assets/index-AbC123.js'), SCRIPT);
  writeFileSync(join(dir, 'assets/index-AbC123.js.br'), brotliCompressSync(SCRIPT));
  writeFileSync(join(dir, 'assets/index-AbC123.js.gz'), gzipSync(SCRIPT));
  writeFileSync(join(dir, 'assets/small-XyZ789.css'), 'body{margin:0}');
  app = await buildApp({
    logger: pino({ level: 'silent' }),
    health: new HealthRegistry(),
    metrics: createMetricsRegistry(),
    bodyLimit: 4096,
    webRoot: dir,
  });
});

afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('web app serving', () => {
  it('sends the brotli copy of a hashed script to a browser that takes it, cached for a year', async () => {
    const res = await app.inject({ url: '/assets/index-AbC123.js', headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/^text\/javascript|^application\/javascript/);
    expect(res.headers['cache-control']).toBe(IMMUTABLE);
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(res.rawPayload.length).toBeLessThan(SCRIPT.length / 4);
  });

  it('falls back to gzip, then to the plain file', async () => {
    const gz = await app.inject({ url: '/assets/index-AbC123.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(SCRIPT);
    const plain = await app.inject({ url: '/assets/index-AbC123.js', headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(SCRIPT);
    expect(plain.headers['cache-control']).toBe(IMMUTABLE);
  });

  it('serves a file without compressed copies as it is, still immutable', async () => {
    const res = await app.inject({ url: '/assets/small-XyZ789.css', headers: { 'accept-encoding': 'br, gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body).toBe('body{margin:0}');
    expect(res.headers['cache-control']).toBe(IMMUTABLE);
  });

  it('has the page itself revalidated on every load, answering 304 while unchanged', async () => {
    const first = await app.inject({ url: '/', headers: { 'accept-encoding': 'br' } });
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe(REVALIDATE);
    expect(first.body).toContain('/assets/index-AbC123.js');
    const etag = String(first.headers.etag);
    expect(etag).not.toBe('undefined');
    const again = await app.inject({ url: '/', headers: { 'accept-encoding': 'br', 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
  });

  it('answers app routes with the page, revalidated too', async () => {
    const res = await app.inject({ url: '/meetings/today' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe(REVALIDATE);
  });

  it('answers a missing asset (an old release) with 404, not the page', async () => {
    const res = await app.inject({ url: '/assets/index-Old999.js', headers: { 'accept-encoding': 'br' } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/json/);
    expect(res.headers['cache-control']).not.toBe(IMMUTABLE);
  });
});
