// Calls the chair places to room systems (the UAC side): an INVITE with no offer ("late offer",
// RFC 3261 13.2.1), so the room offers what it has in its 200 OK and we answer in the ACK with the
// same negotiation as a call it places. Provisional answers show it ringing; a refusal, no answer
// within RING_MS, or nothing in common ends it as failed, with the reason.
import { randomBytes } from 'node:crypto';
import { AppError, type Logger } from '@lienthong/kit';
import { generateBranch, type SipMessage } from 'sip';
import type { Core } from '../core';
import { negotiate } from '../domain/room-systems/sdp';
import type { DialOutState } from '../protocol/chair';
import type { RoomSystem } from '../protocol/room-systems';
import type { RoomCall } from './room-call';
import { ALLOW, type Call, type Grant, newCall } from './sip-call';
import type { Remote, SipUdp } from './sip-udp';

/** How long a room may ring before we give up and cancel. */
export const RING_MS = 45_000;

/** What of the endpoint a placed call uses. */
export interface DialHost {
  readonly udp: SipUdp;
  readonly calls: Map<string, Call>;
  /** Calls being placed, not answered yet, by meeting and room system: each cancels its own. */
  readonly placing: Map<string, () => void>;
  readonly opts: { core: Pick<Core, 'roomSystems'>; announcedIp: string; maxCalls: number; logger: Logger };
  contact(): string;
  openMedia(call: Call, system: RoomSystem, grant: Grant): Promise<RoomCall>;
  answerSdp(call: Call): string;
  hangUp(call: Call, why: string): Promise<void>;
}

export type DialReport = (state: DialOutState, reason: string | null) => void;

/** Checks the room can be called into this meeting now (throws the reason), then calls it. */
export function dialOut(host: DialHost, meetingId: string, roomSystemId: string, report: DialReport): void {
  const { core, announcedIp, maxCalls } = host.opts;
  const system = core.roomSystems.get(roomSystemId);
  if (!system.address) throw new AppError('NOT_DIALABLE', `"${system.name}" has no address to call`, 409);
  const grant = core.roomSystems.checkJoin(system.siteId, meetingId);
  if (host.calls.size >= maxCalls) throw new AppError('TOO_MANY_CALLS', 'The server takes no more room-system calls', 503);
  const remote = { address: system.address, port: system.sipPort ?? 5060 };
  const roomUri = `sip:${system.sipUser}@${system.address}:${remote.port}`;
  const localTag = randomBytes(6).toString('hex');
  const invite: SipMessage = {
    method: 'INVITE',
    uri: roomUri,
    version: '2.0',
    headers: {
      via: [],
      from: { uri: `sip:lienthong@${announcedIp}:${host.udp.port}`, params: { tag: localTag } },
      to: { uri: roomUri, params: {} },
      'call-id': `${randomBytes(10).toString('hex')}@${announcedIp}`,
      cseq: { seq: 1, method: 'INVITE' },
      contact: host.contact(),
      'max-forwards': '70',
      allow: ALLOW,
    },
  };
  void place(host, { invite, remote, localTag, system, grant, meetingId }, report).catch((e: unknown) => {
    host.opts.logger.warn({ err: e, meetingId }, 'call to a room system failed');
    report('failed', e instanceof Error ? e.message : String(e));
  });
}

interface Placing {
  invite: SipMessage;
  remote: Remote;
  localTag: string;
  system: RoomSystem;
  grant: Grant;
  meetingId: string;
}

export const placingKey = (meetingId: string, roomSystemId: string) => `${meetingId}|${roomSystemId}`;

/** Rings the room until its final answer; the chair may cancel meanwhile. Null: no 2xx (reported). */
async function ring(host: DialHost, p: Placing, report: DialReport): Promise<{ r: SipMessage; cancelled: boolean } | null> {
  let ringing = false;
  let cancelled = false;
  // CANCEL goes on the INVITE's branch (RFC 3261 9.1); the room answers the INVITE 487.
  const cancel = () =>
    host.udp.send({ ...p.invite, method: 'CANCEL', headers: { ...p.invite.headers, cseq: { seq: 1, method: 'CANCEL' } } }, p.remote);
  const key = placingKey(p.meetingId, p.system.id);
  host.placing.set(key, () => {
    cancelled = true;
    cancel();
    setTimeout(cancel, 1000).unref(); // once more, should the first be lost
    report('ended', 'cancelled by the chair');
  });
  let r: SipMessage | null;
  try {
    r = await host.udp.request(p.invite, p.remote, {
      lifeMs: RING_MS,
      onProvisional: (x) => {
        if (!cancelled && !ringing && (x.status === 180 || x.status === 183)) {
          ringing = true;
          report('ringing', null);
        }
      },
    });
  } finally {
    host.placing.delete(key);
  }
  if (!r) {
    // No final answer: cancel it, so a late pick-up does not stay open.
    cancel();
    if (!cancelled) report('failed', ringing ? 'no answer' : 'unreachable');
    return null;
  }
  const status = r.status ?? 0;
  if (status >= 300) {
    if (!cancelled) report('failed', `${status} ${r.reason ?? ''}`.trim());
    return null;
  }
  return { r, cancelled };
}

async function place(host: DialHost, p: Placing, report: DialReport): Promise<void> {
  const answered = await ring(host, p, report);
  if (!answered) return;
  const { r, cancelled } = answered;
  // The dialog as the room placed it: its side in From, ours in To (so in-dialog requests and BYE work
  // the same both ways).
  const dialog: SipMessage = {
    ...p.invite,
    headers: { ...p.invite.headers, from: r.headers.to, to: p.invite.headers.from, contact: r.headers.contact },
  };
  const call = newCall({
    callId: p.invite.headers['call-id'],
    remote: p.remote,
    invite: dialog,
    localTag: p.localTag,
    negotiated: null,
    meetingId: p.meetingId,
    roomSystemId: p.system.id,
  });
  const ack = (content?: string): SipMessage => ({
    method: 'ACK',
    uri: (Array.isArray(r.headers.contact) ? r.headers.contact[0]?.uri : undefined) ?? p.invite.uri,
    version: '2.0',
    headers: {
      via: [host.udp.via(generateBranch())],
      from: p.invite.headers.from,
      to: r.headers.to,
      'call-id': call.callId,
      cseq: { seq: 1, method: 'ACK' },
      'max-forwards': '70',
      ...(content ? { 'content-type': 'application/sdp' } : {}),
    },
    ...(content ? { content } : {}),
  });
  if (cancelled) {
    host.udp.send(ack(), p.remote);
    call.state = 'confirmed';
    call.ok = r;
    await host.hangUp(call, 'cancelled by the chair');
    return;
  }
  try {
    call.negotiated = negotiate(r.content ?? '');
  } catch (e) {
    host.udp.send(ack(), p.remote);
    call.state = 'confirmed';
    call.ok = r;
    await host.hangUp(call, 'no common codec');
    report('failed', `no common codec: ${e instanceof Error ? e.message : ''}`);
    return;
  }
  host.calls.set(call.callId, call);
  try {
    call.media = await host.openMedia(call, p.system, p.grant);
  } catch (e) {
    host.calls.delete(call.callId);
    host.udp.send(ack(), p.remote);
    call.state = 'confirmed';
    call.ok = r;
    await host.hangUp(call, 'refused');
    throw e;
  }
  call.ack = ack(host.answerSdp(call));
  host.udp.send(call.ack, p.remote);
  call.state = 'confirmed';
  call.onEnd = (why) => report('ended', why);
  report('connected', null);
}
