// The score (0..10, mediasoup's view of how well a consumer's stream reaches its site) of every
// live consumer, for the load-test usage route. Follows mediasoup's observers, so it must be
// created before the first worker; main.ts creates it only with loadTest.enabled.
import type { types } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import type { ScoreHistogram } from '../protocol/loadtest';

export class ConsumerScores {
  private readonly consumers = new Set<types.Consumer>();

  constructor() {
    mediasoup.observer.on('newworker', (w) =>
      w.observer.on('newrouter', (r) =>
        r.observer.on('newtransport', (t) =>
          t.observer.on('newconsumer', (c) => {
            // Pipe consumers carry media between our own routers: no site at the end.
            if (c.type === 'pipe') return;
            this.consumers.add(c);
            c.observer.once('close', () => this.consumers.delete(c));
          }),
        ),
      ),
    );
  }

  /** How many live, unpaused consumers have each score, per kind (index = score); and how many are paused. */
  histogram(): ScoreHistogram {
    const h: ScoreHistogram = { audio: new Array(11).fill(0), video: new Array(11).fill(0), paused: { audio: 0, video: 0 } };
    for (const c of this.consumers) {
      if (c.closed) continue;
      if (c.paused || c.producerPaused) {
        h.paused[c.kind]++;
        continue;
      }
      const s = Math.max(0, Math.min(10, Math.round(c.score.score)));
      h[c.kind][s] = (h[c.kind][s] ?? 0) + 1;
    }
    return h;
  }
}
