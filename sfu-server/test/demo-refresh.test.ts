import { describe, expect, it } from 'vitest';
import { makeCore, TestClock, tempDir } from './support/core';

const liveDemo = (core: Awaited<ReturnType<typeof makeCore>>['core'], at: number) =>
  core.store
    .listMeetingsEndingAfter('1970')
    .filter((m) => m.title.endsWith('(demo)') && Date.parse(m.startsAt) <= at && at < Date.parse(m.endsAt));

describe('demo data on a later day', () => {
  it('schedules the demo meeting again when it has ended, so a newcomer can still join one', async () => {
    const tmp = tempDir();
    try {
      const clock = new TestClock();
      const first = await makeCore({ dataDir: tmp.dir, clock });
      const seededAt = clock.now().getTime();
      expect(liveDemo(first.core, seededAt)).toHaveLength(1);
      first.core.close();

      // Same day: nothing new.
      const again = await makeCore({ dataDir: tmp.dir, clock });
      expect(again.core.store.listMeetingsEndingAfter('1970')).toHaveLength(2);
      again.core.close();

      clock.advance(30 * 3600_000);
      const later = await makeCore({ dataDir: tmp.dir, clock });
      const now = clock.now().getTime();
      const live = liveDemo(later.core, now);
      expect(live).toHaveLength(1);
      expect(live[0]!.roomId).toBeNull();
      expect(live[0]!.invites.length).toBeGreaterThan(0);
      later.core.close();
    } finally {
      tmp.cleanup();
    }
  });
});
