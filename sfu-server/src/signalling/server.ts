// socket.io on Fastify's http server: caps connections per address and per user,
// authenticates every socket with the session token, then serves the ClientRequests
// table (handlers/, one module per topic) for that user within its request rate.
// Only the socket.io wiring lives here.
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { AppError, fromForeignOrigin, type Logger, tokenFromRequest } from '@lienthong/kit';
import { Server, type Socket } from 'socket.io';
import { type SfuConfig, sfuDefaults } from '../config/schema';
import { requirePasswordChanged } from '../domain/accounts/one-time-password';
import { ConnectionCaps } from '../domain/limits/connection-caps';
import { RequestRateLimiter } from '../domain/limits/token-bucket';
import type { SitePath } from '../domain/live/network-cause';
import { QualityRecorder } from '../domain/live/quality-log';
import { MediaRoom } from '../media/media-room';
import type { MediaWorkerPool } from '../media/worker-pool';
import { MAX_MESSAGE_BYTES, type SessionClaims, SIGNALLING_PATH } from '../protocol';
import { AdaptationLoop } from './adaptation';
import { Conference } from './conference';
import { type HandlerContext, requestHandlers } from './handlers';
import { MemoryChairRepository } from './memory-chair-repository';
import { NetworkWatch } from './network-watch';
import type { MeetingAccess, RoomMedia } from './ports';
import { bindRequests, type RpcCounters } from './rpc';
import { SessionEnds } from './session-ends';
import { socketIoPush } from './socket-push';

export type { MeetingAccess } from './ports';

export interface SignallingOptions {
  httpServer: HttpServer;
  /** Origins besides the server's own host:port whose pages may connect (config http.allowedOrigins). */
  allowedOrigins?: readonly string[];
  pool: MediaWorkerPool;
  logger: Logger;
  /** `exp`: the token's expiry (epoch seconds); the socket ends then. */
  authenticate(token: string): Promise<SessionClaims & { exp?: number }>;
  meetings: MeetingAccess;
  maxPeersPerRouter: number;
  graceMs: number;
  qualityIntervalMs?: number;
  counters?: RpcCounters & { onJoinFailure?(code: string): void };
  /** Per user, address and connection (config `limits`); the defaults when absent. */
  limits?: SfuConfig['limits'];
  /** TURN relays with per-user credentials (media:iceServers); absent: none offered. */
  iceServers?: HandlerContext['iceServers'];
  /** Meeting recordings; absent: chair:record answers RECORDING_UNAVAILABLE. */
  recordings?: HandlerContext['recordings'];
  /** Calls to room systems; absent: chair:dialOut answers SIP_UNAVAILABLE. */
  dialer?: HandlerContext['dialer'];
  /** Video shed per receiving site on thin links (config media.adaptation); the defaults when absent. */
  adaptation?: SfuConfig['media']['adaptation'];
  /** nms's view of the network under live sites (absent: no nms, the console names no causes). */
  siteNetwork?: (siteCodes: string[]) => Promise<SitePath[]>;
  networkIntervalMs?: number;
  /** This server's part in cascaded meetings (absent: meetings stay on this server). */
  cascade?: { mediaFor(meetingId: string, room: MediaRoom): RoomMedia };
}

const refusal = (code: string, message: string) => Object.assign(new Error(code), { data: { code, message } });

/** A page of another origin must not open signalling with the user's cookie (or a token it holds). */
const sameOriginOnly =
  (allowed: readonly string[]) =>
  (req: IncomingMessage, done: (err: string | null | undefined, success: boolean) => void): void => {
    const foreign = fromForeignOrigin(req.headers, allowed);
    done(foreign ? 'FORBIDDEN_ORIGIN' : null, !foreign);
  };

/** The peer's address as the TCP connection says (forwarded-for headers are ignored). */
const addressOf = (socket: Socket) => socket.handshake.address.replace(/^::ffff:/, '');

/** Runs `fn` when the connection closes, or now if it already has (a client may leave mid-handshake). */
function whenClosed(socket: Socket, fn: () => void): void {
  if (socket.conn.readyState === 'closed') fn();
  else socket.conn.once('close', fn);
}

/**
 * Admits a socket: a slot of its address, a valid session, a slot of its user. Every slot
 * taken is given back once, when the connection closes or the admission fails.
 */
function admission(authenticate: SignallingOptions['authenticate'], limits: SfuConfig['limits']) {
  const perAddress = new ConnectionCaps(limits.socketsPerAddress);
  const perUser = new ConnectionCaps(limits.socketsPerUser);
  return (socket: Socket, next: (err?: Error) => void) => {
    const releaseAddress = perAddress.acquire(addressOf(socket));
    if (!releaseAddress) return next(refusal('TOO_MANY_CONNECTIONS', 'Too many connections from this address'));
    whenClosed(socket, releaseAddress);
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const t = typeof token === 'string' ? token : tokenFromRequest(socket.handshake.headers);
    const refuse = (err: Error) => {
      releaseAddress();
      next(err);
    };
    if (!t) return refuse(refusal('UNAUTHENTICATED', 'Log in first'));
    // A session whose password must change gets no signalling at all: refused at the handshake.
    const admitted = authenticate(t).then((claims) => {
      requirePasswordChanged(claims);
      return claims;
    });
    admitted.then(
      (claims) => {
        const releaseUser = perUser.acquire(claims.sub);
        if (!releaseUser) return refuse(refusal('TOO_MANY_SOCKETS', 'Too many connections of this user; close another tab first'));
        whenClosed(socket, releaseUser);
        (socket.data as { claims?: SessionClaims }).claims = claims;
        next();
      },
      (e: unknown) => refuse(refusal(e instanceof AppError ? e.code : 'UNAUTHENTICATED', (e as Error).message)),
    );
  };
}

function socketContext(
  socket: Socket,
  claims: SessionClaims,
  conference: Conference,
  opts: SignallingOptions,
  limits: SfuConfig['limits'],
  adaptation: AdaptationLoop,
): HandlerContext {
  return {
    conference,
    session: { claims, room: null, peerId: null },
    socketId: socket.id,
    meetings: opts.meetings,
    log: opts.logger.child({ user: claims.sub, site: claims.siteCode, socket: socket.id }),
    onJoinFailure: opts.counters?.onJoinFailure,
    limits: { meetingPeersPerUser: limits.meetingPeersPerUser },
    adaptation,
    ...(opts.iceServers ? { iceServers: opts.iceServers } : {}),
    ...(opts.recordings ? { recordings: opts.recordings } : {}),
    ...(opts.dialer ? { dialer: opts.dialer } : {}),
  };
}

/** One connection's request budget. */
const rateLimiter = (limits: SfuConfig['limits']) =>
  new RequestRateLimiter(
    { perSecond: limits.messagesPerSecond, burst: limits.messageBurst, refusedBeforeDisconnect: limits.refusedBeforeDisconnect },
    Date.now(),
  );

/** Each room's media: a MediaRoom over the worker pool. */
const roomMediaFactory =
  (opts: SignallingOptions, consumersPerPeer: number, audioNack: boolean) =>
  (key: string): RoomMedia => {
    const room = new MediaRoom(key, {
      pool: opts.pool,
      logger: opts.logger.child({ room: key }),
      maxPeersPerRouter: opts.maxPeersPerRouter,
      consumersPerPeer,
      audioNack,
    });
    const meetingPrefix = Conference.meetingKey('');
    if (!opts.cascade || !key.startsWith(meetingPrefix)) return room;
    return opts.cascade.mediaFor(key.slice(meetingPrefix.length), room);
  };

export function attachSignalling(opts: SignallingOptions): { io: Server; conference: Conference; close(): Promise<void> } {
  const limits = opts.limits ?? sfuDefaults.limits;
  const io = new Server(opts.httpServer, {
    path: SIGNALLING_PATH,
    // Hard cap; anything over MAX_MESSAGE_BYTES but under this gets a coded ack instead of a disconnect.
    maxHttpBufferSize: MAX_MESSAGE_BYTES * 8,
    serveClient: false,
    pingInterval: 5000,
    pingTimeout: 5000,
    allowRequest: sameOriginOnly(opts.allowedOrigins ?? []),
  });
  const adaptOpts = opts.adaptation ?? sfuDefaults.media.adaptation;
  const quality = opts.meetings.chair?.qualityLog ? new QualityRecorder(opts.meetings.chair.qualityLog) : undefined;
  const conference = new Conference({
    push: socketIoPush(io),
    createMedia: roomMediaFactory(opts, limits.consumersPerPeer, adaptOpts.enabled),
    logger: opts.logger,
    graceMs: opts.graceMs,
    // Without the core's SQLite repository the chair's state is kept in memory only.
    repo: opts.meetings.chair?.repo ?? new MemoryChairRepository(),
    quality,
  });

  const adaptation = new AdaptationLoop(conference, { enabled: adaptOpts.enabled, logger: opts.logger.child({ component: 'adaptation' }) });
  io.use(admission(opts.authenticate, limits));
  // Ended sessions and meetings end their sockets' meetings within seconds.
  const ends = new SessionEnds(conference, opts.logger);
  const unsubscribe = [
    opts.meetings.onMeetingChange?.((e) => ends.meetingChanged(e)),
    opts.meetings.onSessionsEnded?.((e) => ends.sessionsEnded(e)),
  ];

  io.on('connection', (socket: Socket) => {
    const claims = (socket.data as { claims: SessionClaims }).claims;
    const ctx = socketContext(socket, claims, conference, opts, limits, adaptation);
    bindRequests(socket, requestHandlers, ctx, ctx.log, opts.counters, rateLimiter(limits));
    const exp = (claims as { exp?: number }).exp;
    ends.track(
      ctx,
      (reason) => socket.emit('room:closed', { reason }),
      () => socket.disconnect(true),
      exp === undefined ? undefined : exp * 1000,
    );

    socket.on('disconnect', (reason) => {
      ctx.log.info({ reason }, 'socket disconnected');
      ends.untrack(socket.id);
      const { room, peerId } = ctx.session;
      if (!room || !peerId) return;
      if (room.live) conference.socketLost(room, peerId, socket.id);
      else conference.removePeer(room, peerId);
    });
  });

  const qualityTimer = setInterval(() => void conference.refreshQuality(), opts.qualityIntervalMs ?? 2000);
  qualityTimer.unref();
  const adaptationTimer = setInterval(() => void adaptation.tick(), adaptOpts.intervalMs);
  adaptationTimer.unref();
  const stopWatch = opts.siteNetwork
    ? NetworkWatch.start(conference, opts.siteNetwork, opts.logger, quality && ((e) => quality.network(e)), opts.networkIntervalMs)
    : null;

  return {
    io,
    conference,
    async close() {
      clearInterval(qualityTimer);
      clearInterval(adaptationTimer);
      stopWatch?.();
      for (const off of unsubscribe) off?.();
      conference.closeAll();
      await io.close();
    },
  };
}
