import { createMetricsRegistry, HealthRegistry } from '@lienthong/kit';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/http/app';

describe('ops routes', () => {
  it('/healthz is 200 when every check passes and 503 with the reasons when one fails', async () => {
    const health = new HealthRegistry();
    let storeOk = true;
    health.register('store', () => (storeOk ? { ok: true } : { ok: false, reason: 'SQLite store does not answer' }));
    health.register('mediasoup', () => ({ ok: true }));
    const app = await buildApp({ logger: pino({ level: 'silent' }), health, metrics: createMetricsRegistry(), bodyLimit: 4096 });
    const ok = await app.inject('/healthz');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ status: 'ok', checks: { store: { ok: true }, mediasoup: { ok: true } } });
    storeOk = false;
    const bad = await app.inject('/healthz');
    expect(bad.statusCode).toBe(503);
    expect(bad.json().checks.store).toEqual({ ok: false, reason: 'SQLite store does not answer' });
    await app.close();
  });

  it('/metrics exposes process metrics from a non-global registry', async () => {
    const metrics = createMetricsRegistry();
    const app = await buildApp({ logger: pino({ level: 'silent' }), health: new HealthRegistry(), metrics, bodyLimit: 4096 });
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(res.body).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    await app.close();
  });

  it('unknown routes get a coded 404', async () => {
    const app = await buildApp({
      logger: pino({ level: 'silent' }),
      health: new HealthRegistry(),
      metrics: createMetricsRegistry(),
      bodyLimit: 4096,
    });
    const res = await app.inject('/api/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'No route GET /api/nope' } });
    await app.close();
  });
});
