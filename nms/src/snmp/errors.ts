// net-snmp failures mapped to our stable codes.
import * as snmp from 'net-snmp';
import type { NmsErrorCode } from '../protocol/errors';

export class SnmpError extends Error {
  constructor(
    readonly code: NmsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SnmpError';
  }
}

export function classifySnmpError(e: unknown): SnmpError {
  if (e instanceof SnmpError) return e;
  const err = e as Error & { code?: number; status?: number };
  const msg = err?.message ?? String(e);
  if (e instanceof snmp.RequestTimedOutError)
    return new SnmpError('SNMP_TIMEOUT', 'no response (agent down, unreachable or credentials ignored)');
  if (e instanceof snmp.ResponseInvalidError) {
    const C = snmp.ResponseInvalidCode;
    if (err.code === C.EAuthFailure) {
      if (/Unknown User Name/i.test(msg)) return new SnmpError('SNMP_UNKNOWN_USER', `agent does not know this SNMPv3 user (${msg})`);
      if (/Not In Time Window/i.test(msg)) return new SnmpError('SNMP_NOT_IN_TIME_WINDOW', msg);
      return new SnmpError('SNMP_AUTH_FAILED', msg);
    }
    if (err.code === C.ENotInTimeWindow) return new SnmpError('SNMP_NOT_IN_TIME_WINDOW', msg);
    return new SnmpError('SNMP_BAD_RESPONSE', msg);
  }
  if (e instanceof snmp.RequestFailedError) {
    if (err.status === snmp.ErrorStatus.TooBig) return new SnmpError('SNMP_TOO_BIG', msg);
    return new SnmpError('SNMP_ERROR_STATUS', msg);
  }
  if (/decrypt|digest|auth/i.test(msg)) return new SnmpError('SNMP_AUTH_FAILED', msg);
  return new SnmpError('SNMP_ERROR', msg);
}
