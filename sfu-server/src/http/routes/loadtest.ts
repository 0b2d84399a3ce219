// loadtest.* routes: `npm run loadtest` asks whether this server accepts load tests, then samples
// the CPU and memory of every server process. The usage answers only with loadTest.enabled.
import { AppError } from '@lienthong/kit';
import { processUsage } from '../../metrics/process-usage';
import type { MediaCounts, ProcessUsage, ScoreHistogram } from '../../protocol/loadtest';
import type { SfuHandlers } from './context';

export interface LoadTestSource {
  enabled: boolean;
  /** The server's processes now: the Node process and each live mediasoup worker. */
  processes(): { name: string; pid: number }[];
  consumerScores(): ScoreHistogram;
  live(): MediaCounts;
}

const none = () => new Array(11).fill(0);
export const noLoadTest: LoadTestSource = {
  enabled: false,
  processes: () => [],
  consumerScores: () => ({ audio: none(), video: none(), paused: { audio: 0, video: 0 } }),
  live: () => ({ sockets: 0, routers: 0, transports: 0, producers: 0, consumers: 0, listeners: 0, handles: 0 }),
};

export function loadtestHandlers(source: LoadTestSource): SfuHandlers<'loadtest'> {
  return {
    'loadtest.status': () => ({ ok: true, enabled: source.enabled }),
    'loadtest.usage': () => {
      if (!source.enabled)
        throw new AppError('LOAD_TEST_DISABLED', 'This server does not accept load tests (loadTest.enabled is false)', 403);
      const processes: ProcessUsage[] = [];
      for (const p of source.processes()) {
        const u = processUsage(p.pid);
        if (u) processes.push({ ...p, ...u });
      }
      return { ok: true, sampledAt: Date.now(), processes, consumerScores: source.consumerScores(), live: source.live() };
    },
  };
}
