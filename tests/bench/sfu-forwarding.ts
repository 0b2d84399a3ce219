// Forwarding capacity of one mediasoup worker: synthetic VP8 senders over plain
// RTP into one meeting, ramping up receivers. Our media layer (MediaRoom on the
// worker pool) is compared with a minimal script that drives mediasoup directly,
// with the same traffic in the same run. Run: npx tsx tests/bench/sfu-forwarding.ts
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import type { types } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import pino from 'pino';
import { ROUTER_CODECS } from '../../sfu-server/src/media/codecs';
import { MediaRoom } from '../../sfu-server/src/media/media-room';
import { MediaWorkerPool } from '../../sfu-server/src/media/worker-pool';

const SENDERS = Number(process.env.BENCH_SENDERS ?? 4);
const RECEIVER_STEPS = (process.env.BENCH_RECEIVERS ?? '5,20,40,60').split(',').map(Number);
const WINDOW_S = Number(process.env.BENCH_WINDOW ?? 5);
const PT = 101;

interface Recorded {
  at: number;
  buf: Buffer;
}

/** Real VP8 RTP from ffmpeg, recorded once and replayed by every synthetic sender. */
async function recordVp8(seconds: number): Promise<Recorded[]> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const port = sock.address().port;
  const packets: Recorded[] = [];
  const t0 = performance.now();
  sock.on('message', (buf) => packets.push({ at: performance.now() - t0, buf: Buffer.from(buf) }));
  const ff = spawn('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-re',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=30',
    '-t',
    String(seconds),
    '-c:v',
    'libvpx',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    '700k',
    '-g',
    '60',
    '-payload_type',
    String(PT),
    '-ssrc',
    '1',
    '-f',
    'rtp',
    `rtp://127.0.0.1:${port}?pkt_size=1200`,
  ]);
  await new Promise((r) => ff.on('exit', r));
  sock.close();
  if (packets.length < 50) throw new Error(`ffmpeg produced only ${packets.length} RTP packets`);
  return packets;
}

/** Replays the recording in a loop for each sender, with its own SSRC and continuous seq/timestamps. */
function startSenders(rec: Recorded[], targets: { port: number; ssrc: number }[]): { stop(): void; sent(): number } {
  const sock = createSocket('udp4');
  const duration = rec[rec.length - 1]!.at + 33;
  let sent = 0;
  let loop = 0;
  let idx = 0;
  const t0 = performance.now();
  const seqSpan = rec.length;
  const tsSpan = Math.round((duration / 1000) * 90000);
  const timer = setInterval(() => {
    const now = performance.now() - t0;
    while (idx < rec.length && loop * duration + rec[idx]!.at <= now) {
      const src = rec[idx]!.buf;
      for (const t of targets) {
        const b = Buffer.from(src);
        b.writeUInt16BE((src.readUInt16BE(2) + loop * seqSpan) & 0xffff, 2);
        b.writeUInt32BE((src.readUInt32BE(4) + loop * tsSpan) >>> 0, 4);
        b.writeUInt32BE(t.ssrc, 8);
        sock.send(b, t.port, '127.0.0.1');
        sent++;
      }
      idx++;
      if (idx === rec.length) {
        idx = 0;
        loop++;
      }
    }
  }, 5);
  return {
    stop() {
      clearInterval(timer);
      sock.close();
    },
    sent: () => sent,
  };
}

function sink(): Promise<{ sock: Socket; port: number; count(): number }> {
  return new Promise((resolve) => {
    // Large receive buffer: the sink must not be where packets are lost.
    const sock = createSocket({ type: 'udp4', recvBufferSize: 32 * 1024 * 1024 });
    let n = 0;
    sock.on('message', () => n++);
    sock.bind(0, '127.0.0.1', () => resolve({ sock, port: sock.address().port, count: () => n }));
  });
}

const producerParams = (ssrc: number): types.RtpParameters => ({
  codecs: [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000, parameters: {}, rtcpFeedback: [] }],
  encodings: [{ ssrc }],
});

interface Setup {
  worker: types.Worker;
  /** Ports the senders send to (one per producer). */
  senderPorts: number[];
  addReceiver(sinkPort: number): Promise<number>; // returns consumers added
  close(): Promise<void>;
}

/** Baseline: the least code that forwards this traffic with mediasoup. */
async function baseline(): Promise<Setup> {
  const worker = await mediasoup.createWorker({ logLevel: 'error' });
  const router = await worker.createRouter({ mediaCodecs: ROUTER_CODECS });
  const producers: types.Producer[] = [];
  const senderPorts: number[] = [];
  for (let i = 0; i < SENDERS; i++) {
    const t = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, comedia: true, rtcpMux: true });
    producers.push(await t.produce({ kind: 'video', rtpParameters: producerParams(1000 + i) }));
    senderPorts.push(t.tuple.localPort);
  }
  return {
    worker,
    senderPorts,
    async addReceiver(sinkPort) {
      const t = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, comedia: false, rtcpMux: true });
      await t.connect({ ip: '127.0.0.1', port: sinkPort });
      for (const p of producers) await t.consume({ producerId: p.id, rtpCapabilities: router.rtpCapabilities });
      return producers.length;
    },
    async close() {
      worker.close();
    },
  };
}

/** Ours: the same topology through MediaWorkerPool + MediaRoom (ownership checks, events, piping logic). */
async function ours(): Promise<Setup> {
  const logger = pino({ level: 'error' });
  const pool = new MediaWorkerPool({
    workers: 1,
    listenIp: '127.0.0.1',
    announcedAddress: '',
    basePort: 47000 + Math.floor(Math.random() * 1000),
    logLevel: 'error',
    logger,
  });
  await pool.start();
  const room = new MediaRoom('bench', { pool, logger, maxPeersPerRouter: 10_000 });
  const caps = (await room.rtpCapabilities()) as unknown as Record<string, unknown>;
  const senderPorts: number[] = [];
  const producerIds: string[] = [];
  for (let i = 0; i < SENDERS; i++) {
    const peer = `sender-${i}`;
    await room.addPeer(peer);
    const t = await room.createPlainTransport(peer, 'send', { listenIp: '127.0.0.1', comedia: true, rtcpMux: true });
    producerIds.push(await room.produce(peer, t.id, 'video', producerParams(1000 + i) as unknown as Record<string, unknown>, 'camera'));
    senderPorts.push(t.port);
  }
  let n = 0;
  return {
    worker: pool.all()[0]!.worker,
    senderPorts,
    async addReceiver(sinkPort) {
      const peer = `receiver-${n++}`;
      await room.addPeer(peer);
      room.setRtpCapabilities(peer, caps);
      const t = await room.createPlainTransport(peer, 'recv', { listenIp: '127.0.0.1', comedia: false, rtcpMux: true });
      await room.connectPlainTransport(peer, t.id, { ip: '127.0.0.1', port: sinkPort });
      for (const id of producerIds) {
        const c = await room.consume(peer, id);
        await room.resumeConsumer(peer, c.consumerId);
      }
      return producerIds.length;
    },
    async close() {
      room.close();
      await pool.close();
    },
  };
}

async function cpuMs(worker: types.Worker): Promise<number> {
  const ru = await worker.getResourceUsage();
  return ru.ru_utime + ru.ru_stime;
}

interface Point {
  consumers: number;
  forwardedPps: number;
  cpu: number;
}

async function measure(name: string, make: () => Promise<Setup>, rec: Recorded[]): Promise<Point[]> {
  const setup = await make();
  const out = await sink();
  const senders = startSenders(
    rec,
    setup.senderPorts.map((port, i) => ({ port, ssrc: 1000 + i })),
  );
  const points: Point[] = [];
  let consumers = 0;
  let receivers = 0;
  for (const target of RECEIVER_STEPS) {
    while (receivers < target) {
      consumers += await setup.addReceiver(out.port);
      receivers++;
    }
    await new Promise((r) => setTimeout(r, 1500)); // settle
    const c0 = await cpuMs(setup.worker);
    const p0 = out.count();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
    const secs = (performance.now() - t0) / 1000;
    const cpu = (await cpuMs(setup.worker)) - c0;
    const point = { consumers, forwardedPps: (out.count() - p0) / secs, cpu: cpu / 1000 / secs };
    points.push(point);
    console.log(
      `  ${name.padEnd(9)} consumers=${String(consumers).padStart(4)} forwarded=${point.forwardedPps.toFixed(0).padStart(6)} pkt/s  worker CPU=${(point.cpu * 100).toFixed(1)}%`,
    );
  }
  senders.stop();
  out.sock.close();
  await setup.close();
  return points;
}

/** Least-squares line through (x, y). */
function fit(xs: number[], ys: number[]): { a: number; b: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  const b = den === 0 ? 0 : num / den;
  return { a: my - b * mx, b };
}

function summarise(points: Point[]): { cpuPer1kPps: number; consumersAt90: number } {
  const perPps = fit(
    points.map((p) => p.forwardedPps / 1000),
    points.map((p) => p.cpu),
  );
  const perConsumer = fit(
    points.map((p) => p.consumers),
    points.map((p) => p.cpu),
  );
  return { cpuPer1kPps: perPps.b, consumersAt90: perConsumer.b > 0 ? (0.9 - perConsumer.a) / perConsumer.b : Number.POSITIVE_INFINITY };
}

/** The sink's 32 MiB buffer needs a higher kernel cap; raised for the run when we are root. */
function withLargeUdpBuffers(): () => void {
  const path = '/proc/sys/net/core/rmem_max';
  try {
    const before = readFileSync(path, 'utf8').trim();
    writeFileSync(path, String(32 * 1024 * 1024));
    return () => writeFileSync(path, before);
  } catch {
    console.log('  (not root: the UDP sink may drop packets at high rates)');
    return () => undefined;
  }
}

export async function runSfuForwardingBench(): Promise<void> {
  const restore = withLargeUdpBuffers();
  console.log(`SFU forwarding: ${SENDERS} VP8 senders over plain RTP, receivers ${RECEIVER_STEPS.join(' → ')}, ${WINDOW_S} s windows`);
  const rec = await recordVp8(4);
  const pps = (rec.length / (rec[rec.length - 1]!.at / 1000)).toFixed(0);
  console.log(`  recorded ${rec.length} real VP8 RTP packets from ffmpeg (~${pps} pkt/s per sender)`);
  const base = summarise(await measure('baseline', baseline, rec));
  const mine = summarise(await measure('lienthong', ours, rec));
  const row = (n: string, s: { cpuPer1kPps: number; consumersAt90: number }) =>
    `  ${n.padEnd(10)} worker CPU per 1,000 forwarded pkt/s: ${(s.cpuPer1kPps * 100).toFixed(2)}%   consumers at 90% CPU: ${s.consumersAt90.toFixed(0)}`;
  console.log(row('baseline', base));
  console.log(row('lienthong', mine));
  console.log(
    `  ratio (lienthong / baseline): CPU per 1k pkt/s ×${(mine.cpuPer1kPps / base.cpuPer1kPps).toFixed(2)}, consumers at 90% ×${(mine.consumersAt90 / base.consumersAt90).toFixed(2)}`,
  );
  restore();
}

if (import.meta.url === `file://${process.argv[1]}`) await runSfuForwardingBench();
