// Room-system calls in Prometheus: calls up, their media pipelines, SIP datagrams dropped (malformed or
// over the per-address rate). Read at scrape time.
import { Counter, Gauge, type Registry } from 'prom-client';
import { KeptPipeline } from './kept-pipeline';
import { DROP_REASONS } from './room-watch';
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
  registerRoomPipelineMetrics(registry);
  new Gauge({
    name: 'lienthong_sip_video_passthrough',
    help: "Room-system calls sent another room's H.264 as it is now (no decoding or encoding)",
    registers: [registry],
    collect() {
      this.set([...sip.calls.values()].filter((c) => c.media?.passingThrough).length);
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
  registerRoomMetrics(registry, sip);
}

/** The room calls' GStreamer pipelines on this server: a district runs those of its sites' calls, SIP port or not. */
export function registerRoomPipelineMetrics(registry: Registry): void {
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
}

/** Per room system: does it answer, is it in a call, how its call's media reaches the server, and drops. */
function registerRoomMetrics(registry: Registry, sip: SipEndpoint): void {
  const labelNames = ['site', 'room'] as const;
  const gauge = (name: string, help: string, collect?: () => void) =>
    new Gauge({ name, help, labelNames, registers: [registry], ...(collect ? { collect } : {}) });
  // All set at once when the first is read: a room deleted or a call ended leaves no stale series.
  const reachable = gauge(
    'lienthong_room_system_reachable',
    'The room system answered SIP OPTIONS lately or is in a call (1), or stopped answering (0); absent: not known',
    () => fill(),
  );
  const g = {
    optionsRtt: gauge('lienthong_room_system_options_rtt_seconds', 'Round trip of its last answer to SIP OPTIONS'),
    inCall: gauge('lienthong_room_system_in_call', 'The room system is in a call now'),
    loss: gauge('lienthong_room_call_loss_ratio', 'Packet loss of what the room sends, as the server receives it'),
    jitter: gauge('lienthong_room_call_jitter_seconds', 'Jitter of what the room sends'),
    recv: gauge('lienthong_room_call_receive_bits_per_second', 'Bit rate the server receives from the room'),
    send: gauge('lienthong_room_call_send_bits_per_second', 'Bit rate the server forwards for the room'),
    rtt: gauge('lienthong_room_call_rtt_seconds', 'Round trip to the room from RTCP'),
  };
  const fill = () => {
    reachable.reset();
    for (const x of Object.values(g)) x.reset();
    for (const { site, room, status, call } of sip.rooms.rows()) {
      const l = { site, room };
      if (status.reachability !== 'unknown') reachable.set(l, status.reachability === 'reachable' ? 1 : 0);
      if (status.rttMs !== null) g.optionsRtt.set(l, status.rttMs / 1000);
      g.inCall.set(l, status.inCall ? 1 : 0);
      if (!call) continue;
      g.loss.set(l, call.lossFraction);
      if (call.jitterMs !== null) g.jitter.set(l, call.jitterMs / 1000);
      g.recv.set(l, call.recvBps);
      g.send.set(l, call.sendBps);
      if (call.rttMs !== null) g.rtt.set(l, call.rttMs / 1000);
    }
  };
  new Counter({
    name: 'lienthong_room_system_drops_total',
    help: 'Calls in which the room system left a meeting still running (it hung up, or its session expired)',
    labelNames: ['site', 'room', 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      // Zero for every room and reason first: a series born at 1 would show no increase() to alert on.
      for (const { site, room } of sip.rooms.rows()) for (const reason of DROP_REASONS) this.inc({ site, room, reason }, 0);
      for (const d of sip.rooms.drops.values()) this.inc({ site: d.site, room: d.room, reason: d.reason }, d.count);
    },
  });
}
