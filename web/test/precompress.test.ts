// The build's compressed copies: what sfu-server sends to a site on a thin link must decode to the
// very file the build wrote, and only files worth compressing get copies.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { precompressDir } from '../build/precompress';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('precompressDir', () => {
  it('writes brotli and gzip copies that decode to the original', () => {
    dir = mkdtempSync(join(tmpdir(), 'lt-precompress-'));
    mkdirSync(join(dir, 'assets'));
    const js = `const rows = [${Array.from({ length: 300 }, (_, i) => `{id:${i},name:"xã ${i}"}`).join(',')}];\n`;
    writeFileSync(join(dir, 'assets/index-AbC.js'), js);
    writeFileSync(join(dir, 'assets/index-AbC.css'), `.a{color:red}\n`.repeat(200));
    const done = precompressDir(dir);
    expect(done.map((d) => d.file).sort()).toEqual([join(dir, 'assets/index-AbC.css'), join(dir, 'assets/index-AbC.js')]);
    const br = readFileSync(join(dir, 'assets/index-AbC.js.br'));
    const gz = readFileSync(join(dir, 'assets/index-AbC.js.gz'));
    expect(brotliDecompressSync(br).toString()).toBe(js);
    expect(gunzipSync(gz).toString()).toBe(js);
    expect(br.length).toBeLessThan(gz.length);
    expect(br.length).toBeLessThan(Buffer.byteLength(js) / 3);
  });

  it('leaves tiny files, source maps and binary formats alone', () => {
    dir = mkdtempSync(join(tmpdir(), 'lt-precompress-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
    writeFileSync(join(dir, 'index.js.map'), JSON.stringify({ mappings: 'AAAA;'.repeat(2000) }));
    writeFileSync(join(dir, 'logo.png'), Buffer.alloc(4096, 7));
    expect(precompressDir(dir)).toEqual([]);
    for (const f of ['index.html', 'index.js.map', 'logo.png']) {
      expect(existsSync(join(dir, `${f}.br`)), f).toBe(false);
      expect(existsSync(join(dir, `${f}.gz`)), f).toBe(false);
    }
  });
});
