// The site's browser tells the server how often the video it receives froze (Chromium's inbound-rtp
// freezeCount, summed over the pictures it shows), so the quality report has the freezes beside
// the server's own figures. Sent at the first reading, then only when the count changes.
type Stat = Record<string, unknown>;

export function freezesOf(recv: Iterable<Stat>): number {
  let n = 0;
  for (const s of recv) if (s.type === 'inbound-rtp' && s.kind === 'video' && typeof s.freezeCount === 'number') n += s.freezeCount;
  return n;
}

/** Reads every `everyMs`; returns the stop. A failed read or send is tried again at the next tick. */
export function startReceiveReports(
  read: () => Promise<Iterable<Stat> | undefined>,
  send: (freezes: number) => Promise<unknown>,
  everyMs = 5000,
): () => void {
  let told: number | null = null;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const stats = await read();
      if (!stats) return;
      const n = freezesOf(stats);
      if (n === told) return;
      await send(n);
      told = n;
    } catch {
      // not connected yet, or the server did not take it: next tick
    } finally {
      busy = false;
    }
  }, everyMs);
  return () => clearInterval(timer);
}
