// Every live mediasoup object of the server (routers, transports, producers, consumers), for the
// load-test usage route: how well each consumer's stream reaches its site (mediasoup's score,
// 0..10), and how many objects and listeners are alive, so a long load test can show that nothing
// grows. Follows mediasoup's observers, so it must be created before the first worker; main.ts
// creates it only with loadTest.enabled.
import type { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import type { MediaCounts, ScoreHistogram } from '../protocol/loadtest';

interface Tracked {
  closed: boolean;
  observer: EventEmitter;
}

export class MediaCensus {
  private readonly consumers = new Set<types.Consumer>();
  private readonly objects = new Map<'routers' | 'transports' | 'producers' | 'consumers', Set<Tracked>>([
    ['routers', new Set()],
    ['transports', new Set()],
    ['producers', new Set()],
    ['consumers', new Set()],
  ]);

  constructor() {
    mediasoup.observer.on('newworker', (w) =>
      w.observer.on('newrouter', (r) => {
        this.follow('routers', r);
        r.observer.on('newtransport', (t) => {
          this.follow('transports', t);
          t.observer.on('newproducer', (p) => this.follow('producers', p));
          t.observer.on('newconsumer', (c) => {
            this.follow('consumers', c);
            // Pipe consumers carry media between our own routers: no site at the end, no score to show.
            if (c.type === 'pipe') return;
            this.consumers.add(c);
            c.observer.once('close', () => this.consumers.delete(c));
          });
        });
      }),
    );
  }

  private follow(kind: 'routers' | 'transports' | 'producers' | 'consumers', o: Tracked): void {
    const set = this.objects.get(kind)!;
    set.add(o);
    o.observer.once('close', () => set.delete(o));
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

  /** Live objects, and the listeners on them and on their observers (a leak shows as growth). */
  counts(): Omit<MediaCounts, 'sockets' | 'handles'> {
    let listeners = 0;
    const count = (kind: 'routers' | 'transports' | 'producers' | 'consumers') => {
      let n = 0;
      for (const o of this.objects.get(kind)!) {
        if (o.closed) continue;
        n++;
        for (const e of [o as unknown as EventEmitter, o.observer]) for (const name of e.eventNames()) listeners += e.listenerCount(name);
      }
      return n;
    };
    return {
      routers: count('routers'),
      transports: count('transports'),
      producers: count('producers'),
      consumers: count('consumers'),
      listeners,
    };
  }
}

/** Node's live handles and requests (sockets, timers, files): a leak of them shows as growth. */
export const activeHandles = (): number => process.getActiveResourcesInfo().length;
