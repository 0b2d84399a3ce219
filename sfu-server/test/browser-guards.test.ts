import { createMetricsRegistry, fromForeignOrigin, HealthRegistry, metricsReader, originAllowed } from '@lienthong/kit';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/http/app';

describe('browser guards', () => {
  it('allows the same host:port as the Host header, or a configured origin, and nothing else', () => {
    expect(originAllowed('http://127.0.0.1:8080', '127.0.0.1:8080', [])).toBe(true);
    expect(originAllowed('https://hop.example.vn', 'hop.example.vn:443', [])).toBe(true);
    expect(originAllowed('http://127.0.0.1:9999', '127.0.0.1:8080', [])).toBe(false);
    expect(originAllowed('http://localhost:8080', '127.0.0.1:8080', [])).toBe(false);
    expect(originAllowed('null', '127.0.0.1:8080', [])).toBe(false);
    expect(originAllowed('file://', '127.0.0.1:8080', [])).toBe(false);
    expect(originAllowed('https://hop.example.vn', '10.0.0.5:8080', ['https://hop.example.vn'])).toBe(true);
  });

  it('judges by Origin, else by Referer; requests without either are not from a browser page', () => {
    expect(fromForeignOrigin({ host: 'a:1' }, [])).toBe(false);
    expect(fromForeignOrigin({ host: 'a:1', origin: 'http://b:1' }, [])).toBe(true);
    expect(fromForeignOrigin({ host: 'a:1', referer: 'http://b:1/x' }, [])).toBe(true);
    expect(fromForeignOrigin({ host: 'a:1', referer: 'http://a:1/#/meetings' }, [])).toBe(false);
    expect(fromForeignOrigin({ host: 'a:1', referer: 'not a url' }, [])).toBe(true);
  });

  it('lets only the token bearer, or without a token a direct loopback scraper, read /metrics', () => {
    expect(metricsReader('s3cret', { authorization: 'Bearer s3cret' }, '10.0.0.9')).toBe(true);
    expect(metricsReader('s3cret', { authorization: 'Bearer nope' }, '127.0.0.1')).toBe(false);
    expect(metricsReader('s3cret', {}, '127.0.0.1')).toBe(false);
    expect(metricsReader('', {}, '127.0.0.1')).toBe(true);
    expect(metricsReader('', {}, '::ffff:127.0.0.1')).toBe(true);
    expect(metricsReader('', {}, '10.0.0.9')).toBe(false);
    expect(metricsReader('', { 'x-forwarded-for': '10.0.0.9' }, '127.0.0.1')).toBe(false);
  });

  it('refuses a foreign page POST with FORBIDDEN_ORIGIN and sends the security headers', async () => {
    const app = await buildApp({
      logger: pino({ level: 'silent' }),
      health: new HealthRegistry(),
      metrics: createMetricsRegistry(),
      bodyLimit: 4096,
    });
    const post = await app.inject({ method: 'POST', url: '/api/anything', headers: { host: 'a:1', origin: 'http://evil:1' } });
    expect(post.statusCode).toBe(403);
    expect(post.json().error.code).toBe('FORBIDDEN_ORIGIN');
    const get = await app.inject({ url: '/healthz', headers: { host: 'a:1', origin: 'http://evil:1' } });
    expect(get.statusCode).toBe(200);
    expect(get.headers['x-frame-options']).toBe('DENY');
    expect(get.headers['x-content-type-options']).toBe('nosniff');
    expect(String(get.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    await app.close();
  });
});
