// Room-system calls in Prometheus: calls up, their media pipelines, SIP datagrams dropped (malformed or
// over the per-address rate). Read at scrape time.
import { Gauge, type Registry } from 'prom-client';
import { KeptPipeline } from './kept-pipeline';
import type { SipEndpoint } from './sip-endpoint';

export function registerSipMetrics(registry: Registry, sip: SipEndpoint): void {
  new Gauge({
    name: 'lienthong_sip_calls',
    help: 'Room-system calls in progress',
    registers: [registry],
    collect() {
      this.set(sip.callCount);
    },
  });
  new Gauge({
    name: 'lienthong_sip_media_pipelines',
    help: 'GStreamer pipelines running for room-system calls',
    registers: [registry],
    collect() {
      this.set(KeptPipeline.running.size);
    },
  });
  new Gauge({
    name: 'lienthong_sip_media_pipeline_restarts',
    help: 'Room-call pipelines started again after they died, since start (the call went on)',
    registers: [registry],
    collect() {
      this.set(KeptPipeline.restarts);
    },
  });
  new Gauge({
    name: 'lienthong_sip_dropped_messages',
    help: 'SIP datagrams dropped since start (malformed, oversized, or over the per-address rate)',
    registers: [registry],
    collect() {
      this.set(sip.udp.dropped);
    },
  });
}
