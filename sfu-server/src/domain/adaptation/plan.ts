// What a shed step means for one receiver's video consumers: the layer cap and
// which ones pause. Audio consumers never appear here: audio is not shed.
import { type Demand, SHED_STEPS } from './ladder';

export interface VideoConsumerView {
  consumerId: string;
  /** The site sending it. */
  producerPeerId: string;
  source: 'camera' | 'screen' | 'mic';
}

export interface VideoAction {
  consumerId: string;
  /** Paused by adaptation (the client's own pause comes on top). */
  shed: boolean;
  /** Highest spatial layer allowed; null = what the client asks. */
  maxSpatialLayer: number | null;
}

/**
 * Kept at `main-only`: a presentation and the main picture's camera; when the main picture is
 * none of them (it is this site), the first camera, so the site still sees someone.
 */
function keptIds(consumers: readonly VideoConsumerView[], mainPeerId: string | null): Set<string> {
  const ids = consumers.filter((c) => c.source === 'screen' || c.producerPeerId === mainPeerId).map((c) => c.consumerId);
  if (ids.length === 0 && consumers[0]) ids.push(consumers[0].consumerId);
  return new Set(ids);
}

export function videoPlan(step: number, consumers: readonly VideoConsumerView[], mainPeerId: string | null): VideoAction[] {
  const name = SHED_STEPS[step];
  const keep = keptIds(consumers, mainPeerId);
  return consumers.map((c) => {
    if (name === 'none') return { consumerId: c.consumerId, shed: false, maxSpatialLayer: null };
    if (name === 'low') return { consumerId: c.consumerId, shed: false, maxSpatialLayer: 0 };
    if (name === 'main-only') return { consumerId: c.consumerId, shed: !keep.has(c.consumerId), maxSpatialLayer: 0 };
    return { consumerId: c.consumerId, shed: true, maxSpatialLayer: 0 };
  });
}

export function demandOf(audioStreams: number, consumers: readonly VideoConsumerView[], mainPeerId: string | null): Demand {
  return { audioStreams, videoStreams: consumers.length, keptStreams: keptIds(consumers, mainPeerId).size };
}

/** How many video streams a plan pauses and lowers, for the user. */
export function shedCounts(actions: readonly VideoAction[]): { paused: number; lowered: number } {
  let paused = 0;
  let lowered = 0;
  for (const a of actions) {
    if (a.shed) paused++;
    else if (a.maxSpatialLayer !== null) lowered++;
  }
  return { paused, lowered };
}
