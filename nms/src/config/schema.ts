// nms configuration: the schema is the documentation; config.sample.yaml mirrors it.

import { LogLevel, Port } from '@lienthong/kit';
import Type, { type Static } from 'typebox';
import { AuthProtocol } from '../protocol/inventory';
import { DEFAULT_MODULES, MODULES } from '../snmp/modules';

const obj = <P extends Parameters<typeof Type.Object>[0]>(p: P) => Type.Object(p, { additionalProperties: false });

export const NmsConfigSchema = obj({
  http: obj({
    host: Type.String(),
    /** HTTPS. */
    port: Port,
    /** Plain HTTP: redirects to https://<same host>:port; 0 = off. */
    plainPort: Type.Union([Port, Type.Literal(0)]),
    /** On plainPort, serve (not redirect) requests to a loopback address (Prometheus scrapes, this machine). */
    plainLoopback: Type.Boolean(),
    tls: obj({
      /** PEM chain (e.g. from the province's CA); "" = the internal CA issues one. Re-read when it changes (SIGHUP, each minute). */
      certFile: Type.String(),
      keyFile: Type.String(),
      /** Internal CA: ca.pem (public) and ca-key.pem; shared with sfu-server on one machine. */
      caDir: Type.String(),
      /** Extra DNS names / IP addresses for the generated certificate. */
      names: Type.Array(Type.String()),
    }),
    bodyLimit: Type.Integer({ minimum: 1024 }),
  }),
  log: obj({ level: LogLevel }),
  /** SQLite store (inventory, credentials, events). */
  dataDir: Type.String(),
  inventory: obj({
    /** YAML or JSON inventory file imported at every start (create or update by name; all or nothing). Empty = none. */
    importFile: Type.String(),
  }),
  auth: obj({
    /** sfu-server's Ed25519 public key (SPKI PEM). Wins over publicKeyUrl when set. */
    publicKeyFile: Type.String(),
    /** sfu-server's /api/auth/public-key, fetched at start-up and retried until it answers. */
    publicKeyUrl: Type.String(),
    /** CA that must have issued sfu-server's certificate (internal CA by default); "" = the system's roots. */
    caFile: Type.String(),
    retrySeconds: Type.Integer({ minimum: 1 }),
    /** How often to fetch the sessions sfu-server ended early (logout), from the publicKeyUrl origin. */
    revocationPollSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
  }),
  sites: obj({
    /** Follow sfu-server's site tree (its /api/sites/directory, at the publicKeyUrl origin); off = the last tree read (or none). */
    followSfuServer: Type.Boolean(),
    pollSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
  }),
  snmp: obj({
    /** Polls running at once. 64 x ~50 ms per poll keeps 2,000 devices at 60 s well inside one core. */
    concurrency: Type.Integer({ minimum: 1, maximum: 1024 }),
    defaultIntervalSeconds: Type.Integer({ minimum: 5 }),
    defaultTimeoutMs: Type.Integer({ minimum: 100 }),
    defaultRetries: Type.Integer({ minimum: 0, maximum: 5 }),
    maxVarbindsPerRequest: Type.Integer({ minimum: 10, maximum: 1000 }),
    maxInterfaces: Type.Integer({ minimum: 1 }),
    maxRequestsPerWalk: Type.Integer({ minimum: 1 }),
    /** Poll modules (nms/src/snmp/modules) read from every device; 'system' is always read. */
    modules: Type.Array(Type.Enum(Object.keys(MODULES))),
  }),
  traps: obj({
    enabled: Type.Boolean(),
    host: Type.String(),
    /** 162 needs root; a high port is the default. */
    port: Port,
    communities: Type.Array(Type.String({ secret: true })),
    users: Type.Array(
      obj({
        user: Type.String(),
        authProtocol: AuthProtocol,
        authKey: Type.String({ minLength: 8, secret: true }),
        privProtocol: Type.Optional(Type.Union([Type.Literal('aes128'), Type.Literal('aes256')])),
        privKey: Type.Optional(Type.String({ minLength: 8, secret: true })),
      }),
    ),
    /** Hex engine ID the receiver uses (informs are sent to it). Empty = random. */
    engineID: Type.String(),
    /** Per-source trap budget: sustained rate and burst. */
    perSourcePerSecond: Type.Number({ minimum: 0.1 }),
    perSourceBurst: Type.Integer({ minimum: 1 }),
  }),
  probes: obj({
    enabled: Type.Boolean(),
    fpingPath: Type.String(),
    intervalSeconds: Type.Integer({ minimum: 1, maximum: 10 }),
    pingsPerRound: Type.Integer({ minimum: 1, maximum: 20 }),
    timeoutMs: Type.Integer({ minimum: 50 }),
    /** How much RTT history percentiles are computed over. */
    windowSeconds: Type.Integer({ minimum: 10 }),
  }),
  health: obj({
    utilisationRatio: Type.Number({ minimum: 0, maximum: 1 }),
    utilisationForMinutes: Type.Number({ minimum: 0 }),
    flapChanges: Type.Integer({ minimum: 2 }),
    flapWindowMinutes: Type.Number({ minimum: 1 }),
    lossRatio: Type.Number({ minimum: 0, maximum: 1 }),
    rttMs: Type.Number({ minimum: 1 }),
    errorsPerSecond: Type.Number({ minimum: 0 }),
  }),
  events: obj({ dedupWindowSeconds: Type.Integer({ minimum: 0 }), keepDays: Type.Integer({ minimum: 1 }) }),
  timeseries: obj({
    /** Points kept in memory per link. */
    memoryPoints: Type.Integer({ minimum: 10 }),
    /** Prometheus base URL (http://host:9090); empty = in-process ring buffer. */
    prometheusUrl: Type.String(),
  }),
  demo: obj({
    /** Simulated agents on loopback for the districts of the site tree, flagged demo; they start once a tree is known. */
    enabled: Type.Boolean(),
    basePort: Port,
    /** District sites to simulate (0 = all). */
    districts: Type.Integer({ minimum: 0 }),
    /** The district whose uplink the demo cuts (if it is in the tree; else the last district by code). */
    cutSiteCode: Type.String(),
  }),
  metrics: obj({
    /** Bearer token Prometheus must send for /metrics; empty = only direct scrapes from this machine. */
    token: Type.String({ secret: true }),
  }),
  alerts: obj({
    /** Bearer token Alertmanager sends to /api/nms/alerts/alertmanager; empty = only direct calls from this machine. */
    webhookToken: Type.String({ secret: true }),
  }),
});
export type NmsConfig = Static<typeof NmsConfigSchema>;

export const nmsDefaults: NmsConfig = {
  http: {
    host: '0.0.0.0',
    port: 9443,
    plainPort: 8090,
    plainLoopback: true,
    tls: { certFile: '', keyFile: '', caDir: 'var/ca', names: [] },
    bodyLimit: 4_194_304,
  },
  log: { level: 'info' },
  dataDir: 'var/nms',
  inventory: { importFile: '' },
  auth: {
    publicKeyFile: '',
    publicKeyUrl: 'https://127.0.0.1:8443/api/auth/public-key',
    caFile: 'var/ca/ca.pem',
    retrySeconds: 5,
    revocationPollSeconds: 10,
  },
  sites: { followSfuServer: true, pollSeconds: 15 },
  snmp: {
    concurrency: 64,
    defaultIntervalSeconds: 60,
    defaultTimeoutMs: 2000,
    defaultRetries: 1,
    maxVarbindsPerRequest: 120,
    maxInterfaces: 4096,
    maxRequestsPerWalk: 400,
    modules: [...DEFAULT_MODULES],
  },
  traps: {
    enabled: true,
    host: '0.0.0.0',
    port: 10162,
    communities: ['public'],
    users: [],
    engineID: '',
    perSourcePerSecond: 20,
    perSourceBurst: 100,
  },
  probes: { enabled: true, fpingPath: '/usr/bin/fping', intervalSeconds: 10, pingsPerRound: 5, timeoutMs: 1000, windowSeconds: 300 },
  health: {
    utilisationRatio: 0.8,
    utilisationForMinutes: 15,
    flapChanges: 4,
    flapWindowMinutes: 15,
    lossRatio: 0.02,
    rttMs: 300,
    errorsPerSecond: 1,
  },
  events: { dedupWindowSeconds: 300, keepDays: 30 },
  timeseries: { memoryPoints: 720, prometheusUrl: '' },
  // TN-PB: Phú Bình in sfu-server's demo tree.
  demo: { enabled: true, basePort: 16100, districts: 0, cutSiteCode: 'TN-PB' },
  metrics: { token: '' },
  alerts: { webhookToken: '' },
};
