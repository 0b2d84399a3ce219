// sfu-server configuration: the schema is the documentation; config.sample.yaml mirrors it.

import { LogLevel, Port } from '@lienthong/kit';
import Type, { type Static } from 'typebox';

export const SfuConfigSchema = Type.Object(
  {
    http: Type.Object(
      {
        host: Type.String(),
        /** HTTPS and WSS. */
        port: Port,
        /** Plain HTTP: redirects to https://<same host>:port; 0 = off. */
        plainPort: Type.Union([Port, Type.Literal(0)]),
        /** On plainPort, serve (not redirect) requests to a loopback address: browsers treat http://127.0.0.1 as secure. */
        plainLoopback: Type.Boolean(),
        tls: Type.Object(
          {
            /** PEM chain (e.g. from the province's CA); "" = the internal CA issues one. Re-read when it changes (SIGHUP, each minute). */
            certFile: Type.String(),
            keyFile: Type.String(),
            /** Internal CA: ca.pem (public, give to IT) and ca-key.pem; shared by the services of one machine. */
            caDir: Type.String(),
            /** Extra DNS names / IP addresses for the generated certificate. */
            names: Type.Array(Type.String()),
          },
          { additionalProperties: false },
        ),
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
        /** One more worker kept started (no ports) to replace a dead one at once. */
        spareWorker: Type.Boolean(),
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
        /** On a thin link, shed a site's received video (never audio) from its measured link, and give it back; off, browsers keep their camera on a thin uplink too. */
        adaptation: Type.Object(
          {
            enabled: Type.Boolean(),
            /** How often each site's link is read and decided on, milliseconds. */
            intervalMs: Type.Integer({ minimum: 250, maximum: 10_000 }),
          },
          { additionalProperties: false },
        ),
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
        /** CA that must have issued nms's certificate (internal CA by default); "" = the system's roots. */
        caFile: Type.String(),
        /** Largest body forwarded to nms (inventory imports); keep it equal to nms's http.bodyLimit. */
        bodyLimit: Type.Integer({ minimum: 1024 }),
      },
      { additionalProperties: false },
    ),
    demo: Type.Object(
      {
        seed: Type.Boolean(),
        /**
         * `npm run start:cascade`: a district media server the demo's province knows (created at start when
         * no server has its id, as an admin would on the servers page); null = none.
         */
        districtServer: Type.Union([
          Type.Null(),
          Type.Object(
            {
              id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
              /** The site whose subtree it serves, by code (TN-DT). */
              siteCode: Type.String({ minLength: 1 }),
              name: Type.String({ minLength: 1, maxLength: 200 }),
              url: Type.String({ pattern: '^https://' }),
            },
            { additionalProperties: false },
          ),
        ]),
      },
      { additionalProperties: false },
    ),
    /** `npm run loadtest` (infra/loadtest) runs only against a server that opts in: its usage route answers only then. */
    loadTest: Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false }),
    metrics: Type.Object(
      {
        /** Bearer token Prometheus must send for /metrics; empty = only direct scrapes from this machine. */
        token: Type.String({ secret: true }),
      },
      { additionalProperties: false },
    ),
    /** TURN relay (coturn) for sites whose firewall blocks the media ports: credentials and, optionally, the process. */
    turn: Type.Object(
      {
        /** Offer TURN to browsers (short-lived credentials per session). */
        enabled: Type.Boolean(),
        /** sfu-server starts and watches coturn itself; false when coturn runs under systemd (infra/). */
        run: Type.Boolean(),
        /** Shared secret with coturn (use-auth-secret); "" = generated once, kept in dataDir (0600). */
        secret: Type.String({ secret: true }),
        realm: Type.String({ minLength: 1 }),
        /** Host name or IP in the turn: URLs given to browsers; "" = media's announced address. */
        publicHost: Type.String(),
        /** TURN over UDP and TCP. */
        port: Port,
        /** TURN over TLS (the service's certificate); production: 443 on an address of its own. */
        tlsPort: Port,
        /** coturn's relay ports (towards the SFU only). */
        minRelayPort: Port,
        maxRelayPort: Port,
        /** Lifetime of an issued credential, seconds. */
        credentialTtlSeconds: Type.Integer({ minimum: 60, maximum: 7 * 86400 }),
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
    /** Meeting recordings (GStreamer): composited main picture and thumbnails, mixed audio, H.264/AAC MP4. */
    recording: Type.Object(
      {
        enabled: Type.Boolean(),
        /** Where the files go; "" = <dataDir>/recordings. */
        dir: Type.String(),
        /** Files are deleted this many days after the recording ended; 0 = kept. */
        retentionDays: Type.Integer({ minimum: 0, maximum: 3650 }),
        width: Type.Integer({ minimum: 320, maximum: 1920, multipleOf: 8 }),
        height: Type.Integer({ minimum: 180, maximum: 1080, multipleOf: 4 }),
        fps: Type.Integer({ minimum: 5, maximum: 30 }),
        videoKbps: Type.Integer({ minimum: 200, maximum: 8000 }),
        /** Main picture plus thumbnails (1-8). */
        videoSlots: Type.Integer({ minimum: 1, maximum: 8 }),
        /** Open microphones mixed at once. */
        audioSlots: Type.Integer({ minimum: 1, maximum: 16 }),
      },
      { additionalProperties: false },
    ),
    /** Room systems (SIP/RTP hardware codecs) dial meetings at <number>@<announcedAddress>:<port> over UDP. */
    sip: Type.Object(
      {
        enabled: Type.Boolean(),
        /** "" = media.listenIp. */
        listenIp: Type.String(),
        port: Type.Integer({ minimum: 1, maximum: 65535 }),
        /** Written in Contact and SDP; "" = the media's announced address. */
        announcedAddress: Type.String(),
        /** Room-system calls at once. */
        maxCalls: Type.Integer({ minimum: 1, maximum: 500 }),
        /** UDP ports room systems send their media to (4 per call); the firewall opens them to the sites. */
        rtpPorts: Type.Object({ min: Port, max: Port }, { additionalProperties: false }),
        /** How often each room system with an address is asked (SIP OPTIONS) whether it is there. */
        optionsIntervalSeconds: Type.Integer({ minimum: 2, maximum: 3600 }),
        /** The main picture each room system is sent (H.264 Constrained Baseline); smaller when its level cannot take it. */
        video: Type.Object(
          {
            width: Type.Integer({ minimum: 160, maximum: 1920, multipleOf: 2 }),
            height: Type.Integer({ minimum: 90, maximum: 1080, multipleOf: 2 }),
            fps: Type.Integer({ minimum: 5, maximum: 30 }),
            kbps: Type.Integer({ minimum: 100, maximum: 6000 }),
          },
          { additionalProperties: false },
        ),
        /** A room shown another room's H.264 that it can decode gets it as it is, not re-encoded. */
        passThrough: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    /** One meeting over several media servers (province and districts); serverId "" = this server meets alone. */
    cascade: Type.Object(
      {
        /** This server's id in the cascade (the id the admin page gives the server). */
        serverId: Type.Union([Type.Literal(''), Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })]),
        /** This server's own NATS node on loopback: the hub at the province, a leaf node at a district. */
        natsUrl: Type.String({ pattern: '^nats://[^/]+$' }),
        /** The parent server's id ("" at the province) and the children's. */
        parent: Type.Union([Type.Literal(''), Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })]),
        children: Type.Array(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), { maxItems: 200 }),
        /** Servers further away, by the neighbour on the way to them; any other goes to the parent. */
        routes: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })),
        /** Address the links to neighbour servers listen on (the WAN side). */
        linkIp: Type.String(),
        /** UDP ports the links take (open them between the servers); min 0: any free port. */
        linkPorts: Type.Object(
          { min: Type.Integer({ minimum: 0, maximum: 65535 }), max: Type.Integer({ minimum: 0, maximum: 65535 }) },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type SfuConfig = Static<typeof SfuConfigSchema>;

export const sfuDefaults: SfuConfig = {
  http: {
    host: '0.0.0.0',
    port: 8443,
    plainPort: 8080,
    plainLoopback: true,
    tls: { certFile: '', keyFile: '', caDir: 'var/ca', names: [] },
    bodyLimit: 1_048_576,
    allowedOrigins: [],
  },
  log: { level: 'info' },
  dataDir: 'var/sfu-server',
  webRoot: 'web/dist',
  media: {
    workers: 0,
    spareWorker: true,
    listenIp: '0.0.0.0',
    announcedAddress: '',
    basePort: 20000,
    logLevel: 'warn',
    maxPeersPerRouter: 40,
    reconnectGraceSeconds: 45,
    adaptation: { enabled: true, intervalMs: 1000 },
  },
  auth: { sessionTtlSeconds: 12 * 3600, maxFailedLogins: 5, lockoutSeconds: 900, initialAdminPassword: 'lienthong-admin' },
  nms: { url: 'https://127.0.0.1:9443', caFile: 'var/ca/ca.pem', bodyLimit: 4_194_304 },
  demo: { seed: true, districtServer: null },
  loadTest: { enabled: false },
  metrics: { token: '' },
  turn: {
    enabled: true,
    run: true,
    secret: '',
    realm: 'lienthong',
    publicHost: '',
    port: 3478,
    tlsPort: 5349,
    minRelayPort: 49160,
    maxRelayPort: 49999,
    credentialTtlSeconds: 3600,
  },
  limits: {
    socketsPerUser: 5,
    socketsPerAddress: 50,
    meetingPeersPerUser: 3,
    messagesPerSecond: 100,
    messageBurst: 500,
    refusedBeforeDisconnect: 2000,
    consumersPerPeer: 400,
  },
  recording: {
    enabled: true,
    dir: '',
    retentionDays: 90,
    width: 1280,
    height: 720,
    fps: 25,
    videoKbps: 1500,
    videoSlots: 8,
    audioSlots: 6,
  },
  sip: {
    enabled: true,
    listenIp: '',
    port: 5060,
    announcedAddress: '',
    maxCalls: 40,
    rtpPorts: { min: 30000, max: 30999 },
    optionsIntervalSeconds: 30,
    video: { width: 640, height: 360, fps: 25, kbps: 800 },
    passThrough: true,
  },
  cascade: {
    serverId: '',
    natsUrl: 'nats://127.0.0.1:4222',
    parent: '',
    children: [],
    routes: {},
    linkIp: '127.0.0.1',
    linkPorts: { min: 0, max: 0 },
  },
};
