// One call's dialog state, and how a refused INVITE is answered (the domain's error codes as SIP
// statuses). Kept apart from the endpoint, which runs the dialogs.

import { randomInt } from 'node:crypto';
import { AppError } from '@lienthong/kit';
import type { SipMessage } from 'sip';
import type { Core } from '../core';
import { type Negotiated, SdpError } from '../domain/room-systems/sdp';
import type { RoomCall } from './room-call';
import type { Remote } from './sip-udp';

/** The methods we take in a dialog (Allow), whichever side placed the call. */
export const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE';

/** RFC 5168's XML body for "send me a keyframe", the way room systems ask by SIP. */
export const FAST_UPDATE = /<picture_fast_update\s*\/?>/;
export const FAST_UPDATE_BODY = [
  '<?xml version="1.0" encoding="utf-8" ?>',
  '<media_control><vc_primitive><to_encoder><picture_fast_update/></to_encoder></vc_primitive></media_control>',
  '',
].join('\r\n');
/** A room asked for keyframes by SIP INFO no more often than this. */
export const INFO_GAP_MS = 1000;

export type CallState = 'early' | 'confirmed' | 'ended';
export type Grant = ReturnType<Core['roomSystems']['checkJoin']>;

export interface Call {
  callId: string;
  remote: Remote;
  invite: SipMessage;
  localTag: string;
  state: CallState;
  media: RoomCall | null;
  negotiated: Negotiated | null;
  sdpVersion: number;
  sessionId: number;
  localSeq: number;
  ok: SipMessage | null;
  okTimer: NodeJS.Timeout | null;
  expiry: NodeJS.Timeout | null;
  lastInfo: number;
  /** A re-INVITE's new codec is being set up: another waits (491). */
  changing: boolean;
  meetingId: string;
  roomSystemId: string;
  /** A call we placed: our ACK of its 2xx (repeated when the 2xx is), and who hears how it ends. */
  ack: SipMessage | null;
  onEnd: ((why: string) => void) | null;
}

/** A new call record, before its media. */
export function newCall(c: Pick<Call, 'callId' | 'remote' | 'invite' | 'localTag' | 'negotiated' | 'meetingId' | 'roomSystemId'>): Call {
  return {
    ...c,
    state: 'early',
    media: null,
    sdpVersion: 1,
    sessionId: randomInt(1, 2 ** 31),
    localSeq: randomInt(1, 10_000),
    ok: null,
    okTimer: null,
    expiry: null,
    lastInfo: 0,
    changing: false,
    ack: null,
    onEnd: null,
  };
}

/** A coded refusal of an INVITE, from the domain's error codes. */
export function refusal(e: unknown): { status: number; reason: string } {
  if (e instanceof SdpError) return { status: e.sipStatus, reason: e.sipStatus === 488 ? 'Not Acceptable Here' : 'Bad Request' };
  if (e instanceof AppError) {
    if (e.code === 'NOT_INVITED' || e.code === 'FORBIDDEN') return { status: 403, reason: 'Forbidden' };
    if (e.code === 'NOT_FOUND') return { status: 404, reason: 'Not Found' };
    if (e.code.startsWith('MEETING_')) return { status: 480, reason: 'Temporarily Unavailable' };
    if (e.code === 'TOO_MANY_PEERS' || e.code === 'ROOM_LOCKED' || e.code === 'SITE_REMOVED') return { status: 403, reason: 'Forbidden' };
  }
  return { status: 500, reason: 'Server Internal Error' };
}

/** What we ask for when the room proposes no session interval (RFC 4028 minimum is 90 s). */
const DEFAULT_SESSION_EXPIRES = 1800;

/** The session interval the room asks for (RFC 4028), within 90 s to 2 h; null: none. */
export function sessionExpires(m: SipMessage): number | null {
  // npm `sip` keeps Session-Expires's compact form "x" as is.
  const raw = m.headers['session-expires'] ?? m.headers.x;
  if (typeof raw !== 'string') return null;
  const n = Number.parseInt(raw, 10);
  return Number.isFinite(n) && n >= 90 ? Math.min(n, 7200) : null;
}

/** Our answer's session-timer headers: the room refreshes (refresher=uac). */
export function timerHeaders(m: SipMessage): Record<string, string> {
  const supported = String(m.headers.supported ?? '')
    .toLowerCase()
    .includes('timer');
  const asked = sessionExpires(m);
  if (!supported && asked === null) return {};
  const interval = asked ?? DEFAULT_SESSION_EXPIRES;
  return { 'session-expires': `${interval};refresher=uac`, ...(supported ? { require: 'timer' } : {}) };
}

/** The room's To header with our tag: our side of the dialog. */
export function ourTo(call: Call): SipMessage['headers']['to'] {
  const to = call.invite.headers.to;
  return { ...to, params: { ...to.params, tag: call.localTag } };
}

/** A request of ours inside the call's dialog, to the room's Contact. */
export function inDialog(call: Call, method: string): SipMessage {
  const their = call.invite.headers;
  const contact = Array.isArray(their.contact) ? their.contact[0]?.uri : undefined;
  return {
    method,
    uri: contact ?? their.from.uri,
    version: '2.0',
    headers: {
      via: [],
      to: their.from,
      from: ourTo(call),
      'call-id': call.callId,
      cseq: { seq: ++call.localSeq, method },
      'max-forwards': '70',
    },
  };
}
