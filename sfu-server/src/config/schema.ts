// sfu-server configuration: the schema is the documentation; config.sample.yaml mirrors it.

import { LogLevel, Port } from '@lienthong/kit';
import Type, { type Static } from 'typebox';

export const SfuConfigSchema = Type.Object(
  {
    http: Type.Object(
      {
        host: Type.String(),
        port: Port,
        /** Largest accepted REST body, bytes. */
        bodyLimit: Type.Integer({ minimum: 1024 }),
        /**
         * Origins (e.g. https://hop.example.vn) whose pages may change state and open signalling, besides the
         * server's own host:port (the Host header). Needed behind a proxy that rewrites Host.
         */
        allowedOrigins: Type.Array(Type.String({ pattern: '^https?://[^/]+$' })),
      },
      { additionalProperties: false },
    ),
    log: Type.Object({ level: LogLevel }, { additionalProperties: false }),
    dataDir: Type.String({ description: 'SQLite store and the session signing key live here' }),
    webRoot: Type.String({ description: 'built web app (web/dist) served at /' }),
    media: Type.Object(
      {
        /** 0 = one worker per CPU core. */
        workers: Type.Integer({ minimum: 0, maximum: 64 }),
        /** Address mediasoup binds to. */
        listenIp: Type.String(),
        /** Address announced to browsers in ICE candidates (the machine's reachable IP). Empty = listenIp. */
        announcedAddress: Type.String(),
        /** Worker i listens on UDP and TCP port basePort + i (one port pair per worker, for firewalls). */
        basePort: Port,
        logLevel: Type.Union([Type.Literal('debug'), Type.Literal('warn'), Type.Literal('error'), Type.Literal('none')]),
        /** Sites on one router before the meeting spreads to another worker's router (piped). */
        maxPeersPerRouter: Type.Integer({ minimum: 1 }),
        /** How long a site whose connection dropped keeps its place and media, seconds. */
        reconnectGraceSeconds: Type.Integer({ minimum: 1, maximum: 600 }),
      },
      { additionalProperties: false },
    ),
    auth: Type.Object(
      {
        /** Session lifetime, seconds. */
        sessionTtlSeconds: Type.Integer({ minimum: 10 }),
        /** Failed logins before the account locks, and for how long. */
        maxFailedLogins: Type.Integer({ minimum: 1 }),
        lockoutSeconds: Type.Integer({ minimum: 1 }),
        /** One-time password of the seeded `admin` account: its first login must change it. */
        initialAdminPassword: Type.String({ minLength: 8, secret: true }),
      },
      { additionalProperties: false },
    ),
    nms: Type.Object(
      {
        /** Base URL of the nms service, proxied at /api/nms so the browser uses one origin. Empty = no proxy. */
        url: Type.String(),
        /** Largest body forwarded to nms (inventory imports); keep it equal to nms's http.bodyLimit. */
        bodyLimit: Type.Integer({ minimum: 1024 }),
      },
      { additionalProperties: false },
    ),
    demo: Type.Object({ seed: Type.Boolean() }, { additionalProperties: false }),
    metrics: Type.Object(
      {
        /** Bearer token Prometheus must send for /metrics; empty = only direct scrapes from this machine. */
        token: Type.String({ secret: true }),
      },
      { additionalProperties: false },
    ),
    /** What one user, address or connection may hold or send: a bound on each, so one client cannot starve the rest. */
    limits: Type.Object(
      {
        /** Signalling connections one user may hold at once (tabs, PCs). */
        socketsPerUser: Type.Integer({ minimum: 1 }),
        /** Signalling connections from one network address at once (a site behind NAT shares one). */
        socketsPerAddress: Type.Integer({ minimum: 1 }),
        /** Participants one user may have in meetings at once (connected ones; a dropped one makes room). */
        meetingPeersPerUser: Type.Integer({ minimum: 1 }),
        /** Signalling requests per second one connection may send, sustained... */
        messagesPerSecond: Type.Integer({ minimum: 1 }),
        /** ...and at once: a join consumes every stream of the meeting in one go. */
        messageBurst: Type.Integer({ minimum: 1 }),
        /** Requests refused as RATE_LIMITED (less the sustained rate) before the connection is closed. */
        refusedBeforeDisconnect: Type.Integer({ minimum: 1 }),
        /** Streams one participant may receive at once. */
        consumersPerPeer: Type.Integer({ minimum: 1 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type SfuConfig = Static<typeof SfuConfigSchema>;

export const sfuDefaults: SfuConfig = {
  http: { host: '0.0.0.0', port: 8080, bodyLimit: 1_048_576, allowedOrigins: [] },
  log: { level: 'info' },
  dataDir: 'var/sfu-server',
  webRoot: 'web/dist',
  media: {
    workers: 0,
    listenIp: '0.0.0.0',
    announcedAddress: '',
    basePort: 20000,
    logLevel: 'warn',
    maxPeersPerRouter: 40,
    reconnectGraceSeconds: 45,
  },
  auth: { sessionTtlSeconds: 12 * 3600, maxFailedLogins: 5, lockoutSeconds: 900, initialAdminPassword: 'lienthong-admin' },
  nms: { url: 'http://127.0.0.1:8090', bodyLimit: 4_194_304 },
  demo: { seed: true },
  metrics: { token: '' },
  limits: {
    socketsPerUser: 5,
    socketsPerAddress: 50,
    meetingPeersPerUser: 3,
    messagesPerSecond: 100,
    messageBurst: 500,
    refusedBeforeDisconnect: 2000,
    consumersPerPeer: 400,
  },
};
