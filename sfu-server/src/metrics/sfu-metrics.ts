// sfu-server's Prometheus series. Gauges are filled at scrape time from the live
// state, so nothing has to remember to update them. Labels use stable ASCII site
// codes, never display names.
import { Counter, Gauge, type Registry } from 'prom-client';
import { firstFrameRetries } from '../media/first-frame-watch';
import type { MediaWorkerPool } from '../media/worker-pool';
import type { Conference } from '../signalling/conference';

export interface SfuMetrics {
  joinFailure(code: string): void;
  request(event: string): void;
  requestError(event: string, code: string): void;
}

export function registerSfuMetrics(registry: Registry, pool: MediaWorkerPool, conference: () => Conference | undefined): SfuMetrics {
  registerWorkerMetrics(registry, pool);
  registerMeetingMetrics(registry, conference);
  return registerSignallingCounters(registry);
}

interface WorkerSample {
  worker: string;
  key: string;
  cpuSeconds: number;
  maxRssBytes: number;
}

/** One resource-usage sample per scrape, shared by the CPU and memory series. */
function workerSampler(pool: MediaWorkerPool): () => Promise<WorkerSample[]> {
  let sample: { at: number; data: Promise<WorkerSample[]> } | undefined;
  return () => {
    if (!sample || Date.now() - sample.at > 500) {
      sample = {
        at: Date.now(),
        data: Promise.all(
          pool.all().map(async (w) => {
            const ru = await w.worker.getResourceUsage().catch(() => null);
            // A replacement worker restarts from zero: the key keeps the series monotonic per process.
            return ru
              ? [
                  {
                    worker: String(w.index),
                    key: `${w.index}:${w.worker.pid}`,
                    cpuSeconds: (ru.ru_utime + ru.ru_stime) / 1000,
                    maxRssBytes: ru.ru_maxrss * 1024,
                  },
                ]
              : [];
          }),
        ).then((r) => r.flat()),
      };
    }
    return sample.data;
  };
}

function registerWorkerMetrics(registry: Registry, pool: MediaWorkerPool): void {
  const sampleWorkers = workerSampler(pool);
  const workerCpuLast = new Map<string, number>();
  new Counter({
    name: 'lienthong_mediasoup_worker_cpu_seconds_total',
    help: 'CPU time used by each mediasoup worker process (user + system)',
    labelNames: ['worker'],
    registers: [registry],
    async collect() {
      for (const w of await sampleWorkers()) {
        const prev = workerCpuLast.get(w.key) ?? 0;
        if (w.cpuSeconds > prev) this.inc({ worker: w.worker }, w.cpuSeconds - prev);
        workerCpuLast.set(w.key, w.cpuSeconds);
      }
    },
  });
  new Gauge({
    name: 'lienthong_mediasoup_worker_max_resident_memory_bytes',
    help: 'Peak resident memory of each mediasoup worker',
    labelNames: ['worker'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const w of await sampleWorkers()) this.set({ worker: w.worker }, w.maxRssBytes);
    },
  });
  new Gauge({
    name: 'lienthong_mediasoup_workers',
    help: 'Live mediasoup workers',
    registers: [registry],
    collect() {
      this.set(pool.all().length);
    },
  });
  new Gauge({
    name: 'lienthong_mediasoup_routers',
    help: 'Routers alive in each mediasoup worker, as the worker itself reports them',
    labelNames: ['worker'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const w of pool.all()) {
        const dump = await w.worker.dump().catch(() => null);
        if (dump) this.set({ worker: String(w.index) }, dump.routerIds.length);
      }
    },
  });
  new Gauge({
    name: 'lienthong_mediasoup_pool_listeners',
    help: 'Rooms listening for worker deaths (one per open room media; a leak shows here)',
    registers: [registry],
    collect() {
      this.set(pool.listenerCount('workerDied'));
    },
  });
  new Gauge({
    name: 'lienthong_mediasoup_worker_deaths',
    help: 'mediasoup workers that died and were replaced since start',
    registers: [registry],
    collect() {
      this.set(pool.deaths);
    },
  });
  let retriesLast = 0;
  new Counter({
    name: 'lienthong_keyframe_retries_total',
    help: 'Keyframes asked for again for a new video consumer that had forwarded nothing after its resume',
    registers: [registry],
    collect() {
      const now = firstFrameRetries();
      if (now > retriesLast) this.inc(now - retriesLast);
      retriesLast = now;
    },
  });
}

function registerMeetingMetrics(registry: Registry, conference: () => Conference | undefined): void {
  const meetings = () => [...(conference()?.rooms.values() ?? [])].filter((r) => r.live);
  new Gauge({
    name: 'lienthong_meetings_in_progress',
    help: 'Meetings with at least one site present',
    registers: [registry],
    collect() {
      this.set(meetings().length);
    },
  });
  new Gauge({
    name: 'lienthong_rooms_open',
    help: 'Rooms with media open, meetings and technical self-tests',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const rooms = [...(conference()?.rooms.values() ?? [])];
      this.set({ kind: 'meeting' }, rooms.filter((r) => r.live).length);
      this.set({ kind: 'selftest' }, rooms.filter((r) => !r.live).length);
    },
  });
  new Gauge({
    name: 'lienthong_sites_connected',
    help: 'Distinct sites connected to any meeting',
    registers: [registry],
    collect() {
      const sites = new Set<string>();
      for (const r of meetings()) for (const p of r.live!.list()) if (p.connected) sites.add(p.siteCode);
      this.set(sites.size);
    },
  });
  const perMeeting = (name: string, help: string, pick: (c: { producers: number; consumers: number }) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['meeting'],
      registers: [registry],
      collect() {
        this.reset();
        for (const r of meetings()) this.set({ meeting: r.live!.meetingId }, pick(r.media.counts()));
      },
    });
  perMeeting('lienthong_meeting_producers', 'Producers per meeting', (c) => c.producers);
  perMeeting('lienthong_meeting_consumers', 'Consumers per meeting', (c) => c.consumers);

  const perSite = (
    name: string,
    help: string,
    pick: (q: { rttMs: number | null; lossFraction: number; sendBps: number; recvBps: number; jitterMs: number | null }) => number | null,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['site'],
      registers: [registry],
      collect() {
        this.reset();
        for (const r of meetings()) {
          for (const p of r.live!.list()) {
            if (!p.connected) continue;
            const v = pick(p.quality);
            if (v !== null) this.set({ site: p.siteCode }, v);
          }
        }
      },
    });
  perSite('lienthong_site_send_bits_per_second', 'Bitrate the site sends to the SFU', (q) => q.recvBps);
  perSite('lienthong_site_receive_bits_per_second', 'Bitrate the SFU sends to the site', (q) => q.sendBps);
  perSite('lienthong_site_packet_loss_ratio', "Fraction of the site's packets lost on the way in", (q) => q.lossFraction);
  perSite('lienthong_site_rtt_seconds', 'Round-trip time between the SFU and the site', (q) => (q.rttMs === null ? null : q.rttMs / 1000));
  perSite('lienthong_site_jitter_seconds', 'Inbound jitter from the site', (q) => (q.jitterMs === null ? null : q.jitterMs / 1000));
}

function registerSignallingCounters(registry: Registry): SfuMetrics {
  const joinFailures = new Counter({
    name: 'lienthong_join_failures_total',
    help: 'Meeting joins refused or failed, by error code',
    labelNames: ['code'],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'lienthong_signalling_requests_total',
    help: 'Signalling requests received',
    labelNames: ['event'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'lienthong_signalling_errors_total',
    help: 'Signalling requests answered with an error',
    labelNames: ['event', 'code'],
    registers: [registry],
  });
  return {
    joinFailure: (code) => joinFailures.inc({ code }),
    request: (event) => requests.inc({ event }),
    requestError: (event, code) => errors.inc({ event, code }),
  };
}
