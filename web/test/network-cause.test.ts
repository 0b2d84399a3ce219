import { describe, expect, it } from 'vitest';
import { causeLine } from '../src/lib/room/network';

describe("the console's line on why a site's quality is down", () => {
  const link = {
    kind: 'link' as const,
    linkId: 'l1',
    linkName: 'Đại Từ – Tỉnh',
    state: 'degraded',
    reasons: [
      { code: 'loss', value: 0.04, minutes: null },
      { code: 'high_utilisation', value: 0.97, minutes: 15 },
    ],
    lossRatio: 0.04,
    utilisation: 0.97,
    alsoFaulty: 0,
  };

  it('names the link, its state and why, in Vietnamese by default and in English', () => {
    expect(causeLine(link, 'vi')).toBe('Do tuyến Đại Từ – Tỉnh (Suy giảm): Mất gói 4%; Sử dụng 97% tốc độ tuyến trong 15 phút');
    expect(causeLine(link, 'en')).toBe('Link Đại Từ – Tỉnh (Degraded): Loss 4%; Utilisation 97% of link speed for 15 min');
    expect(causeLine({ ...link, alsoFaulty: 2 }, 'en')).toContain('and 2 more links on the path');
  });

  it("says when the path is clean (the site's own connection) and when nms knows nothing; an unknown code shows as it is", () => {
    expect(causeLine({ kind: 'site' }, 'vi')).toContain('kết nối riêng của điểm cầu');
    expect(causeLine({ kind: 'unknown' }, 'en')).toBe("The network monitor knows nothing of this site's path");
    expect(causeLine({ ...link, reasons: [{ code: 'new_reason', value: 1, minutes: null }] }, 'en')).toContain('new_reason');
  });
});
