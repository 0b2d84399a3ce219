// A minimal mediasoup app for the SFU-overhead benchmark: the same workers (one WebRtcServer each),
// codecs, transport and consumer options as sfu-server, and just enough of its HTTPS and socket.io
// surface that `npm run loadtest` drives it unchanged (any login works; the fixture routes answer
// without storing anything). One meeting on one router, as sfu-server keeps a meeting of up to
// media.maxPeersPerRouter sites. The main picture is the dominant speaker (as sfu-server with no
// chair site connected), sent as room:state { mainPeerId } for the load tool's layer requests.
// Prints {"url","ca"} once listening.
// Run: node --import tsx tests/bench/bare-sfu/server.ts --port 0 --workers 2 --base-port 42000 --dir DIR
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { prepareTls } from '@lienthong/kit/tls';
import type { types } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import { type Socket, Server as SocketServer } from 'socket.io';
import { ROUTER_CODECS } from '../../../sfu-server/src/media/codecs';
import { activeHandles, MediaCensus } from '../../../sfu-server/src/media/media-census';
import { processUsage } from '../../../sfu-server/src/metrics/process-usage';

interface Peer {
  id: string;
  caps?: types.RtpCapabilities;
  transports: Map<string, types.WebRtcTransport>;
  producers: Map<string, { producer: types.Producer; source: string }>;
  consumers: Map<string, types.Consumer>;
}

const { values: args } = parseArgs({
  options: { port: { type: 'string' }, workers: { type: 'string' }, 'base-port': { type: 'string' }, dir: { type: 'string' } },
});
const census = new MediaCensus(); // before the first worker: it follows mediasoup's observers
const workers: { worker: types.Worker; server: types.WebRtcServer }[] = [];
for (let i = 0; i < Number(args.workers ?? 2); i++) {
  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const port = Number(args['base-port'] ?? 42000) + i;
  const server = await worker.createWebRtcServer({
    listenInfos: [
      { protocol: 'udp', ip: '127.0.0.1', port },
      { protocol: 'tcp', ip: '127.0.0.1', port },
    ],
  });
  workers.push({ worker, server });
}
const first = workers[0]!;
const router = await first.worker.createRouter({ mediaCodecs: ROUTER_CODECS });
const peers = new Map<string, Peer>();
const speaker = await router.createActiveSpeakerObserver({ interval: 300 });
let mainPeerId: string | null = null;
let recentSpeakers: string[] = [];
// What the load tool needs to pick layers by the product's rule (mainFor): one site per peer.
const roomState = () => ({
  mainPeerId,
  recentSpeakers,
  participants: [...peers.values()].map((p) => ({ peerId: p.id, siteId: p.id, connected: true })),
});
speaker.on('dominantspeaker', ({ producer }) => {
  const owner = [...peers.values()].find((p) => p.producers.has(producer.id));
  if (!owner || owner.id === mainPeerId) return;
  mainPeerId = owner.id;
  recentSpeakers = [owner.id, ...recentSpeakers.filter((id) => id !== owner.id)].slice(0, 8);
  io?.to('meeting').emit('room:state', roomState());
});

let io: SocketServer | undefined;

function usage() {
  const procs = [{ name: 'node', pid: process.pid }, ...workers.map((w, i) => ({ name: `worker-${i}`, pid: w.worker.pid }))];
  const processes = procs.flatMap((p) => {
    const u = processUsage(p.pid);
    return u ? [{ ...p, ...u }] : [];
  });
  const live = { sockets: io?.engine.clientsCount ?? 0, ...census.counts(), handles: activeHandles() };
  return { ok: true, sampledAt: Date.now(), processes, consumerScores: census.histogram(), live };
}

/** The loadtest tool's REST calls: login, opt-in, usage, and fixture calls that store nothing. */
function rest(method: string, path: string): unknown {
  if (method === 'POST' && path === '/api/auth/login') return { ok: true, token: randomUUID(), mustChangePassword: false };
  if (path === '/api/loadtest') return { ok: true, enabled: true };
  if (path === '/api/loadtest/usage') return usage();
  if (method === 'GET' && path === '/api/sites') return { ok: true, sites: [] };
  if (method === 'GET' && path.startsWith('/api/users')) return { ok: true, users: [] };
  if (path === '/api/auth/me') return { ok: true, site: { id: 'root' } };
  if (method === 'POST' && path === '/api/sites') return { ok: true, site: { id: randomUUID() } };
  if (method === 'POST' && path === '/api/users') return { ok: true, user: { id: randomUUID() } };
  if (method === 'POST' && path === '/api/meetings') return { ok: true, meeting: { id: 'bare' } };
  return { ok: true };
}

function onRequest(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(rest(req.method ?? 'GET', (req.url ?? '/').split('?')[0] ?? '/')));
  });
}

type Handler = (peer: Peer, data: Record<string, unknown>, socket: Socket) => Promise<unknown>;

function announce(peer: Peer, producerId: string, kind: string, source: string) {
  return { producerId, peerId: peer.id, kind, source, paused: false };
}

const handlers: Record<string, Handler> = {
  'router:capabilities': async () => ({ routerRtpCapabilities: router.rtpCapabilities }),
  'meeting:join': async (peer, data, socket) => {
    peer.caps = data.rtpCapabilities as types.RtpCapabilities;
    await socket.join('meeting');
    const producers = [...peers.values()]
      .filter((p) => p !== peer)
      .flatMap((p) => [...p.producers.values()].map((e) => announce(p, e.producer.id, e.producer.kind, e.source)));
    const room = mainPeerId ? roomState() : null;
    return { peerId: peer.id, resumed: false, routerRtpCapabilities: router.rtpCapabilities, producers, room };
  },
  'media:createTransport': async (peer, data) => {
    const t = await router.createWebRtcTransport({
      webRtcServer: first.server,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: 600_000,
      appData: { direction: data.direction },
    });
    peer.transports.set(t.id, t);
    return { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters };
  },
  'media:connectTransport': async (peer, data) => {
    await peer.transports.get(data.transportId as string)?.connect({ dtlsParameters: data.dtlsParameters as types.DtlsParameters });
    return {};
  },
  'media:produce': async (peer, data, socket) => {
    const t = peer.transports.get(data.transportId as string);
    if (!t) throw new Error('no such transport');
    const producer = await t.produce({ kind: data.kind as types.MediaKind, rtpParameters: data.rtpParameters as types.RtpParameters });
    const source = data.source as string;
    peer.producers.set(producer.id, { producer, source });
    if (producer.kind === 'audio') await speaker.addProducer({ producerId: producer.id });
    socket.to('meeting').emit('media:newProducer', announce(peer, producer.id, producer.kind, source));
    return { producerId: producer.id };
  },
  'media:consume': async (peer, data) => {
    const producerId = data.producerId as string;
    const owner = [...peers.values()].find((p) => p.producers.has(producerId));
    const recv = [...peer.transports.values()].find((t) => t.appData.direction === 'recv');
    if (!owner || !recv || !peer.caps) throw new Error('cannot consume');
    const consumer = await recv.consume({
      producerId,
      rtpCapabilities: peer.caps,
      paused: true,
      enableRtx: true,
      preferredLayers: { spatialLayer: 0, temporalLayer: 2 },
    });
    peer.consumers.set(consumer.id, consumer);
    const { source } = owner.producers.get(producerId)!;
    return { consumerId: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters, peerId: owner.id, source };
  },
  'media:resumeConsumer': async (peer, data) => {
    await peer.consumers.get(data.consumerId as string)?.resume();
    return {};
  },
  'media:setConsumerLayers': async (peer, data) => {
    await peer.consumers.get(data.consumerId as string)?.setPreferredLayers({ spatialLayer: data.spatialLayer as number });
    return {};
  },
  'meeting:leave': async (peer) => {
    closePeer(peer);
    return {};
  },
};

function closePeer(peer: Peer): void {
  for (const t of peer.transports.values()) t.close();
  peers.delete(peer.id);
}

function onConnection(socket: Socket): void {
  const peer: Peer = { id: randomUUID(), transports: new Map(), producers: new Map(), consumers: new Map() };
  peers.set(peer.id, peer);
  for (const [event, handle] of Object.entries(handlers)) {
    socket.on(event, (data: Record<string, unknown>, ack: (r: unknown) => void) => {
      handle(peer, data ?? {}, socket).then(
        (r) => ack({ ok: true, data: r }),
        (e: Error) => ack({ ok: false, error: { code: 'FAILED', message: e.message } }),
      );
    });
  }
  socket.on('disconnect', () => closePeer(peer));
}

const dir = args.dir ?? '/tmp/bare-sfu';
const tls = await prepareTls({ certFile: '', keyFile: '', caDir: `${dir}/ca`, names: [] }, { dataDir: dir });
const https: HttpsServer = createServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, onRequest);
io = new SocketServer(https, { path: '/socket.io', transports: ['websocket'] });
io.on('connection', onConnection);
https.listen(Number(args.port ?? 0), '127.0.0.1', () => {
  const { port } = https.address() as AddressInfo;
  console.log(JSON.stringify({ url: `https://127.0.0.1:${port}`, ca: tls.caFile }));
});
process.on('SIGTERM', () => {
  for (const w of workers) w.worker.close();
  process.exit(0);
});
