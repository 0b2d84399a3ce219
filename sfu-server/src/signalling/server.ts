// socket.io on Fastify's http server: authenticates every socket with the
// session token, then serves the ClientRequests table for that user.
import type { Server as HttpServer } from 'node:http';
import { AppError, type Logger, tokenFromRequest } from '@lienthong/kit';
import { Server, type Socket } from 'socket.io';
import type { MediaWorkerPool } from '../media/worker-pool';
import { MAX_MESSAGE_BYTES, type SessionClaims, SIGNALLING_PATH } from '../protocol';
import { chairHandlers } from './chair-handlers';
import type { ChairPorts } from './chair-ports';
import { Conference, type LiveRoom } from './conference';
import { bindRequests, type RpcCounters } from './rpc';

/** What signalling needs from the meetings core (implemented by the scheduling domain). */
export interface MeetingAccess {
  checkJoin(
    claims: SessionClaims,
    meetingId: string,
  ): Promise<{
    meeting: { id: string; title: string; chairSiteId: string };
    site: { id: string; code: string; name: string; parentId: string | null; parentName: string | null };
  }>;
  /** Audit log, attendance and the roll for chair-led meetings (absent: kept in memory only). */
  chair?: ChairPorts;
}

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

interface SocketSession {
  claims: SessionClaims;
  room: LiveRoom | null;
  peerId: string | null;
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
    io,
    pool: opts.pool,
    logger: opts.logger,
    maxPeersPerRouter: opts.maxPeersPerRouter,
    graceMs: opts.graceMs,
    restoreControl: (meetingId) => opts.meetings.chair?.repo.loadControl(meetingId),
    saveControl: (meetingId, settings) => opts.meetings.chair?.repo.saveControl(meetingId, settings, Date.now()),
  });

  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const t = typeof token === 'string' ? token : tokenFromRequest(socket.handshake.headers);
    if (!t) return next(Object.assign(new Error('UNAUTHENTICATED'), { data: { code: 'UNAUTHENTICATED', message: 'Log in first' } }));
    opts.authenticate(t).then(
      (claims) => {
        (socket.data as { claims?: SessionClaims }).claims = claims;
        next();
      },
      (e: unknown) => {
        const code = e instanceof AppError ? e.code : 'UNAUTHENTICATED';
        next(Object.assign(new Error(code), { data: { code, message: (e as Error).message } }));
      },
    );
  });

  io.on('connection', (socket: Socket) => {
    const session: SocketSession = { claims: (socket.data as { claims: SessionClaims }).claims, room: null, peerId: null };
    const log = opts.logger.child({ user: session.claims.sub, site: session.claims.siteCode, socket: socket.id });

    const leaveCurrent = () => {
      if (session.room && session.peerId) conference.removePeer(session.room, session.peerId);
      session.room = null;
      session.peerId = null;
    };
    const current = () => {
      if (!session.room || !session.peerId) throw new AppError('NOT_IN_ROOM', 'Join a meeting first', 409);
      return { room: session.room, peerId: session.peerId, media: session.room.media };
    };

    bindRequests(
      socket,
      {
        'router:capabilities': async () => ({ routerRtpCapabilities: await conference.routerCapabilities() }),
        'selftest:join': async ({ rtpCapabilities }) => {
          leaveCurrent();
          const room = conference.getOrCreate(`selftest:${socket.id}`, null);
          const peerId = conference.newPeerId();
          await room.media.addPeer(peerId);
          room.media.setRtpCapabilities(peerId, rtpCapabilities);
          conference.bindSocket(room, peerId, socket.id);
          session.room = room;
          session.peerId = peerId;
          return {
            peerId,
            resumed: false,
            routerRtpCapabilities: (await room.media.rtpCapabilities()) as unknown as Record<string, unknown>,
            producers: [],
            room: null,
          };
        },
        'meeting:join': async ({ meetingId, rtpCapabilities, resumePeerId }) => {
          let access: Awaited<ReturnType<MeetingAccess['checkJoin']>>;
          try {
            access = await opts.meetings.checkJoin(session.claims, meetingId);
          } catch (e) {
            opts.counters?.onJoinFailure?.(e instanceof AppError ? e.code : 'INTERNAL');
            throw e;
          }
          const key = Conference.meetingKey(access.meeting.id);
          if (session.room && session.room.key !== key) leaveCurrent();
          const room = conference.getOrCreate(key, access.meeting);
          const { peerId, resumedParticipant } = conference.join(
            room,
            {
              userId: session.claims.sub,
              userName: session.claims.name,
              siteId: access.site.id,
              siteCode: access.site.code,
              siteName: access.site.name,
              parentSiteId: access.site.parentId,
              parentSiteName: access.site.parentName,
            },
            resumePeerId,
          );
          // Media survives a short signalling drop; the client then only restarts ICE.
          const mediaKept = resumedParticipant && room.media.hasPeer(peerId);
          try {
            if (!mediaKept) await room.media.addPeer(peerId);
            room.media.setRtpCapabilities(peerId, rtpCapabilities);
          } catch (e) {
            if (!resumedParticipant) conference.removePeer(room, peerId);
            opts.counters?.onJoinFailure?.(e instanceof AppError ? e.code : 'INTERNAL');
            throw e;
          }
          // Joining again from the same socket as a new peer replaces the old one.
          if (session.room === room && session.peerId && session.peerId !== peerId) conference.removePeer(room, session.peerId);
          conference.bindSocket(room, peerId, socket.id);
          session.room = room;
          session.peerId = peerId;
          log.info({ meetingId, peerId, resumed: mediaKept }, 'joined meeting');
          conference.broadcastState(room);
          return {
            peerId,
            resumed: mediaKept,
            routerRtpCapabilities: (await room.media.rtpCapabilities()) as unknown as Record<string, unknown>,
            producers: room.media.announcements(peerId),
            room: conference.state(room),
          };
        },
        'meeting:leave': () => {
          leaveCurrent();
          return {};
        },
        'meeting:setReceiveMode': ({ mode }) => {
          const { room, peerId } = current();
          if (!room.live) throw new AppError('NOT_IN_MEETING', 'Only in meetings', 409);
          room.live.setReceiveMode(peerId, mode);
          conference.broadcastState(room);
          return {};
        },
        'meeting:setMainPolicy': ({ policy }) => {
          const { room, peerId } = current();
          if (!room.live) throw new AppError('NOT_IN_MEETING', 'Only in meetings', 409);
          if (!room.live.get(peerId).isChairSite) throw new AppError('NOT_CHAIR', 'Only the chair site can change the main picture', 403);
          room.live.mainPolicy = policy;
          conference.broadcastState(room);
          return {};
        },
        'media:createTransport': ({ direction }) => {
          const { media, peerId } = current();
          return media.createTransport(peerId, direction);
        },
        'media:connectTransport': async ({ transportId, dtlsParameters }) => {
          const { media, peerId } = current();
          await media.connectTransport(peerId, transportId, dtlsParameters);
          return {};
        },
        'media:restartIce': async ({ transportId }) => {
          const { media, peerId } = current();
          return { iceParameters: await media.restartIce(peerId, transportId) };
        },
        // media:produce, media:pauseProducer, media:resumeProducer: in chair-handlers.ts (the chair's rules apply).
        'media:closeProducer': async ({ producerId }) => {
          const { media, peerId } = current();
          await media.closeProducer(peerId, producerId);
          return {};
        },
        'media:consume': ({ producerId }) => {
          const { media, peerId } = current();
          return media.consume(peerId, producerId);
        },
        'media:resumeConsumer': async ({ consumerId }) => {
          const { media, peerId } = current();
          await media.resumeConsumer(peerId, consumerId);
          return {};
        },
        'media:setConsumerLayers': async ({ consumerId, spatialLayer, temporalLayer }) => {
          const { media, peerId, room } = current();
          // A site in low-bandwidth mode never gets more than the lowest layer.
          const capped = room.live?.get(peerId).receiveMode === 'low' ? 0 : spatialLayer;
          await media.setConsumerLayers(peerId, consumerId, capped, temporalLayer);
          return {};
        },
        'media:closeConsumer': async ({ consumerId }) => {
          const { media, peerId } = current();
          await media.closeConsumer(peerId, consumerId);
          return {};
        },
        // Floor control, roll call, presentation; overrides the media requests the chair's rules govern.
        ...chairHandlers({ conference, session, ports: opts.meetings.chair, log }),
      },
      log,
      opts.counters,
    );

    socket.on('disconnect', (reason) => {
      log.info({ reason }, 'socket disconnected');
      const { room, peerId } = session;
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
