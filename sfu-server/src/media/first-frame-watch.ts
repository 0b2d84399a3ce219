// A video consumer that has forwarded nothing a moment after it was resumed is waiting for a
// keyframe whose request or frame was lost (a loaded machine, a lossy link). Nothing else asks
// again: the receiver sends no PLI for a stream it has not seen, so the tile would stay black
// until some other consumer or layer change asks. Ask again, a few times, then stop.

/** What the watch needs of a mediasoup Consumer. */
export interface WatchedConsumer {
  readonly closed: boolean;
  readonly paused: boolean;
  readonly producerPaused: boolean;
  getStats(): Promise<readonly { type: string; packetCount?: number }[]>;
  requestKeyFrame(): Promise<void>;
}

/** When to look after the resume (ms): each look that finds nothing sent asks for a keyframe again. */
export const FIRST_FRAME_LOOKS_MS = [1000, 2000, 3000, 5000] as const;

let retries = 0;
/** Keyframes asked for again since start (for the metrics). */
export const firstFrameRetries = (): number => retries;

async function sentAny(c: WatchedConsumer): Promise<boolean> {
  const stats = await c.getStats();
  return stats.some((s) => s.type === 'outbound-rtp' && (s.packetCount ?? 0) > 0);
}

/** Starts the watch; the returned function ends it early. Errors (a consumer closing meanwhile) end it quietly. */
export function watchFirstFrame(c: WatchedConsumer, looks: readonly number[] = FIRST_FRAME_LOOKS_MS): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const look = async (i: number): Promise<void> => {
    if (stopped || c.closed) return;
    // Paused on purpose (the site's layout, a thin link, the sender's mute): nothing is due yet.
    if (!c.paused && !c.producerPaused) {
      if (await sentAny(c)) return;
      if (stopped || c.closed) return;
      retries++;
      await c.requestKeyFrame();
    }
    schedule(i + 1);
  };
  const schedule = (i: number) => {
    const at = looks[i];
    if (at === undefined || stopped) return;
    const wait = at - (i > 0 ? (looks[i - 1] ?? 0) : 0);
    timer = setTimeout(() => void look(i).catch(() => undefined), wait);
    timer.unref();
  };
  schedule(0);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
