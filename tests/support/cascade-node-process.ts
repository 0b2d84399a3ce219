// One media server of a cascade test, as its own process (run inside a network namespace): a
// mediasoup worker and router per meeting, the cascade bus, links and node of sfu-server, driven by
// JSON lines on stdin ({id, op, ...}) and answering on stdout ({id, ok, ...}). RTP comes in from
// GStreamer on loopback and goes out to GStreamer decoders on loopback, as a room system's would.
//   argv: <serverId> <natsUrl> <linkIps JSON: {peer: ip this server listens on toward it}> <routes JSON: {origin: nextHop}>
import { createInterface } from 'node:readline';
import type { types } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import { CascadeBus } from '../../sfu-server/src/cascade/bus';
import { CascadeNode } from '../../sfu-server/src/cascade/cascade-node';
import { CascadeLinks } from '../../sfu-server/src/cascade/links';
import { ROUTER_CODECS } from '../../sfu-server/src/media/codecs';

const [serverId, natsUrl, linkIpsJson, routesJson] = process.argv.slice(2) as [string, string, string, string];
const routes = JSON.parse(routesJson) as Record<string, string>;
const linkIps = JSON.parse(linkIpsJson) as Record<string, string>;
const worker = await mediasoup.createWorker({ logLevel: 'warn' });
const routers = new Map<string, Promise<types.Router>>();
const routerOf = (meetingId: string) => {
  const known = routers.get(meetingId);
  if (known) return known;
  const made = worker.createRouter({ mediaCodecs: ROUTER_CODECS });
  routers.set(meetingId, made);
  return made;
};
const log = (msg: string) => process.stderr.write(`[${serverId}] ${msg}\n`);
const bus = await CascadeBus.open({ url: natsUrl, serverId, log, requestTimeoutMs: 3000 });
const links = new CascadeLinks(bus, routerOf, { listenIp: (peer) => linkIps[peer] ?? '127.0.0.1' });
const node = new CascadeNode({
  bus,
  links,
  routerOf,
  nextHop: (o) => (o === serverId ? null : (routes[o] ?? null)),
  log,
  releaseAfterMs: 2000,
});
const watchers = new Map<string, { transport: types.PlainTransport; producerId: string }>();
let watcherSeq = 0;
const own = new Map<string, types.Producer>();

type Command = { id: number; op: string; [k: string]: unknown };

const VP8 = {
  mimeType: 'video/VP8',
  clockRate: 90000,
  payloadType: 101,
  rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
};

async function ingest(c: Command) {
  const meetingId = String(c.meetingId);
  node.join(meetingId);
  const router = await routerOf(meetingId);
  const t = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, comedia: true, rtcpMux: true });
  const ssrcs = c.ssrcs as number[];
  const producer = await t.produce({
    kind: 'video',
    rtpParameters: { codecs: [VP8], encodings: ssrcs.map((ssrc) => ({ ssrc })), rtcp: { cname: `src-${serverId}` } },
  });
  node.publish(meetingId, producer, { site: serverId });
  own.set(producer.id, producer);
  return { producerId: producer.id, port: t.tuple.localPort };
}

async function watch(c: Command) {
  const meetingId = String(c.meetingId);
  const producerId = String(c.producerId);
  const watcherId = `w${++watcherSeq}`;
  const local = own.get(producerId) ?? (await node.watch(producerId, watcherId, Number(c.layer ?? 0)));
  const router = await routerOf(meetingId);
  const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, comedia: false, rtcpMux: true });
  await transport.connect({ ip: '127.0.0.1', port: Number(c.sinkPort) });
  const consumer = await transport.consume({ producerId: local.id, rtpCapabilities: router.rtpCapabilities });
  if (consumer.type === 'simulcast') await consumer.setPreferredLayers({ spatialLayer: Number(c.layer ?? 0) });
  watchers.set(watcherId, { transport, producerId });
  return { watcherId, payloadType: consumer.rtpParameters.codecs[0]!.payloadType, consumerType: consumer.type };
}

const ops: Record<string, (c: Command) => Promise<object>> = {
  join: async (c) => {
    node.join(String(c.meetingId));
    return {};
  },
  ingest,
  watch,
  unwatch: async (c) => {
    const w = watchers.get(String(c.watcherId));
    if (!w) throw new Error('no such watcher');
    w.transport.close();
    watchers.delete(String(c.watcherId));
    node.unwatch(w.producerId, String(c.watcherId));
    return {};
  },
  reaches: async (c) => ({ reaches: await node.reaches(String(c.server)) }),
  remote: async (c) => ({ producers: node.remoteProducers(String(c.meetingId)).map((e) => e.producerId) }),
  linkBytes: async (c) => node.linkBytes(String(c.meetingId), String(c.peer)),
  watcherBytes: async (c) => {
    const w = watchers.get(String(c.watcherId));
    const stats = w ? await w.transport.getStats() : [];
    return { sent: stats[0]?.bytesSent ?? 0 };
  },
};

createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line) as Command;
  const op = ops[c.op];
  (op ? op(c) : Promise.reject(new Error(`unknown op ${c.op}`))).then(
    (r) => process.stdout.write(`${JSON.stringify({ id: c.id, ok: true, ...r })}\n`),
    (err: Error) => process.stdout.write(`${JSON.stringify({ id: c.id, ok: false, error: err.message })}\n`),
  );
});
process.stdin.on('end', () => {
  worker.close();
  void bus.close().finally(() => process.exit(0));
});
process.stdout.write(`${JSON.stringify({ ready: serverId })}\n`);
