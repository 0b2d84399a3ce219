// Stable error codes for REST replies and socket.io acks, each with its HTTP status.
// The web app switches on `code`, never on `message`.
import Type, { type Static } from 'typebox';

export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  SERVER_URL_INVALID: 400,
  PASSWORD_REUSED: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  ACCOUNT_DISABLED: 403,
  NOT_INVITED: 403,
  NO_MEETING_ROLE: 403,
  LOAD_TEST_DISABLED: 403,
  FORBIDDEN_ORIGIN: 403,
  PASSWORD_CHANGE_REQUIRED: 403,
  NOT_FOUND: 404,
  USER_NOT_PRESENT: 404,
  CONFLICT: 409,
  USERNAME_TAKEN: 409,
  SITE_CODE_TAKEN: 409,
  SIP_USER_TAKEN: 409,
  SITE_HAS_CHILDREN: 409,
  SITE_IN_USE: 409,
  SITE_MOVE_CYCLE: 409,
  SITE_HAS_SERVER: 409,
  SERVER_SITE_TAKEN: 409,
  SERVER_ID_TAKEN: 409,
  SERVER_NAME_TAKEN: 409,
  SERVER_URL_TAKEN: 409,
  SERVER_ROOT_REQUIRED: 409,
  SERVER_ROOT_TAKEN: 409,
  ROOM_IN_USE: 409,
  ROOM_DOUBLE_BOOKED: 409,
  MEETING_CANCELLED: 409,
  MEETING_ENDED: 409,
  MEETING_NOT_OPEN: 409,
  OPEN_EARLY_TOO_SOON: 409,
  IMPORT_FAILED: 422,
  ACCOUNT_LOCKED: 423,
  LOGIN_LOCKED: 423,
  RATE_LIMITED: 429,
  TOO_MANY_SOCKETS: 429,
  TOO_MANY_CONNECTIONS: 429,
  TOO_MANY_PEERS: 409,
  TOO_MANY_CONSUMERS: 409,
  RECEIVE_MODE_AUDIO_ONLY: 409,
  SERVER_BUSY: 503,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export const WireErrorSchema = Type.Object({
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Unknown()),
});

/** Every failed REST reply and socket.io ack. */
export const ErrorReply = Type.Object({ ok: Type.Literal(false), error: WireErrorSchema });
export type ErrorReply = Static<typeof ErrorReply>;

/** One bad row of an import: 1-based line (CSV: file line incl. header; JSON: position in `sites`). */
export const ImportProblem = Type.Object({ line: Type.Integer(), message: Type.String() });
export type ImportProblem = Static<typeof ImportProblem>;

export const OkReply = Type.Object({ ok: Type.Literal(true) });
export type OkReply = Static<typeof OkReply>;
