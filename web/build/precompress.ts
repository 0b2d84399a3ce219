// Build step: a brotli and a gzip copy next to every text asset of the build, so sfu-server
// (@fastify/static preCompressed) sends the smaller one without compressing on each request.
// Sites on a 256 kbit/s link wait for every byte; brotli at quality 11 is done once here.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Logger, Plugin } from 'vite';

/** What compresses: scripts, styles, markup, data, vector images. Source maps are for developers. */
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|wasm)$/;
/** Below this a compressed copy saves less than the header costs. */
const MIN_BYTES = 1024;

export interface Compressed {
  file: string;
  bytes: number;
  br: number;
  gz: number;
}

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
}

/** Writes `<file>.br` and `<file>.gz` for each compressible file of `dir` where they are smaller. */
export function precompressDir(dir: string): Compressed[] {
  const files: string[] = [];
  walk(dir, files);
  const done: Compressed[] = [];
  for (const file of files.filter((f) => COMPRESSIBLE.test(f))) {
    const raw = readFileSync(file);
    if (raw.length < MIN_BYTES) continue;
    const br = brotliCompressSync(raw, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    });
    const gz = gzipSync(raw, { level: 9 });
    if (br.length < raw.length) writeFileSync(`${file}.br`, br);
    if (gz.length < raw.length) writeFileSync(`${file}.gz`, gz);
    done.push({ file, bytes: raw.length, br: br.length, gz: gz.length });
  }
  return done;
}

/** Vite plugin: precompresses the output directory once the bundle is written. */
export function precompress(): Plugin {
  let outDir = 'dist';
  let logger: Logger | undefined;
  return {
    name: 'lienthong-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
      logger = config.logger;
    },
    writeBundle() {
      const done = precompressDir(outDir);
      const sum = (k: 'bytes' | 'br' | 'gz') => Math.round(done.reduce((s, d) => s + d[k], 0) / 1024);
      logger?.info(`precompressed ${done.length} files: ${sum('bytes')} kB → brotli ${sum('br')} kB, gzip ${sum('gz')} kB`);
    },
  };
}
