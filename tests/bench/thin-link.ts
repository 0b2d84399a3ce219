// Media on thin links (not pass/fail): a commune in a network namespace shaped with tc tbf both ways
// and nftables random drops joins a meeting of three sites in Chromium. Per case: received audio
// concealment (inbound-rtp concealedSamples / totalSamplesReceived, worst remote site), video freezes
// (freezeCount, totalFreezesDuration summed over remote sites) over a window after the first 10 s,
// and the first remote frame after entering the room. Adaptation on vs off (media.adaptation.enabled),
// runs interleaved (case by case, on then off), medians with the spread.
// Run: npm run bench -- thin-link   (BENCH_THIN_RUNS=3, BENCH_THIN_WINDOW=30, BENCH_THIN_CASES=256:0,256:2,256:5,1000:1)
import { between, enterShaped, openThinMeeting, receiveStats } from '../support/thin-link';

const RUNS = Number(process.env.BENCH_THIN_RUNS ?? 3);
const WINDOW_S = Number(process.env.BENCH_THIN_WINDOW ?? 30);
const CASES = (process.env.BENCH_THIN_CASES ?? '256:0,256:2,256:5,1000:1').split(',').map((c) => {
  const [rate, loss] = c.split(':').map(Number);
  return { rateKbit: rate ?? 256, lossPercent: loss ?? 0 };
});

interface Figures {
  concealedPct: number;
  freezes: number;
  freezeSec: number;
  firstFrameMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function once(shape: { rateKbit: number; lossPercent: number }, adaptation: boolean): Promise<Figures> {
  const m = await openThinMeeting({ subnet: 148, adaptation });
  try {
    const firstFrameMs = await enterShaped(m, shape);
    await sleep(10_000);
    const remotes = [m.peers.chair, m.peers.district];
    const a = await receiveStats(m.page);
    await sleep(WINDOW_S * 1000);
    const w = between(a, await receiveStats(m.page), remotes);
    return {
      concealedPct: Math.max(...remotes.map((p) => w.concealedPct[p] ?? 100)),
      freezes: w.freezes,
      freezeSec: w.freezeSec,
      firstFrameMs,
    };
  } finally {
    await m.close();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}
const spread = (xs: number[], digits: number) =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

const results = new Map<string, Figures[]>();
const key = (c: { rateKbit: number; lossPercent: number }, on: boolean) =>
  `${c.rateKbit} kbit/s ${c.lossPercent} % loss, adaptation ${on ? 'on ' : 'off'}`;
console.log(
  `thin-link: ${RUNS} runs per case, ${WINDOW_S} s window after the first 10 s; cases ${CASES.map((c) => `${c.rateKbit}:${c.lossPercent}`).join(' ')}`,
);
for (let run = 0; run < RUNS; run++) {
  for (const c of CASES) {
    for (const on of [true, false]) {
      const f = await once(c, on).catch((e) => {
        console.log(`  ${key(c, on)} run ${run + 1}: failed: ${(e as Error).message.split('\n')[0]}`);
        return null;
      });
      if (!f) continue;
      results.set(key(c, on), [...(results.get(key(c, on)) ?? []), f]);
      console.log(
        `  ${key(c, on)} run ${run + 1}: concealed=${f.concealedPct.toFixed(2)}% freezes=${f.freezes} (${f.freezeSec.toFixed(1)} s) first-frame=${f.firstFrameMs} ms`,
      );
    }
  }
}
console.log('\ncase                                      concealed %        freezes         frozen s          first frame ms');
for (const [k, fs] of results) {
  console.log(
    `${k.padEnd(42)}${spread(
      fs.map((f) => f.concealedPct),
      2,
    ).padEnd(19)}${spread(
      fs.map((f) => f.freezes),
      0,
    ).padEnd(16)}${spread(
      fs.map((f) => f.freezeSec),
      1,
    ).padEnd(18)}${spread(
      fs.map((f) => f.firstFrameMs),
      0,
    )}`,
  );
}
