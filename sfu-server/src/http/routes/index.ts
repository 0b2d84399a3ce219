// The core REST API (protocol/rest.ts) in one encapsulated scope: params, query and bodies
// checked against the table's schemas (unknown keys rejected, not stripped) and reported as
// VALIDATION_FAILED before any handler runs; then the caller, as the route's access says.
import { type Handlers, serveRoutes } from '@lienthong/kit';
import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core';
import type { CascadeHealthSource } from '../../domain/cascade/health';
import { SfuRoutes } from '../../protocol/rest';
import { attendanceHandlers } from './attendance';
import { authHandlers } from './auth';
import { type Caller, requireCaller } from './context';
import { type LoadTestSource, loadtestHandlers, noLoadTest } from './loadtest';
import { meetingHandlers } from './meetings';
import { type ReadinessSources, readinessHandlers } from './readiness';
import { type RecordingSource, recordingHandlers } from './recordings';
import { type RoomWatchSource, roomSystemHandlers, type SipAddress } from './room-systems';
import { roomHandlers } from './rooms';
import { serverHandlers } from './servers';
import { siteHandlers } from './sites';
import { userHandlers } from './users';

export async function registerApiRoutes(
  app: FastifyInstance,
  core: Core,
  loadTest: LoadTestSource = noLoadTest,
  opts: {
    networkMonitoring: boolean;
    readiness?: ReadinessSources;
    recordings?: RecordingSource;
    sip?: SipAddress;
    roomWatch?: RoomWatchSource;
    /** This server's cascade links; absent while no cascade runs here. */
    cascadeHealth?: CascadeHealthSource;
  } = {
    networkMonitoring: false,
  },
): Promise<void> {
  const handlers: Handlers<SfuRoutes, Caller> = {
    ...authHandlers(core, opts),
    ...siteHandlers(core),
    ...userHandlers(core),
    ...roomHandlers(core),
    ...meetingHandlers(core),
    ...attendanceHandlers(core),
    ...readinessHandlers(core, opts.readiness),
    ...recordingHandlers(core, opts.recordings),
    ...roomSystemHandlers(core, opts.sip ?? null, opts.roomWatch),
    ...serverHandlers(core, opts.cascadeHealth),
    ...loadtestHandlers(loadTest),
  };
  await app.register(async (scope) => {
    serveRoutes(scope, SfuRoutes, handlers, {
      authenticate: (req, route) => requireCaller(core, req, route),
      roles: (caller) => caller.actor.roles,
    });
  });
}
