// What a site may send and receive, decided from the floor state alone. This is the
// one place the floor's media rules live; signalling and media only apply the
// decisions (pause a producer, cap a layer, arm a timer).
import type { ChairRight, Floor, MeetingMode, MicState } from './types';

export type ReceiveMode = 'full' | 'low' | 'audio-only';

/** The part of the floor state the rules read (FloorControl implements it). */
export interface FloorView {
  readonly chairSiteId: string;
  readonly mode: MeetingMode;
  readonly floor: Floor | null;
  readonly allowSelfUnmute: boolean;
  /** Sites without a chair decision follow this in discussion mode. */
  readonly defaultOpen: boolean;
  rightOf(siteId: string): ChairRight | undefined;
}

/** The chair's rule for a site's microphone; a site's own mute comes on top. */
export function micState(v: FloorView, siteId: string): MicState {
  if (siteId === v.chairSiteId) return 'open';
  const right = v.rightOf(siteId);
  if (right === 'muted') return 'muted';
  if (v.mode === 'briefing') return v.floor?.siteId === siteId ? 'open' : 'closed';
  if (right === 'open' || v.floor?.siteId === siteId) return 'open';
  return v.defaultOpen ? 'open' : 'closed';
}

/** May this site's microphone be forwarded now? */
export function audioAllowed(v: FloorView, siteId: string): boolean {
  return micState(v, siteId) === 'open';
}

export type UnmuteVerdict =
  | { ok: true; alreadyOpen: boolean }
  | { ok: false; code: 'SELF_UNMUTE_FORBIDDEN' | 'FLOOR_REQUIRED'; message: string };

/** May a site open its own microphone again (and does that need the chair's right changed)? */
export function mayUnmute(v: FloorView, siteId: string): UnmuteVerdict {
  if (audioAllowed(v, siteId)) return { ok: true, alreadyOpen: true };
  if (!v.allowSelfUnmute)
    return { ok: false, code: 'SELF_UNMUTE_FORBIDDEN', message: 'The chair does not allow sites to unmute themselves' };
  if (v.mode === 'briefing' && v.floor?.siteId !== siteId)
    return { ok: false, code: 'FLOOR_REQUIRED', message: 'In briefing mode only the site holding the floor may speak' };
  return { ok: true, alreadyOpen: false };
}

export interface AudioProducerState {
  peerId: string;
  siteId: string;
  producerId: string;
  paused: boolean;
  /** Its own site paused it: it stays paused whatever the chair allows. */
  selfPaused: boolean;
}

export interface PauseChange {
  peerId: string;
  producerId: string;
  paused: boolean;
}

/**
 * Every audio producer is paused unless its site may speak now and its own site has
 * not muted it. Returns only the producers whose state must change.
 */
export function audioPauseChanges(v: FloorView, producers: readonly AudioProducerState[]): PauseChange[] {
  const out: PauseChange[] = [];
  for (const p of producers) {
    const paused = !audioAllowed(v, p.siteId) || p.selfPaused;
    if (p.paused !== paused) out.push({ peerId: p.peerId, producerId: p.producerId, paused });
  }
  return out;
}

/**
 * The spatial layer a receiver gets when it asks for `requested`: a site in
 * low-bandwidth mode never gets more than the lowest, whatever its client asks.
 */
export function spatialLayerFor(mode: ReceiveMode, requested: number): number {
  return mode === 'low' ? 0 : requested;
}

/** May a receiver in this mode get a stream of this kind? Audio-only receivers get no video. */
export function mayReceive(mode: ReceiveMode, kind: 'audio' | 'video'): boolean {
  return !(mode === 'audio-only' && kind === 'video');
}

export interface ReceiveModeChanges {
  /** Consumers the receiver may no longer have. */
  close: string[];
  /** Video consumers whose layer must come down to this. */
  layers: { consumerId: string; spatialLayer: number }[];
}

/** What switching a receiver to `mode` does to the consumers it has. */
export function receiveModeChanges(
  mode: ReceiveMode,
  consumers: readonly { consumerId: string; kind: 'audio' | 'video' }[],
): ReceiveModeChanges {
  const video = consumers.filter((c) => c.kind === 'video');
  const close = video.filter((c) => !mayReceive(mode, c.kind)).map((c) => c.consumerId);
  const layers = mode === 'low' ? video.map((c) => ({ consumerId: c.consumerId, spatialLayer: spatialLayerFor(mode, 0) })) : [];
  return { close, layers };
}

/** Has the floor holder's speaking time run out? */
export function floorExpired(floor: Floor | null, now: number): boolean {
  return floor?.until != null && now >= floor.until;
}

/** How long until the speaking limit runs out; null without a limit or a floor. */
export function floorTimerDelay(floor: Floor | null, now: number): number | null {
  if (floor?.until == null) return null;
  return Math.max(0, floor.until - now);
}
