// Load time of the web app on thin links: Chromium in a network namespace shaped with tc tbf (both
// ways, nftables random drops) opens the login page with a fresh profile (first) and again in the same profile (repeat).
// sfu-server's serving (brotli/gzip copies, immutable hashed assets, code split) is compared with the
// same build served the old way: uncompressed, `cache-control: public, max-age=0` with ETags (every
// asset revalidated), by a plain HTTPS server with the same certificate. Runs interleave A B A B.
// Set BENCH_WEB_TODAY=<a dist dir> to add the bundle of an earlier release served the old way.
// Run: npm run bench -- web-load   (BENCH_WEB_RUNS=5, BENCH_WEB_LINKS=256:0,256:2,256:5,1000:1 as kbit/s:loss%)
import { cpSync, createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { launchChromium } from '../support/browser';
import { createNetns } from '../support/netns';
import { startSfuServer } from '../support/sfu-process';
import { shape } from '../support/shaping';
import { isScript, loadLoginPage, median } from '../support/web-load';

const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 5);
/** kbit/s:loss% each way: issue 12's cases (256 kbit/s with 0, 2 and 5 % loss; 1 Mbit/s with 1 %). */
const LINKS = (process.env.BENCH_WEB_LINKS ?? '256:0,256:2,256:5,1000:1').split(',').map((l) => {
  const [rate, loss] = l.split(':').map(Number);
  return { rateKbit: rate!, lossPercent: loss ?? 0 };
});
const SUBNET = 147;
const root = resolve(import.meta.dirname, '../..');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** What sfu-server did before: files as they are, revalidated on every use (ETag), no compression. */
function oldStyleServer(dist: string, cert: { cert: string; key: string }): Promise<Server> {
  const server = createServer(cert, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    const file = normalize(join(dist, path === '/' ? 'index.html' : path));
    let st: ReturnType<typeof statSync>;
    try {
      if (!file.startsWith(dist)) throw new Error('outside');
      st = statSync(file);
    } catch {
      res.writeHead(404).end();
      return;
    }
    const etag = `W/"${st.size.toString(16)}-${st.mtimeMs.toString(16)}"`;
    const headers = { 'cache-control': 'public, max-age=0', etag, 'last-modified': st.mtime.toUTCString() };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': st.size });
    createReadStream(file).pipe(res);
  });
  return new Promise((r) => server.listen(0, '0.0.0.0', () => r(server)));
}

interface Sample {
  first: number;
  /** Until the page fetched everything it fetches by itself (the route tables after the form). */
  firstQuiet: number;
  repeat: number;
  firstBytes: number;
  firstScriptBytes: number;
  repeatBytes: number;
}

const fmt = (xs: number[]) =>
  `${(median(xs) / 1000).toFixed(2)} s [${(Math.min(...xs) / 1000).toFixed(2)}–${(Math.max(...xs) / 1000).toFixed(2)}]`;
const kb = (xs: number[]) => `${(median(xs) / 1024).toFixed(0)} kB`;

async function main(): Promise<void> {
  // A copy of the build: a rebuild of web/dist during the run must not change what is measured.
  const dist = join(mkdtempSync(join(tmpdir(), 'lt-bench-web-')), 'dist');
  cpSync(join(root, 'web/dist'), dist, { recursive: true });
  const ns = createNetns('webload', SUBNET);
  const sfu = await startSfuServer({ tlsNames: [ns.hostIp], webRoot: dist });
  const servers: Server[] = [];
  const browser = await launchChromium({ executablePath: ns.chromiumWrapper, caFile: sfu.caFile });
  try {
    const tls = {
      cert: readFileSync(join(sfu.dataDir, 'tls/server.pem'), 'utf8'),
      key: readFileSync(join(sfu.dataDir, 'tls/server-key.pem'), 'utf8'),
    };
    const variants: [string, string][] = [['lienthong', `${sfu.httpsUrl(ns.hostIp)}/`]];
    const addOld = async (name: string, dist: string) => {
      const s = await oldStyleServer(resolve(dist), tls);
      servers.push(s);
      variants.push([name, `https://${ns.hostIp}:${(s.address() as AddressInfo).port}/`]);
    };
    await addOld('same build, old serving', dist);
    if (process.env.BENCH_WEB_TODAY) await addOld('earlier release, old serving', process.env.BENCH_WEB_TODAY);
    console.log(`web load: login page usable (field visible and enabled), ${RUNS} runs per case, interleaved; median [min–max]`);
    for (const link of LINKS) {
      shape(ns, link);
      const samples = new Map<string, Sample[]>(variants.map(([n]) => [n, []]));
      for (let i = 0; i < RUNS; i++) {
        for (const [name, url] of variants) {
          const context = await browser.newContext();
          const first = await loadLoginPage(context, url, 120_000);
          await first.page.close();
          const repeat = await loadLoginPage(context, url, 120_000);
          await context.close();
          const bytes = (fs: typeof first.fetched) => fs.reduce((s, f) => s + f.transferSize, 0);
          samples.get(name)!.push({
            first: first.loginReadyMs,
            firstQuiet: first.settledMs,
            repeat: repeat.loginReadyMs,
            firstBytes: bytes(first.fetched),
            firstScriptBytes: bytes(first.fetched.filter(isScript)),
            repeatBytes: bytes(repeat.fetched),
          });
        }
      }
      console.log(`\n  ${link.rateKbit} kbit/s, ${link.lossPercent} % loss each way`);
      for (const [name, s] of samples) {
        console.log(
          `    ${name.padEnd(30)} first ${fmt(s.map((x) => x.first))} (all fetched ${fmt(s.map((x) => x.firstQuiet))})` +
            `  repeat ${fmt(s.map((x) => x.repeat))}` +
            `  bytes first ${kb(s.map((x) => x.firstBytes))} (scripts ${kb(s.map((x) => x.firstScriptBytes))}), repeat ${kb(s.map((x) => x.repeatBytes))}`,
        );
      }
    }
  } finally {
    await browser.close();
    for (const s of servers) s.close();
    await sfu.stop();
    ns.remove();
    rmSync(dirname(dist), { recursive: true, force: true });
  }
}

await main();
