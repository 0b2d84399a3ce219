// What the meeting's recording shows and mixes at each moment: the main picture (a presentation,
// else the meeting's main picture by the browsers' rule), thumbnails of the other sites sending video,
// and the audio of the microphones that are open. Slots keep their stream while it stays eligible, so
// the recorded picture does not reshuffle every time someone speaks. No media library here.

export interface RecordedPeer {
  peerId: string;
  isChairSite: boolean;
  connected: boolean;
  /** The camera producer, if any (paused: forwarded to nobody). */
  camera: { producerId: string; paused: boolean } | null;
  mic: { producerId: string; paused: boolean } | null;
}

export interface RecordingView {
  /** The main picture for someone with no seat (LiveMeeting.mainFor(null)). */
  mainPeerId: string | null;
  /** A shared screen wins the main picture. */
  presentationProducerId: string | null;
  recentSpeakers: readonly string[];
  /** In join order. */
  peers: readonly RecordedPeer[];
}

export interface SlotPlan {
  /** video[0] is the main picture, the rest thumbnails: producer ids, null = empty. */
  video: (string | null)[];
  audio: (string | null)[];
}

export const emptyPlan = (videoSlots: number, audioSlots: number): SlotPlan => ({
  video: Array<string | null>(videoSlots).fill(null),
  audio: Array<string | null>(audioSlots).fill(null),
});

/** Peers by who matters most: the main picture, recent speakers, the chair site, then join order. */
function ranked(view: RecordingView): RecordedPeer[] {
  const rank = (p: RecordedPeer): number => {
    if (p.peerId === view.mainPeerId) return 0;
    const spoke = view.recentSpeakers.indexOf(p.peerId);
    if (spoke >= 0) return 1 + spoke;
    return p.isChairSite ? 100 : 101;
  };
  return view.peers
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i)
    .map((x) => x.p);
}

/** Fills slots: a slot keeps its stream while eligible; freed slots take the best-ranked streams not shown. */
function keepStable(previous: readonly (string | null)[], eligible: readonly string[], size: number): (string | null)[] {
  const wanted = new Set(eligible.slice(0, size));
  const out = previous.slice(0, size).map((id) => (id !== null && eligible.includes(id) ? id : null));
  while (out.length < size) out.push(null);
  // A stream ranked out of the slots gives way to a better one only when there is no free slot.
  const missing = eligible.filter((id) => wanted.has(id) && !out.includes(id));
  for (const id of missing) {
    let at = out.indexOf(null);
    if (at < 0) at = out.findIndex((x) => x !== null && !wanted.has(x));
    if (at >= 0) out[at] = id;
  }
  return out;
}

export function planSlots(view: RecordingView, previous: SlotPlan): SlotPlan {
  const peers = ranked(view).filter((p) => p.connected);
  const cameras = peers.filter((p) => p.camera && !p.camera.paused).map((p) => p.camera!.producerId);
  const main = view.presentationProducerId ?? cameras[0] ?? null;
  const thumbs = keepStable(
    previous.video.slice(1),
    cameras.filter((id) => id !== main),
    previous.video.length - 1,
  );
  const mics = peers.filter((p) => p.mic && !p.mic.paused).map((p) => p.mic!.producerId);
  return { video: [main, ...thumbs], audio: keepStable(previous.audio, mics, previous.audio.length) };
}

/** Slots whose stream changes from one plan to the next. */
export function changedSlots(before: SlotPlan, after: SlotPlan): { kind: 'video' | 'audio'; slot: number; producerId: string | null }[] {
  const out: { kind: 'video' | 'audio'; slot: number; producerId: string | null }[] = [];
  after.video.forEach((id, slot) => {
    if (before.video[slot] !== id) out.push({ kind: 'video', slot, producerId: id });
  });
  after.audio.forEach((id, slot) => {
    if (before.audio[slot] !== id) out.push({ kind: 'audio', slot, producerId: id });
  });
  return out;
}
