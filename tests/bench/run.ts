// `npm run bench`: every benchmark in this folder, one after the other (each in
// its own process so one's load never skews another). Not part of `npm test`.
// `npm run bench -- web-load` runs only the files whose name contains the argument.
// `npm run bench -- thin-link`: media on shaped links (tc tbf + nftables drops), adaptation on vs off.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = import.meta.dirname;
const only = process.argv[2];
const benches = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && (!only || f.includes(only)));
let failed = 0;
for (const f of benches) {
  console.log(`\n=== ${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(dir, f)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
