import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig, redactConfig } from '@lienthong/kit';
import { describe, expect, it } from 'vitest';
import { SfuConfigSchema, sfuDefaults } from '../src/config/schema';

const dir = mkdtempSync(join(tmpdir(), 'lt-config-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const main = resolve(__dirname, '../src/main.ts');
const checkConfig = (file: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', main, '--config', file, '--check-config'], {
    encoding: 'utf8',
    cwd: resolve(__dirname, '../..'),
  });

describe('sfu-server config', () => {
  it('accepts the shipped sample', () => {
    const cfg = loadConfig({ schema: SfuConfigSchema, defaults: sfuDefaults, file: resolve(__dirname, '../config.sample.yaml') });
    expect(cfg.media.basePort).toBe(20000);
    expect(cfg.auth.initialAdminPassword).toBe('change-me-now');
  });

  it('rejects unknown keys by name, and wrong types by path', () => {
    const file = write('bad.yaml', 'http:\n  port: 8081\n  prot: 1\nmedia:\n  workers: many\n');
    try {
      loadConfig({ schema: SfuConfigSchema, defaults: sfuDefaults, file });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join('\n');
      expect(problems).toContain('/http/prot: unknown key');
      expect(problems).toContain('/media/workers');
    }
  });

  it('redacts secrets', () => {
    const red = redactConfig(SfuConfigSchema, { ...sfuDefaults, auth: { ...sfuDefaults.auth, initialAdminPassword: 'hunter2hunter2' } });
    expect(JSON.stringify(red)).not.toContain('hunter2hunter2');
  });

  it('--check-config exits 0 on a valid file and 1 naming the bad key, without printing secrets', () => {
    const ok = checkConfig(write('ok.yaml', 'auth:\n  initialAdminPassword: s3cret-value-xyz\n'));
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('config OK');
    expect(ok.stdout + ok.stderr).not.toContain('s3cret-value-xyz');
    const bad = checkConfig(write('bad2.yaml', 'demo:\n  sed: true\n'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('/demo/sed: unknown key');
  });
});
