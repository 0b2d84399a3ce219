// Meeting recordings over REST: the list with the meeting, and each file (played in the page with
// HTTP ranges, or downloaded). Start and stop are chair actions over signalling (chair:record).
import Type, { type Static } from 'typebox';

export const RecordingStateName = Type.Union([
  Type.Literal('recording'),
  Type.Literal('done'),
  Type.Literal('interrupted'),
  Type.Literal('failed'),
  Type.Literal('deleted'),
]);

export const RecordingView = Type.Object({
  id: Type.String(),
  meetingId: Type.String(),
  startedAt: Type.String({ format: 'date-time' }),
  endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  startedByName: Type.String(),
  state: RecordingStateName,
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
  sizeBytes: Type.Union([Type.Integer(), Type.Null()]),
  /** A file is there to play and download. */
  playable: Type.Boolean(),
  error: Type.Union([Type.String(), Type.Null()]),
});
export type RecordingView = Static<typeof RecordingView>;

export const RecordingList = Type.Object({
  ok: Type.Literal(true),
  recordings: Type.Array(RecordingView),
  /** Files are deleted this many days after the end (0: kept). */
  retentionDays: Type.Integer(),
  /** The server can record (GStreamer set up and recording enabled). */
  enabled: Type.Boolean(),
});
export type RecordingList = Static<typeof RecordingList>;

export const RecordingParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$' }) });
export const RecordingFileQuery = Type.Object({ download: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
