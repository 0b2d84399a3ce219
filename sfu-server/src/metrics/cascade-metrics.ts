// The cascade links' health as Prometheus series, read from the source at scrape time. With no
// source (no cascade runs here) the series are absent, not zero: nothing is down.
import { Gauge, type Registry } from 'prom-client';
import type { CascadeHealthSource } from '../domain/cascade/health';

export function registerCascadeMetrics(registry: Registry, source: CascadeHealthSource | undefined): void {
  new Gauge({
    name: 'lienthong_cascade_neighbour_up',
    help: "Whether a neighbouring media server answers this server's pings (1), or missed three in a row (0); absent until it first answers or misses",
    labelNames: ['server', 'peer'],
    registers: [registry],
    collect() {
      this.reset();
      if (!source) return;
      for (const n of source.neighbours())
        if (n.state !== 'unknown') this.set({ server: source.serverId, peer: n.peer }, n.state === 'up' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'lienthong_cascade_neighbour_rtt_seconds',
    help: 'Round trip of the last ping answered by a neighbouring media server (over NATS), while it is up',
    labelNames: ['server', 'peer'],
    registers: [registry],
    collect() {
      this.reset();
      if (!source) return;
      for (const n of source.neighbours()) if (n.rttMs !== null) this.set({ server: source.serverId, peer: n.peer }, n.rttMs / 1000);
    },
  });
}
