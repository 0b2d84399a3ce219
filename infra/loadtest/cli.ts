// `npm run loadtest -- --sites N ...`: see args.ts (or --help) for the options and README.md ("Load test").
import { writeFileSync } from 'node:fs';
import { HELP, parseOptions } from './args';
import { ApiError } from './http';
import { formatReport, type LoadTestReport } from './report';
import { runLoadTest } from './runner';

async function main(): Promise<number> {
  let opts: ReturnType<typeof parseOptions>;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (!opts) {
    console.log(HELP);
    return 0;
  }
  const abort = new AbortController();
  process.on('SIGINT', () => {
    if (abort.signal.aborted) process.exit(130);
    console.error('\nstopping: closing the sites and removing what the test created (Ctrl-C again to quit at once)');
    abort.abort();
  });
  let report: LoadTestReport;
  try {
    report = await runLoadTest(opts, (line) => console.log(line), abort.signal);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'LOAD_TEST_DISABLED') {
      console.error(
        `refused: ${opts.url} does not accept load tests. Set loadTest.enabled: true in the server's config (test servers only); nothing was changed.`,
      );
      return 2;
    }
    console.error(`load test failed: ${(e as Error).message}`);
    return 2;
  }
  console.log(`\n${formatReport(report)}`);
  if (opts.json) writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`);
  return report.failed > 0 || report.errors.length > 0 ? 1 : 0;
}

// wrtc's threads keep the process alive after the sites close: leave explicitly.
main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
