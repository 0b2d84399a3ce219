// A recording's pipeline inputs are ports found free and then handed to GStreamer; one taken in
// between (seen in CI: the pipeline could not bind it and the recording failed) gets other ports.
import { execFileSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@lienthong/kit';
import type { types } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTER_CODECS } from '../../sfu-server/src/media/codecs';
import { MediaTap } from '../../sfu-server/src/media/media-tap';
import { mediaPortRange } from '../../sfu-server/src/media/port-range';
import { freeUdpPorts } from '../../sfu-server/src/recording/gst-process';
import { Recorder, type RecorderSettings } from '../../sfu-server/src/recording/recorder';

const settings: RecorderSettings = { width: 640, height: 360, fps: 15, videoKbps: 300, videoSlots: 2, audioSlots: 1 };

async function bound(port: number): Promise<boolean> {
  const s = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(port, '127.0.0.1', resolve);
    });
    return false;
  } catch {
    return true;
  } finally {
    s.close();
  }
}

describe('recording pipeline ports', () => {
  let worker: types.Worker;
  let router: types.Router;
  let dir: string;

  beforeAll(async () => {
    worker = await mediasoup.createWorker({ logLevel: 'warn' });
    router = await worker.createRouter({ mediaCodecs: ROUTER_CODECS });
    dir = mkdtempSync(join(tmpdir(), 'lt-recorder-ports-'));
  });
  afterAll(() => {
    worker?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('chooses other ports when one was taken before the pipeline bound it', async () => {
    const holder: Socket = createSocket('udp4');
    await new Promise<void>((r) => holder.bind(0, '127.0.0.1', r));
    const taken = holder.address().port;
    const asked: number[][] = [];
    const warnings: string[] = [];
    const logger = createLogger({ service: 'test', level: 'silent' });
    logger.warn = ((_obj: unknown, msg?: string) => void warnings.push(msg ?? '')) as typeof logger.warn;
    let ended: string | null = null;
    const recorder = await Recorder.start(join(dir, 'a.mp4'), settings, {
      openTap: async () => new MediaTap({ router, bring: async () => null }),
      view: () => ({ mainPeerId: null, presentationProducerId: null, recentSpeakers: [], peers: [] }),
      logger,
      onEnded: (reason) => {
        ended = reason;
      },
      // The first choice holds a port someone else has meanwhile; later ones are really free.
      choosePorts: async (n) => {
        const ports = await freeUdpPorts(n);
        if (asked.length === 0) ports[0] = taken;
        asked.push(ports);
        return ports;
      },
    });
    try {
      expect(asked).toHaveLength(2);
      expect(warnings).toContain('a recording port was taken meanwhile; other ports');
      // The second pipeline runs and listens on each of its inputs.
      for (const p of asked[1]!.slice(0, -1)) expect(await bound(p), `port ${p}`).toBe(true);
      expect(ended).toBeNull();
    } finally {
      const r = await recorder.stop();
      holder.close();
      expect(r.exitCode).toBe(0);
    }
    expect(existsSync(join(dir, 'a.mp4'))).toBe(true);
  });

  it('starts a pipeline that dies in its first seconds again, twice, then reports the third death', async () => {
    const file = join(dir, 'b.mp4');
    const pids = () => {
      try {
        return execFileSync('pgrep', ['-f', `gst-launch-1.0 .*location=${file}`], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .map(Number);
      } catch {
        return [];
      }
    };
    const warnings: string[] = [];
    const logger = createLogger({ service: 'test', level: 'silent' });
    logger.warn = ((_obj: unknown, msg?: string) => void warnings.push(msg ?? '')) as typeof logger.warn;
    let ended: string | null = null;
    const recorder = await Recorder.start(file, settings, {
      openTap: async () => new MediaTap({ router, bring: async () => null }),
      view: () => ({ mainPeerId: null, presentationProducerId: null, recentSpeakers: [], peers: [] }),
      logger,
      onEnded: (reason) => {
        ended = reason;
      },
    });
    try {
      const seen = new Set<number>();
      for (let death = 1; death <= 3; death++) {
        const [pid] = pids();
        expect(pid, `a pipeline before death ${death}`).toBeDefined();
        expect(seen.has(pid!)).toBe(false);
        seen.add(pid!);
        process.kill(pid!, 'SIGKILL');
        const until = Date.now() + 10_000;
        // A new pipeline (deaths 1 and 2), or the recording ended (death 3).
        while (Date.now() < until && !ended && (pids().length === 0 || seen.has(pids()[0]!))) await new Promise((r) => setTimeout(r, 100));
        if (death < 3) {
          expect(ended).toBeNull();
          expect(warnings.filter((w) => w.includes('died at its start'))).toHaveLength(death);
        }
      }
      expect(ended).toBe('pipeline-exit');
      expect(pids()).toEqual([]);
    } finally {
      await recorder.stop();
    }
  });

  it('leaves the ports it hands to pipelines out of the range mediasoup picks its own from', async () => {
    const range = mediaPortRange();
    expect(range).toBeDefined();
    const ours = await freeUdpPorts(20);
    for (const p of ours) expect(p < range!.min || p > range!.max, `port ${p}`).toBe(true);
    // A tap's transports (two ports each, no RTCP mux) take theirs from the range.
    const made: types.PlainTransport[] = [];
    const seen = (t: types.Transport) => made.push(t as types.PlainTransport);
    router.observer.on('newtransport', seen);
    const tap = new MediaTap({ router, bring: async () => null });
    try {
      await Promise.all(ours.slice(0, 10).map((port) => tap.output({ port, rtcpPort: ours[19]!, kind: 'video' })));
      expect(made).toHaveLength(10);
      for (const t of made)
        for (const p of [t.tuple.localPort, t.rtcpTuple!.localPort]) expect(p >= range!.min && p <= range!.max, `port ${p}`).toBe(true);
    } finally {
      router.observer.off('newtransport', seen);
      tap.close();
    }
  });
});
