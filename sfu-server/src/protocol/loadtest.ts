// The load-test routes (`npm run loadtest`, infra/loadtest): whether this server accepts load
// tests (loadTest.enabled), and, only then, the CPU and memory of every server process.
import Type, { type Static } from 'typebox';

export const LoadTestStatusReply = Type.Object({ ok: Type.Literal(true), enabled: Type.Boolean() });
export type LoadTestStatusReply = Static<typeof LoadTestStatusReply>;

/** One process of the server: the Node process (`node`) or a mediasoup worker (`worker-<index>`). */
export const ProcessUsage = Type.Object({
  name: Type.String(),
  pid: Type.Integer(),
  /** user + system CPU time since the process started, seconds. */
  cpuSeconds: Type.Number(),
  rssBytes: Type.Integer(),
});
export type ProcessUsage = Static<typeof ProcessUsage>;

/** Live, unpaused consumers (streams sent to sites) by mediasoup's score: element i counts those scoring i (0..10). */
const Histogram = Type.Array(Type.Integer({ minimum: 0 }), { minItems: 11, maxItems: 11 });
export const ScoreHistogram = Type.Object({
  audio: Histogram,
  video: Histogram,
  /** Consumers paused (by the site, or by the server shedding video on a thin link), not in the histograms. */
  paused: Type.Object({ audio: Type.Integer({ minimum: 0 }), video: Type.Integer({ minimum: 0 }) }),
});
export type ScoreHistogram = Static<typeof ScoreHistogram>;

/** What is alive in the server now: a long load test shows that none of it grows. */
export const MediaCounts = Type.Object({
  /** Signalling connections. */
  sockets: Type.Integer({ minimum: 0 }),
  routers: Type.Integer({ minimum: 0 }),
  transports: Type.Integer({ minimum: 0 }),
  producers: Type.Integer({ minimum: 0 }),
  consumers: Type.Integer({ minimum: 0 }),
  /** Listeners on those mediasoup objects and their observers. */
  listeners: Type.Integer({ minimum: 0 }),
  /** Node's active handles and requests (sockets, timers, files). */
  handles: Type.Integer({ minimum: 0 }),
});
export type MediaCounts = Static<typeof MediaCounts>;

export const LoadTestUsageReply = Type.Object({
  ok: Type.Literal(true),
  /** Server clock, ms since the epoch: CPU rates are deltas over it. */
  sampledAt: Type.Number(),
  processes: Type.Array(ProcessUsage),
  consumerScores: ScoreHistogram,
  live: MediaCounts,
});
export type LoadTestUsageReply = Static<typeof LoadTestUsageReply>;
