import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@lienthong/kit';
import { describe, expect, it } from 'vitest';
import type { ProbeStats } from '../src/domain/monitor';
import { Prober, parseFpingC, roundStats } from '../src/probes/fping';

const root = join(import.meta.dirname, '..', '..');
const check = (yaml: string) => {
  const f = join(mkdtempSync(join(tmpdir(), 'nms-cfg-')), 'nms.yaml');
  writeFileSync(f, yaml);
  return spawnSync('npx', ['tsx', 'nms/src/main.ts', '--config', f, '--check-config'], { cwd: root, encoding: 'utf8' });
};

describe('--check-config', () => {
  it('accepts the sample config and redacts secrets', () => {
    const r = spawnSync('npx', ['tsx', 'nms/src/main.ts', '--config', 'nms/config.sample.yaml', '--check-config'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('config OK');
    expect(r.stdout).not.toContain('change-me-auth');
  });
  it('refuses an unknown key by name and a wrong type', () => {
    const r = check('snmp:\n  concurency: 5\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('/snmp/concurency: unknown key');
    expect(check('http:\n  port: "x"\n').status).toBe(1);
  });
});

describe('fping parsing', () => {
  it('parses -C output with losses and ignores other lines', () => {
    const m = parseFpingC('10.0.0.1 : 1.20 - 1.40 1.30\n10.0.0.2 : - - - -\nICMP Host Unreachable from x\n');
    expect(m.get('10.0.0.1')).toEqual([1.2, null, 1.4, 1.3]);
    expect(m.get('10.0.0.2')).toEqual([null, null, null, null]);
    expect(m.size).toBe(2);
    const s = roundStats(m.get('10.0.0.1')!, [1, 2, 3, 4]);
    expect(s.lossRatio).toBe(0.25);
    expect(s.rttMs).toBeCloseTo(1.3);
    expect(s.jitterMs).toBeCloseTo(0.15);
    expect(s.p95).toBe(4);
    expect(roundStats([null, null], []).lossRatio).toBe(1);
  });
});

describe('a real fping round', () => {
  it('a name that does not resolve counts as lost and spoils nothing else', async () => {
    const stats = new Map<string, ProbeStats>();
    const prober = new Prober({
      fpingPath: '/usr/bin/fping',
      intervalSeconds: 2,
      pingsPerRound: 2,
      timeoutMs: 300,
      windowSeconds: 60,
      targets: () => ['127.0.0.1', 'no-such-router.invalid'],
      onStats: (t, s) => stats.set(t, s),
      logger: createLogger({ service: 'nms-test', level: 'silent' }),
    });
    await prober.round();
    expect(prober.lastError).toBeNull();
    expect(stats.get('127.0.0.1')).toMatchObject({ lossRatio: 0, received: 2 });
    expect(stats.get('127.0.0.1')!.rttMs).toBeGreaterThan(0);
    expect(stats.get('no-such-router.invalid')).toMatchObject({ lossRatio: 1, received: 0, rttMs: null });
  });
});
