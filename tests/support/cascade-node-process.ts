// One media server of a cascade test, as its own process (run inside a network namespace): a
// mediasoup worker and router per meeting, the cascade bus, links and node of sfu-server, driven by
// JSON lines on stdin ({id, op, ...}) and answering on stdout ({id, ok, ...}). RTP comes in from
// GStreamer on loopback and goes out to GStreamer decoders on loopback, as a room system's would.
//   argv: <serverId> <natsUrl> <linkIps JSON: {peer: ip this server listens on toward it}> <routes JSON: {origin: nextHop}> <parent|->
import { createInterface } from 'node:readline';
import type { types } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import { CascadeBus } from '../../sfu-server/src/cascade/bus';
import { CascadeNode } from '../../sfu-server/src/cascade/cascade-node';
import { CascadeLinks } from '../../sfu-server/src/cascade/links';
import { ROUTER_CODECS } from '../../sfu-server/src/media/codecs';
import { type CascadeVerb, EmptyAnswer } from '../../sfu-server/src/protocol/cascade';

const [serverId, natsUrl, linkIpsJson, routesJson, parentArg] = process.argv.slice(2) as [string, string, string, string, string];
if (!parentArg) throw new Error('usage: cascade-node-process <serverId> <natsUrl> <linkIps> <routes> <parent|->');
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
  neighbours: [...new Set(Object.values(routes))],
  parent: parentArg === '-' ? null : parentArg,
  log,
  releaseAfterMs: 2000,
  rosterEveryMs: 1000,
  ping: { intervalMs: 1000, timeoutMs: 800, misses: 3 },
});
/** A watcher stays until unwatched, as a site's page does: it consumes the producer again whenever it is back. */
interface Watcher {
  id: string;
  meetingId: string;
  producerId: string;
  layer: number;
  transport: types.PlainTransport;
  consumer?: types.Consumer;
}
const watchers = new Map<string, Watcher>();
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
  const ip = String(c.listenIp ?? '127.0.0.1');
  const t = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip }, comedia: true, rtcpMux: true });
  const ssrcs = c.ssrcs as number[];
  const producer = await t.produce({
    kind: 'video',
    rtpParameters: { codecs: [VP8], encodings: ssrcs.map((ssrc) => ({ ssrc })), rtcp: { cname: `src-${serverId}` } },
  });
  node.publish(meetingId, producer, { site: serverId });
  own.set(producer.id, producer);
  return { producerId: producer.id, port: t.tuple.localPort };
}

async function consumeFor(w: Watcher, local: types.Producer) {
  if (w.consumer && !w.consumer.closed) return w.consumer;
  const router = await routerOf(w.meetingId);
  w.consumer = await w.transport.consume({ producerId: local.id, rtpCapabilities: router.rtpCapabilities });
  if (w.consumer.type === 'simulcast') await w.consumer.setPreferredLayers({ spatialLayer: w.layer });
  return w.consumer;
}

async function watch(c: Command) {
  const meetingId = String(c.meetingId);
  const router = await routerOf(meetingId);
  // The decoder is on loopback, or (a site served by a far server) across a WAN link at sinkIp.
  const sinkIp = String(c.sinkIp ?? '127.0.0.1');
  const listenIp = String(c.listenIp ?? '127.0.0.1');
  const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: listenIp }, comedia: false, rtcpMux: true });
  await transport.connect({ ip: sinkIp, port: Number(c.sinkPort) });
  const w: Watcher = { id: `w${++watcherSeq}`, meetingId, producerId: String(c.producerId), layer: Number(c.layer ?? 0), transport };
  watchers.set(w.id, w);
  const local = own.get(w.producerId) ?? (await node.watch(w.producerId, w.id, w.layer));
  const consumer = await consumeFor(w, local);
  return { watcherId: w.id, payloadType: consumer.rtpParameters.codecs[0]!.payloadType, consumerType: consumer.type };
}

node.onAvailable = (producer) => {
  for (const w of watchers.values()) if (w.producerId === producer.id) void consumeFor(w, producer).catch((e) => log(`re-consume: ${e}`));
};
node.onRemoteEvent = (e) => {
  if (e.event !== 'announce') return;
  for (const w of watchers.values())
    if (w.producerId === e.producerId) void node.watch(w.producerId, w.id, w.layer).catch((err) => log(`re-watch: ${err}`));
};

function ownProducer(c: Command): types.Producer {
  const p = own.get(String(c.producerId));
  if (!p) throw new Error('not a producer of this server');
  return p;
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
  /** Send any body to a server's verb: what a confused or hostile neighbour could send. */
  raw: async (c) => {
    try {
      await bus.request(String(c.server), c.verb as CascadeVerb, c.body as object, EmptyAnswer);
      return { answer: 'ok' };
    } catch (err) {
      return { answer: (err as { code?: string }).code ?? 'ERROR', message: (err as Error).message };
    }
  },
  // The origin's own producer: what its site's mute, camera-off or leaving does.
  pause: async (c) => {
    await ownProducer(c).pause();
    return {};
  },
  resume: async (c) => {
    await ownProducer(c).resume();
    return {};
  },
  close: async (c) => {
    ownProducer(c).close();
    return {};
  },
  copy: async (c) => {
    const p = node.remoteCopy(String(c.producerId));
    return { here: Boolean(p), paused: p?.paused ?? null };
  },
  status: async () => ({ isolated: node.isolated(), neighbours: node.neighbourStates() }),
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
