// Composition root: the only place that reads process.env and wires config,
// logger and adapters together.
import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism, networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import {
  AppError,
  createLogger,
  createMetricsRegistry,
  HealthRegistry,
  loadConfigOrExit,
  parseStartupArgs,
  redactConfig,
} from '@lienthong/kit';
import { httpsServerFactory, PortTakenError, prepareTls, serveHttps } from '@lienthong/kit/tls';
import type { FastifyInstance } from 'fastify';
import { sitePlacement } from './cascade/placement';
import { startCascade } from './cascade/start-cascade';
import { productionStartProblem } from './config/production';
import { publicUrl } from './config/public-url';
import { SfuConfigSchema, sfuDefaults } from './config/schema';
import { createCore } from './core';
import { buildApp } from './http/app';
import { registerNmsProxy } from './http/nms-proxy';
import { registerApiRoutes } from './http/routes';
import { noLoadTest } from './http/routes/loadtest';
import { activeHandles, MediaCensus } from './media/media-census';
import { reservePorts } from './media/port-range';
import { MediaPortsTakenError } from './media/port-wait';
import { MediaWorkerPool } from './media/worker-pool';
import { registerCascadeMetrics } from './metrics/cascade-metrics';
import { serverProcesses } from './metrics/process-usage';
import { registerSfuMetrics } from './metrics/sfu-metrics';
import { nmsCascadeHealth, reportCascadeHealth } from './network/cascade-report';
import { nmsSiteNetwork } from './network/nms-client';
import { RecordingService } from './recording/recording-service';
import { Conference } from './signalling/conference';
import { meetingAccess } from './signalling/meeting-access';
import type { RoomDialer } from './signalling/ports';
import { attachSignalling } from './signalling/server';
import { SipEndpoint } from './sip/sip-endpoint';
import { registerRoomPipelineMetrics, registerSipMetrics } from './sip/sip-metrics';
import { RecordingRepository } from './store/recording-repository';
import { startTurn } from './turn/turn-service';

const args = parseStartupArgs(process.argv.slice(2), process.env.LIENTHONG_SFU_CONFIG);
const config = loadConfigOrExit('sfu-server', args, SfuConfigSchema, sfuDefaults);
const passwordProblem = productionStartProblem(config);
if (passwordProblem) {
  console.error(`sfu-server: refusing to start: ${passwordProblem}`);
  process.exit(1);
}
const logger = createLogger({ service: 'sfu-server', level: config.log.level });
logger.info({ config: redactConfig(SfuConfigSchema, config) }, 'starting sfu-server');

const dataDir = resolve(config.dataDir);
mkdirSync(dataDir, { recursive: true });
const health = new HealthRegistry();
const metrics = createMetricsRegistry();

// Browsers need a reachable address in ICE candidates: default to this machine's first LAN address.
const firstLanAddress = () =>
  Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';
const core = await createCore({
  dataDir,
  auth: config.auth,
  demoSeed: config.demo.seed,
  demoDistrictServer: config.demo.districtServer,
  logger: logger.child({ component: 'core' }),
  publicUrl: publicUrl(config, firstLanAddress),
});
health.register('store', () => (core.store.ping() ? { ok: true } : { ok: false, reason: 'SQLite store does not answer' }));

// Recordings: rows a crash left open are closed with what their files hold; old files go by retention.
const recordings = config.recording.enabled
  ? new RecordingService(
      new RecordingRepository(core.store.db),
      { ...config.recording, dir: resolve(config.recording.dir || resolve(dataDir, 'recordings')) },
      logger.child({ component: 'recording' }),
    )
  : undefined;
const sweepRecordings = () => recordings?.sweep().catch((e: unknown) => logger.error({ err: e }, 'recording retention sweep failed'));
await recordings?.recover();
void sweepRecordings();
setInterval(sweepRecordings, 3_600_000).unref();

const workers = config.media.workers || availableParallelism();
// mediasoup's own port choices stay clear of the fixed ports (a replaced worker binds its port again).
reservePorts([
  { min: config.media.basePort, max: config.media.basePort + workers - 1 },
  // A district runs its sites' room calls' media on them, SIP or not.
  ...(config.sip.enabled || config.cascade.parent ? [config.sip.rtpPorts] : []),
]);
const announcedAddress = config.media.announcedAddress || (config.media.listenIp === '0.0.0.0' ? firstLanAddress() : config.media.listenIp);
const sipAnnounced = config.sip.announcedAddress || announcedAddress;
/** Room-system call media: the province's own calls, and a district's for its sites (cascade). */
const roomCallMedia = {
  listenIp: config.sip.listenIp || config.media.listenIp,
  announcedIp: sipAnnounced,
  rtpPorts: config.sip.rtpPorts,
  registry: resolve(dataDir, 'gst-registry.bin'),
  picture: config.sip.video,
  passThrough: config.sip.passThrough,
};
// Only a load test reads consumer scores: no observers on a server in use.
const census = config.loadTest.enabled ? new MediaCensus() : null;
const pool = new MediaWorkerPool({
  workers,
  listenIp: config.media.listenIp,
  announcedAddress,
  basePort: config.media.basePort,
  logLevel: config.media.logLevel,
  logger: logger.child({ component: 'media' }),
  spareWorker: config.media.spareWorker,
});
let signalling: ReturnType<typeof attachSignalling> | undefined;

/** A taken port is an operator's matter: one line saying what to do, no stack trace, exit 1. */
const cannotStart = async (reason: string): Promise<never> => {
  console.error(`sfu-server: cannot start: ${reason}`);
  await signalling?.close();
  await pool.close();
  core.close();
  process.exit(1);
};

async function readCaOrExit(file: string): Promise<Buffer> {
  try {
    return readFileSync(file);
  } catch (e) {
    return cannotStart(`nms.caFile ${file}: ${(e as Error).message} (the CA that issued nms's certificate; "" = system roots)`);
  }
}

await pool.start().catch((e) => (e instanceof MediaPortsTakenError ? cannotStart(e.message) : Promise.reject(e)));
health.register('mediasoup', () =>
  pool.all().length === workers ? { ok: true } : { ok: false, reason: `${pool.all().length} of ${workers} mediasoup workers alive` },
);
const sfuMetrics = registerSfuMetrics(metrics, pool, () => signalling?.conference);

// One meeting over several servers: configured by `cascade` (serverId "" = alone).
const cascadeLog = logger.child({ component: 'cascade' });
const cascade = await startCascade(config.cascade, pool, {
  logger: cascadeLog,
  maxPeersPerRouter: config.media.maxPeersPerRouter,
  consumersPerPeer: config.limits.consumersPerPeer,
  roomCalls: roomCallMedia,
  // The province places each site's peers on the server its subtree is assigned to.
  ...(config.cascade.parent ? {} : { placement: sitePlacement(core.servers) }),
}).catch((e: Error) => cannotStart(`cascade: ${e.message}`));
registerCascadeMetrics(metrics, cascade?.health, cascade && (() => cascade.node.bytesByNeighbour()));
if (cascade)
  health.register('cascade', () => (cascade.node.isolated() ? { ok: false, reason: 'cut off from the parent server' } : { ok: true }));

// The TURN server's public name too: browsers check it on TURN over TLS.
const certNames = [announcedAddress, ...(config.turn.publicHost ? [config.turn.publicHost] : [])];
const tls = await prepareTls(config.http.tls, { dataDir, extraNames: certNames }).catch((e: Error) =>
  cannotStart(`HTTPS certificate: ${e.message}`),
);
// TURN over TLS presents the same certificate as HTTPS.
// A TURN setting that cannot work (say, an announced address that is no IP) stops the start in one line.
const turn = await Promise.resolve()
  .then(() =>
    startTurn(config.turn, {
      dataDir,
      announcedAddress,
      tls: { certFile: tls.certFile, keyFile: tls.keyFile },
      logger: logger.child({ component: 'turn' }),
      health,
    }),
  )
  .catch((e: Error) => cannotStart(`TURN: ${e.message}`));
const nmsCa = config.nms.url.startsWith('https:') && config.nms.caFile ? await readCaOrExit(config.nms.caFile) : undefined;
// nms's view of the network under sites: for the chair console (live meetings) and the readiness board.
const siteNetwork = config.nms.url ? nmsSiteNetwork(config.nms.url, (roles, ttl) => core.tokens.signService(roles, ttl), nmsCa) : undefined;
// The province tells nms its cascade links' health (its view covers every province–district link).
const cascadeReport =
  cascade && config.nms.url && !config.cascade.parent
    ? reportCascadeHealth(
        cascade.health,
        nmsCascadeHealth(config.nms.url, (roles, ttl) => core.tokens.signService(roles, ttl), nmsCa),
        (e) => cascadeLog.warn({ err: e.message }, 'cascade health not reported to nms'),
      )
    : undefined;
const app = await buildApp({
  serverFactory: httpsServerFactory(tls),
  logger,
  health,
  metrics,
  bodyLimit: config.http.bodyLimit,
  allowedOrigins: config.http.allowedOrigins,
  metricsToken: config.metrics.token,
  webRoot: config.webRoot,
  routes: [
    (a) =>
      registerApiRoutes(
        a,
        core,
        {
          enabled: config.loadTest.enabled,
          processes: () =>
            serverProcesses([
              { name: 'node', pid: process.pid },
              ...pool.all().map((w) => ({ name: `worker-${w.index}`, pid: w.worker.pid })),
            ]),
          consumerScores: () => census?.histogram() ?? noLoadTest.consumerScores(),
          live: () =>
            census ? { sockets: signalling?.io.engine.clientsCount ?? 0, ...census.counts(), handles: activeHandles() } : noLoadTest.live(),
        },
        {
          networkMonitoring: config.nms.url !== '',
          readiness: {
            ...(siteNetwork ? { network: siteNetwork } : {}),
            connectedSites: (id) => {
              const live = signalling?.conference.rooms.get(Conference.meetingKey(id))?.live;
              return new Set(live?.list().flatMap((p) => (p.connected ? [p.siteId] : [])) ?? []);
            },
            ...(config.sip.enabled ? { roomStatus: (id: string) => sip!.rooms.status(id) } : {}),
          },
          ...(recordings ? { recordings: { service: recordings, retentionDays: config.recording.retentionDays } } : {}),
          sip: config.sip.enabled ? { host: sipAnnounced, port: config.sip.port } : null,
          ...(config.sip.enabled
            ? { roomWatch: { status: (id: string) => sip!.rooms.status(id), callOf: (id: string) => sip!.rooms.callOf(id) } }
            : {}),
          ...(cascade ? { cascadeHealth: cascade.health } : {}),
        },
      ),
    ...(config.nms.url ? [(a: FastifyInstance) => registerNmsProxy(a, config.nms.url, config.nms.bodyLimit, nmsCa)] : []),
  ],
});

signalling = attachSignalling({
  httpServer: app.server,
  allowedOrigins: config.http.allowedOrigins,
  pool,
  logger: logger.child({ component: 'signalling' }),
  authenticate: (token) => core.tokens.verify(token),
  meetings: meetingAccess(core),
  maxPeersPerRouter: config.media.maxPeersPerRouter,
  graceMs: config.media.reconnectGraceSeconds * 1000,
  limits: config.limits,
  adaptation: config.media.adaptation,
  iceServers: (userId) => turn.iceServers(userId),
  counters: { onRequest: sfuMetrics.request, onError: sfuMetrics.requestError, onJoinFailure: sfuMetrics.joinFailure },
  ...(siteNetwork ? { siteNetwork } : {}),
  ...(recordings ? { recordings } : {}),
  ...(cascade ? { cascade } : {}),
  // The SIP endpoint needs the conference made here, so it is reached late.
  ...(config.sip.enabled
    ? {
        dialer: {
          rooms: (meetingId: string) => core.roomSystems.roomsOf(meetingId),
          dial: (meetingId, roomSystemId, report) => {
            if (!sip || sipProblem) throw new AppError('SIP_UNAVAILABLE', `SIP is not running: ${sipProblem ?? 'not started'}`, 503);
            sip.dialOut(meetingId, roomSystemId, report);
          },
          hangUp: (meetingId, roomSystemId) => sip?.hangUpRoom(meetingId, roomSystemId) ?? Promise.resolve(false),
        } satisfies RoomDialer,
      }
    : {}),
});

// Room systems: the SIP endpoint; a taken SIP port leaves the rest of the server running, reported in /health.
const sip = config.sip.enabled
  ? new SipEndpoint({
      core,
      ...roomCallMedia,
      conference: signalling.conference,
      port: config.sip.port,
      logger: logger.child({ component: 'sip' }),
      maxCalls: config.sip.maxCalls,
      optionsIntervalMs: config.sip.optionsIntervalSeconds * 1000,
    })
  : undefined;
const sipProblem = await sip?.start().then(
  () => null,
  (e: Error) => `SIP port ${config.sip.port}: ${e.message}`,
);
if (sipProblem) logger.error(sipProblem);
if (sip) {
  health.register('sip', () => (sipProblem ? { ok: false, reason: sipProblem } : { ok: true }));
  registerSipMetrics(metrics, sip);
} else if (cascade?.host) {
  registerRoomPipelineMetrics(metrics);
}

let shuttingDown = false;
const shutdown = async (signal: string) => {
  // npm start's Ctrl-C reaches us twice (SIGINT from the terminal, SIGTERM from the launcher).
  if (shuttingDown) return;
  shuttingDown = true;
  logger.info({ signal }, 'shutting down');
  await recordings?.stopAll();
  await sip?.stop();
  await signalling?.close();
  cascadeReport?.stop();
  await cascade?.close();
  await app.close();
  await pool.close();
  await turn.stop();
  core.close();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

await serveHttps(app, { service: 'sfu-server', http: config.http, tls, logger, publicHost: announcedAddress }).catch((e: Error) =>
  e instanceof PortTakenError ? cannotStart(e.message) : Promise.reject(e),
);
