import { describe, expect, it } from 'vitest';
import { type DemandAction, DemandLedger, type DemandTimers } from '../src/domain/cascade/demand';

function ledger() {
  const actions: DemandAction[] = [];
  const pending = new Map<number, () => void>();
  let next = 0;
  const timers: DemandTimers = {
    set: (fn) => {
      pending.set(++next, fn);
      return next;
    },
    clear: (h) => pending.delete(h as number),
  };
  const fire = () => {
    const fns = [...pending.values()];
    pending.clear();
    for (const f of fns) f();
  };
  return { l: new DemandLedger((a) => actions.push(a), timers, 10_000), actions, fire, pending };
}

describe('cascade demand: what crosses a link', () => {
  it('pulls once for the first watcher, at the top layer any watcher wants', () => {
    const { l, actions } = ledger();
    l.want('p1', 'a', 0);
    l.want('p1', 'b', 0);
    l.want('p1', 'c', 0);
    expect(actions).toEqual([{ type: 'pull', producerId: 'p1', spatialLayer: 0 }]);
    l.want('p1', 'b', 2);
    expect(actions.at(-1)).toEqual({ type: 'layer', producerId: 'p1', spatialLayer: 2 });
    l.drop('p1', 'b');
    expect(actions.at(-1)).toEqual({ type: 'layer', producerId: 'p1', spatialLayer: 0 });
    expect(l.layerOf('p1')).toBe(0);
    expect(actions).toHaveLength(3);
  });

  it('releases only after the last watcher has been gone for the linger time', () => {
    const { l, actions, fire, pending } = ledger();
    l.want('p1', 'a', 1);
    l.drop('p1', 'a');
    expect(pending.size).toBe(1);
    l.want('p1', 'b', 1); // a layout change re-adds the tile: no release, no new pull
    expect(pending.size).toBe(0);
    fire();
    expect(actions.map((a) => a.type)).toEqual(['pull']);
    l.drop('p1', 'b');
    fire();
    expect(actions.at(-1)).toEqual({ type: 'release', producerId: 'p1' });
    expect(l.producers()).toEqual([]);
    l.want('p1', 'c', 0);
    expect(actions.at(-1)).toEqual({ type: 'pull', producerId: 'p1', spatialLayer: 0 });
  });

  it('forgets a producer closed at its origin without releasing it, and ignores unknown drops', () => {
    const { l, actions, fire } = ledger();
    l.drop('nope', 'a');
    l.want('p1', 'a', 0);
    l.drop('p1', 'a');
    l.forget('p1');
    fire();
    expect(actions.map((a) => a.type)).toEqual(['pull']);
  });

  it('pulls again at the same layer after the link it came over died', () => {
    const { l, actions } = ledger();
    l.want('p1', 'a', 2);
    l.repull('p1');
    expect(actions).toEqual([
      { type: 'pull', producerId: 'p1', spatialLayer: 2 },
      { type: 'pull', producerId: 'p1', spatialLayer: 2 },
    ]);
    l.repull('unknown');
    expect(actions).toHaveLength(2);
  });
});
