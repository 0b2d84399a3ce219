import Type, { type Static } from 'typebox';

/** Stable error codes: REST errors and device poll states. */
export const NmsErrorCode = Type.Union([
  Type.Literal('BAD_REQUEST'),
  Type.Literal('UNAUTHENTICATED'),
  Type.Literal('FORBIDDEN'),
  Type.Literal('PASSWORD_CHANGE_REQUIRED'),
  Type.Literal('NOT_FOUND'),
  Type.Literal('CONFLICT'),
  Type.Literal('UNKNOWN_SITE'),
  Type.Literal('UNKNOWN_DEVICE'),
  Type.Literal('IMPORT_INVALID'),
  Type.Literal('AUTH_UNAVAILABLE'),
  Type.Literal('PROMETHEUS_UNAVAILABLE'),
  Type.Literal('INTERNAL'),
  // SNMP poll outcomes
  Type.Literal('SNMP_TIMEOUT'),
  Type.Literal('SNMP_AUTH_FAILED'),
  Type.Literal('SNMP_UNKNOWN_USER'),
  Type.Literal('SNMP_NOT_IN_TIME_WINDOW'),
  Type.Literal('SNMP_BAD_RESPONSE'),
  Type.Literal('SNMP_TOO_BIG'),
  Type.Literal('SNMP_TABLE_TOO_LARGE'),
  Type.Literal('SNMP_ERROR_STATUS'),
  Type.Literal('SNMP_ERROR'),
]);
export type NmsErrorCode = Static<typeof NmsErrorCode>;

export const ErrorBody = Type.Object({
  ok: Type.Literal(false),
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) }),
});
export type ErrorBody = Static<typeof ErrorBody>;
