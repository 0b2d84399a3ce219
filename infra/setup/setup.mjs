#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
// Idempotent machine + checkout setup used by `npm start` and `npm test`.
// Only Node built-ins here: this runs before `npm ci`.
//
//   node infra/setup/setup.mjs start|test
//
// Steps (each skipped when already done): Debian packages, the mediasoup worker
// (built offline, cached outside the repo), npm ci, the better-sqlite3 addon
// (built from source, cached), and the web bundle.
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APT_BACKPORTS, APT_PACKAGES } from './packages.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const purpose = process.argv[2] === 'test' ? 'test' : 'start';
const cacheRoot = process.env.LIENTHONG_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'lienthong');
const t0 = Date.now();

function log(msg) {
  console.log(`[setup +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
}
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`[setup] FAILED: ${cmd} ${args.join(' ')} (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}
function capture(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: root });
  return r.status === 0 ? r.stdout : null;
}
function hashFiles(paths) {
  const h = createHash('sha256');
  const walk = (p) => {
    if (!existsSync(p)) return;
    if (statSync(p).isDirectory()) {
      for (const e of readdirSync(p).sort()) if (e !== 'node_modules' && e !== 'dist') walk(join(p, e));
    } else {
      h.update(relative(root, p));
      h.update(readFileSync(p));
    }
  };
  for (const p of paths) walk(resolve(root, p));
  return h.digest('hex').slice(0, 16);
}
const readJson = (p) => JSON.parse(readFileSync(resolve(root, p), 'utf8'));

// The mirror this machine already uses for bookworm (deb822 .sources or one-line lists), so that
// backports come from the same place and the project names no mirror of its own.
function bookwormSource() {
  const dir = '/etc/apt/sources.list.d';
  const files = existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
  for (const f of files.filter((f) => f.endsWith('.sources'))) {
    for (const stanza of readFileSync(f, 'utf8').split(/\n\s*\n/)) {
      const field = (name) =>
        stanza
          .match(new RegExp(`^${name}:\\s*(.+)$`, 'mi'))?.[1]
          .trim()
          .split(/\s+/) ?? [];
      if (field('Types').includes('deb') && field('Suites').includes('bookworm') && field('URIs')[0]) {
        return { uri: field('URIs')[0], signedBy: field('Signed-By')[0] };
      }
    }
  }
  for (const f of ['/etc/apt/sources.list', ...files.filter((f) => f.endsWith('.list'))]) {
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      const m = line.match(/^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+bookworm\s/);
      if (m) return { uri: m[2], signedBy: m[1]?.match(/signed-by=(\S+)/)?.[1] };
    }
  }
  return null;
}

// 1. Debian packages: install only what is missing.
function ensureApt() {
  const wanted = [...APT_PACKAGES.base, ...(purpose === 'test' ? APT_PACKAGES.test : [])];
  const backports = APT_BACKPORTS;
  const all = [...wanted, ...backports];
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query format, not a JS template
  const out = capture('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...all]) ?? '';
  const installed = new Set(
    out
      .split('\n')
      .filter((l) => l.endsWith(' installed'))
      .map((l) => l.split(' ')[0]),
  );
  const missing = wanted.filter((p) => !installed.has(p));
  const missingBp = backports.filter((p) => !installed.has(p));
  if (missing.length === 0 && missingBp.length === 0) {
    log('Debian packages: all present');
    return;
  }
  if (process.getuid?.() !== 0) {
    console.error(`[setup] missing Debian packages (run as root to install): ${[...missing, ...missingBp].join(' ')}`);
    process.exit(1);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const srcList = '/etc/apt/sources.list.d/bookworm-backports.sources';
  if (missingBp.length && !existsSync(srcList)) {
    const main = bookwormSource();
    if (!main) {
      console.error('[setup] no apt source for bookworm found in /etc/apt: cannot add bookworm-backports for meson');
      process.exit(1);
    }
    const signedBy = main.signedBy ? `Signed-By: ${main.signedBy}\n` : '';
    writeFileSync(srcList, `Types: deb\nURIs: ${main.uri}\nSuites: bookworm-backports\nComponents: main\n${signedBy}`);
  }
  log(`Debian packages: installing ${[...missing, ...missingBp].join(' ')}`);
  run('apt-get', ['update', '-q'], { env });
  if (missing.length) run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env });
  // Debian starts its own, unconfigured coturn on a systemd machine: it would hold the TURN ports that
  // sfu-server's supervised coturn needs. Production runs it under systemd with our config (infra/production).
  if (missing.includes('coturn') && existsSync('/run/systemd/system')) {
    log('coturn: stopping the Debian default service (sfu-server runs its own coturn; see infra/production for systemd)');
    spawnSync('systemctl', ['disable', '--now', 'coturn'], { stdio: 'inherit' });
  }
  if (missingBp.length)
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', '-t', 'bookworm-backports', ...missingBp], { env });
}

// 2. mediasoup worker, keyed by version + build inputs.
function workerBinary() {
  const version = readJson('sfu-server/package.json').dependencies.mediasoup;
  const key = `${version}-${hashFiles(['infra/mediasoup-worker'])}`;
  const bin = join(cacheRoot, 'mediasoup-worker', key, 'mediasoup-worker');
  if (existsSync(bin)) {
    log(`mediasoup worker ${version}: cached (${bin})`);
  } else {
    log(`mediasoup worker ${version}: not cached, building (about 4 minutes)`);
    run('bash', [join(root, 'infra/mediasoup-worker/build.sh'), version, bin]);
  }
  return { bin, key };
}

// 3. npm ci when the lockfile changed since the last install.
function ensureNodeModules(worker) {
  const stamp = join(root, 'node_modules/.lienthong-install');
  const want = hashFiles(['package-lock.json']);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) {
    log('npm dependencies: up to date');
  } else {
    log('npm dependencies: npm ci');
    // .npmrc has ignore-scripts=true; the env var is belt and braces for mediasoup's postinstall.
    run('npm', ['ci', '--no-audit', '--no-fund'], { env: { ...process.env, MEDIASOUP_WORKER_BIN: worker.bin } });
    writeFileSync(stamp, want);
  }
  // Place the worker where mediasoup looks by default, so no env var is needed at run time.
  const dest = join(root, 'node_modules/mediasoup/worker/out/Release/mediasoup-worker');
  const same = existsSync(dest) && readFileSync(dest).equals(readFileSync(worker.bin));
  if (!same) {
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(worker.bin, dest);
    chmodSync(dest, 0o755);
    log('mediasoup worker: placed in node_modules/mediasoup');
  }
}

// 4. better-sqlite3 native addon: build from source (no prebuilt download), cached by version + ABI.
function ensureSqlite() {
  const pkgDir = join(root, 'node_modules/better-sqlite3');
  const version = readJson('node_modules/better-sqlite3/package.json').version;
  const addon = join(pkgDir, 'build/Release/better_sqlite3.node');
  const cached = join(cacheRoot, 'better-sqlite3', `${version}-abi${process.versions.modules}`, 'better_sqlite3.node');
  if (existsSync(addon)) {
    log('better-sqlite3 addon: present');
    return;
  }
  if (!existsSync(cached)) {
    log(`better-sqlite3 ${version}: compiling from source (about 1 minute)`);
    const gyp = join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
    // Node's own headers (Debian/nodesource ship them under <prefix>/include/node): no header download.
    const nodedir = resolve(dirname(process.execPath), '..');
    run(process.execPath, [gyp, 'rebuild', '--release', '--jobs=2', `--nodedir=${nodedir}`], { cwd: pkgDir });
    mkdirSync(dirname(cached), { recursive: true });
    copyFileSync(addon, cached);
  } else {
    mkdirSync(dirname(addon), { recursive: true });
    copyFileSync(cached, addon);
    log('better-sqlite3 addon: restored from cache');
  }
}

// 5. Web bundle, rebuilt when web or the protocol it imports changed.
function ensureWeb() {
  const stamp = join(root, 'web/dist/.lienthong-build');
  const want = hashFiles(['web', 'kit/src', 'sfu-server/src/protocol', 'nms/src/protocol', 'package-lock.json']);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) {
    log('web bundle: up to date');
    return;
  }
  log('web bundle: building with vite');
  run('npm', ['run', 'build', '--workspace', 'web']);
  writeFileSync(stamp, want);
}

ensureApt();
const worker = workerBinary();
ensureNodeModules(worker);
ensureSqlite();
ensureWeb();
log(`ready for npm ${purpose}`);
