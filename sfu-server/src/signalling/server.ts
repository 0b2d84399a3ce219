// socket.io on Fastify's http server: authenticates every socket with the
// session token, then serves the ClientRequests table (handlers/, one module per
// topic) for that user. Only the socket.io wiring lives here.
import type { Server as HttpServer } from 'node:http';
import { AppError, type Logger, tokenFromRequest } from '@lienthong/kit';
import { Server, type Socket } from 'socket.io';
import { MediaRoom } from '../media/media-room';
import type { MediaWorkerPool } from '../media/worker-pool';
import { MAX_MESSAGE_BYTES, type SessionClaims, SIGNALLING_PATH } from '../protocol';
import { Conference } from './conference';
import { type HandlerContext, requestHandlers } from './handlers';
import { MemoryChairRepository } from './memory-chair-repository';
import type { MeetingAccess } from './ports';
import { bindRequests, type RpcCounters } from './rpc';
import { socketIoPush } from './socket-push';

export type { MeetingAccess } from './ports';

export interface SignallingOptions {
  httpServer: HttpServer;
  pool: MediaWorkerPool;
  logger: Logger;
  authenticate(token: string): Promise<SessionClaims>;
  meetings: MeetingAccess;
  maxPeersPerRouter: number;
  graceMs: number;
  qualityIntervalMs?: number;
  counters?: RpcCounters & { onJoinFailure?(code: string): void };
}

function authMiddleware(authenticate: SignallingOptions['authenticate']) {
  return (socket: Socket, next: (err?: Error) => void) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const t = typeof token === 'string' ? token : tokenFromRequest(socket.handshake.headers);
    if (!t) return next(Object.assign(new Error('UNAUTHENTICATED'), { data: { code: 'UNAUTHENTICATED', message: 'Log in first' } }));
    authenticate(t).then(
      (claims) => {
        (socket.data as { claims?: SessionClaims }).claims = claims;
        next();
      },
      (e: unknown) => {
        const code = e instanceof AppError ? e.code : 'UNAUTHENTICATED';
        next(Object.assign(new Error(code), { data: { code, message: (e as Error).message } }));
      },
    );
  };
}

export function attachSignalling(opts: SignallingOptions): { io: Server; conference: Conference; close(): Promise<void> } {
  const io = new Server(opts.httpServer, {
    path: SIGNALLING_PATH,
    // Hard cap; anything over MAX_MESSAGE_BYTES but under this gets a coded ack instead of a disconnect.
    maxHttpBufferSize: MAX_MESSAGE_BYTES * 8,
    serveClient: false,
    pingInterval: 5000,
    pingTimeout: 5000,
  });
  const conference = new Conference({
    push: socketIoPush(io),
    createMedia: (key) =>
      new MediaRoom(key, { pool: opts.pool, logger: opts.logger.child({ room: key }), maxPeersPerRouter: opts.maxPeersPerRouter }),
    logger: opts.logger,
    graceMs: opts.graceMs,
    // Without the core's SQLite repository the chair's state is kept in memory only.
    repo: opts.meetings.chair?.repo ?? new MemoryChairRepository(),
  });

  io.use(authMiddleware(opts.authenticate));

  io.on('connection', (socket: Socket) => {
    const claims = (socket.data as { claims: SessionClaims }).claims;
    const ctx: HandlerContext = {
      conference,
      session: { claims, room: null, peerId: null },
      socketId: socket.id,
      meetings: opts.meetings,
      log: opts.logger.child({ user: claims.sub, site: claims.siteCode, socket: socket.id }),
      onJoinFailure: opts.counters?.onJoinFailure,
    };
    bindRequests(socket, requestHandlers, ctx, ctx.log, opts.counters);

    socket.on('disconnect', (reason) => {
      ctx.log.info({ reason }, 'socket disconnected');
      const { room, peerId } = ctx.session;
      if (!room || !peerId) return;
      if (room.live) conference.socketLost(room, peerId, socket.id);
      else conference.removePeer(room, peerId);
    });
  });

  const qualityTimer = setInterval(() => void conference.refreshQuality(), opts.qualityIntervalMs ?? 2000);
  qualityTimer.unref();

  return {
    io,
    conference,
    async close() {
      clearInterval(qualityTimer);
      conference.closeAll();
      await io.close();
    },
  };
}
