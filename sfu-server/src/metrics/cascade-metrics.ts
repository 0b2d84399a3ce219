// The cascade links' health as Prometheus series, read from the source at scrape time. With no
// source (no cascade runs here) the series are absent, not zero: nothing is down.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { CascadeHealthSource } from '../domain/cascade/health';

/** Media bytes over the links to each neighbour (CascadeNode.bytesByNeighbour). */
export type LinkBytesSource = () => Promise<Map<string, { rx: number; tx: number }>>;

export function registerCascadeMetrics(registry: Registry, source: CascadeHealthSource | undefined, linkBytes?: LinkBytesSource): void {
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
  new Counter({
    name: 'lienthong_cascade_link_bytes_total',
    help: "Media bytes (SRTP and SRTCP, as UDP payload) this server's link transports received from (rx) and sent to (tx) a neighbouring media server; a link made again starts from 0",
    labelNames: ['server', 'peer', 'direction'],
    registers: [registry],
    async collect() {
      this.reset();
      if (!source || !linkBytes) return;
      for (const [peer, b] of await linkBytes()) {
        this.inc({ server: source.serverId, peer, direction: 'rx' }, b.rx);
        this.inc({ server: source.serverId, peer, direction: 'tx' }, b.tx);
      }
    },
  });
}
