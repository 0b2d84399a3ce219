// What a server needs from beyond a link, per remote producer: who here watches it and at which
// simulcast layer. A stream is pulled when its first watcher appears, sent at the highest layer any
// watcher wants, and released only after the last one has been gone for a while (a layout change
// that drops and re-adds a tile does not tear the stream down and pull it again).

export type DemandAction =
  | { type: 'pull'; producerId: string; spatialLayer: number }
  | { type: 'layer'; producerId: string; spatialLayer: number }
  | { type: 'release'; producerId: string };

export interface DemandTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const RELEASE_AFTER_MS = 10_000;

interface Entry {
  watchers: Map<string, number>;
  pulledLayer: number;
  releaseTimer?: unknown;
}

export class DemandLedger {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly act: (action: DemandAction) => void,
    private readonly timers: DemandTimers = { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as NodeJS.Timeout) },
    private readonly releaseAfterMs = RELEASE_AFTER_MS,
  ) {}

  /** A watcher (a local consumer, or a link further down) wants the producer at this layer. */
  want(producerId: string, watcherId: string, spatialLayer: number): void {
    const entry = this.entries.get(producerId);
    if (!entry) {
      this.entries.set(producerId, { watchers: new Map([[watcherId, spatialLayer]]), pulledLayer: spatialLayer });
      this.act({ type: 'pull', producerId, spatialLayer });
      return;
    }
    if (entry.releaseTimer !== undefined) this.timers.clear(entry.releaseTimer);
    entry.releaseTimer = undefined;
    entry.watchers.set(watcherId, spatialLayer);
    this.follow(producerId, entry);
  }

  drop(producerId: string, watcherId: string): void {
    const entry = this.entries.get(producerId);
    if (!entry?.watchers.delete(watcherId)) return;
    if (entry.watchers.size > 0) {
      this.follow(producerId, entry);
      return;
    }
    entry.releaseTimer = this.timers.set(() => {
      if (this.entries.get(producerId) !== entry || entry.watchers.size > 0) return;
      this.entries.delete(producerId);
      this.act({ type: 'release', producerId });
    }, this.releaseAfterMs);
  }

  /** The producer is gone at its origin (or its link died): nothing to release, forget it. */
  forget(producerId: string): void {
    const entry = this.entries.get(producerId);
    if (entry?.releaseTimer !== undefined) this.timers.clear(entry.releaseTimer);
    this.entries.delete(producerId);
  }

  /** Pulled again from scratch (after a link came back): the watchers stay, the pull is redone. */
  repull(producerId: string): void {
    const entry = this.entries.get(producerId);
    if (entry && entry.watchers.size > 0) this.act({ type: 'pull', producerId, spatialLayer: entry.pulledLayer });
  }

  layerOf(producerId: string): number | undefined {
    return this.entries.get(producerId)?.pulledLayer;
  }

  watchers(producerId: string): string[] {
    return [...(this.entries.get(producerId)?.watchers.keys() ?? [])];
  }

  producers(): string[] {
    return [...this.entries.keys()];
  }

  private follow(producerId: string, entry: Entry): void {
    const top = Math.max(...entry.watchers.values());
    if (top === entry.pulledLayer) return;
    entry.pulledLayer = top;
    this.act({ type: 'layer', producerId, spatialLayer: top });
  }
}
