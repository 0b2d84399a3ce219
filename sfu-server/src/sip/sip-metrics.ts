// Room-system calls in Prometheus: calls up, their media pipelines, SIP datagrams dropped (malformed or
// over the per-address rate). Read at scrape time.
import { Gauge, type Registry } from 'prom-client';
import { AudioReturn } from './audio-return';
import { RoomCall } from './room-call';
import type { SipEndpoint } from './sip-endpoint';
import { VideoReturn } from './video-return';

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
      this.set(RoomCall.pipelines.size + AudioReturn.pipelines.size + VideoReturn.pipelines.size);
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
