// A cascade link's health as the network pages word it, in both languages.
import { describe, expect, it } from 'vitest';
import { fmtClock } from '../src/lib/network/format';
import { cascadeHealthText } from '../src/lib/network/wording';

const NOW = Date.parse('2026-12-03T04:00:00Z'); // 11:00 in Hà Nội
const seenBy = 'srv-tn';

describe('cascade health wording', () => {
  it('says up with the round trip, down since when (province time), waiting, or no data', () => {
    const up = { state: 'up' as const, rttMs: 12, since: '2026-12-03T03:00:00Z', seenBy };
    const down = { state: 'down' as const, rttMs: null, since: '2026-12-03T03:32:10Z', seenBy };
    const waiting = { state: 'unknown' as const, rttMs: null, since: '2026-12-03T03:59:00Z', seenBy };
    expect(cascadeHealthText(up, 'vi', NOW)).toBe('Liên thông: hoạt động, 12 ms');
    expect(cascadeHealthText(down, 'vi', NOW)).toBe('Liên thông: mất kết nối từ 10:32');
    expect(cascadeHealthText(waiting, 'vi', NOW)).toBe('Liên thông: chưa nhận được trả lời');
    expect(cascadeHealthText(null, 'vi', NOW)).toBe('Liên thông: chưa có số liệu');
    expect(cascadeHealthText(up, 'en', NOW)).toBe('Cascade: up, 12 ms');
    expect(cascadeHealthText(down, 'en', NOW)).toBe('Cascade: down since 10:32');
    expect(cascadeHealthText(waiting, 'en', NOW)).toBe('Cascade: no answer yet');
    expect(cascadeHealthText(null, 'en', NOW)).toBe('Cascade: no data yet');
  });

  it('adds the day to a time more than 20 hours back', () => {
    for (const locale of ['vi', 'en']) {
      const text = fmtClock('2026-12-01T03:32:00Z', locale, NOW);
      expect([text.includes('10:32'), /01\D12/.test(text)]).toEqual([true, true]);
    }
    expect(fmtClock('2026-12-02T23:32:00Z', 'vi', NOW)).toBe('06:32');
  });
});
