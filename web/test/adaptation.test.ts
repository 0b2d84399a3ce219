import type { SiteAdaptation } from '@lienthong/sfu-server/protocol';
import { describe, expect, it } from 'vitest';
import { en, type MessageKey, vi } from '../src/lib/i18n/messages';
import { UplinkPolicy } from '../src/lib/media/uplink';
import { consoleLine, ownNotice, pausedForMe } from '../src/lib/room/adaptation';

const fmt =
  (cat: Record<MessageKey, string>) =>
  (key: MessageKey, vars: Record<string, string | number>): string =>
    cat[key].replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));

const site = (over: Partial<SiteAdaptation>): SiteAdaptation => ({
  peerId: 'p1',
  siteId: 's1',
  step: 'none',
  reason: null,
  linkKbps: 230,
  paused: 0,
  lowered: 0,
  sendVideoPaused: false,
  uplinkKbps: null,
  ...over,
});

describe('what was shed, in words (lib/room/adaptation.ts)', () => {
  it('tells the site its video was reduced to keep the audio, with the link rate and why', () => {
    const s = site({ step: 'main-only', reason: 'bandwidth', paused: 1, lowered: 1 });
    expect(ownNotice(s, fmt(vi))).toEqual([
      'Đã giảm hình để giữ tiếng (đường truyền ~230 kbit/s) — chỉ giữ hình chính, tạm dừng 1 hình: đường truyền không đủ băng thông',
    ]);
    expect(ownNotice(s, fmt(en))[0]).toBe(
      'Video reduced to keep the audio (link ~230 kbit/s) — only the main picture kept, 1 videos paused: the link lacks bandwidth',
    );
    expect(ownNotice(site({}), fmt(vi))).toEqual([]);
    expect(ownNotice(undefined, fmt(vi))).toEqual([]);
  });

  it('says when the site’s own camera stopped for its uplink, and the console says it per site', () => {
    const s = site({ step: 'audio-only', reason: 'delay', sendVideoPaused: true, uplinkKbps: 90 });
    expect(ownNotice(s, fmt(vi))[1]).toBe('Tạm dừng gửi hình của điểm cầu: đường lên (~90 kbit/s) không đủ cho hình, vẫn gửi tiếng');
    expect(consoleLine(s, fmt(vi))).toBe(
      'Nhận: tạm dừng mọi hình, chỉ giữ tiếng (~230 kbit/s, đường truyền bị nghẽn (độ trễ tăng)) · Gửi: chỉ tiếng (đường lên ~90 kbit/s)',
    );
    expect(consoleLine(site({}), fmt(en))).toBe('');
  });

  it('marks the tiles paused for this site', () => {
    expect(pausedForMe(site({ step: 'main-only' }), 'chair', 'chair')).toBe(false);
    expect(pausedForMe(site({ step: 'main-only' }), 'district', 'chair')).toBe(true);
    expect(pausedForMe(site({ step: 'audio-only' }), 'chair', 'chair')).toBe(true);
    expect(pausedForMe(site({ step: 'low' }), 'district', 'chair')).toBe(false);
  });
});

describe('camera on a thin uplink (lib/media/uplink.ts)', () => {
  it('pauses after three estimates in a row below the lowest layer, not on one dip', () => {
    const p = new UplinkPolicy();
    expect([p.feed(0, 120), p.feed(2000, 400), p.feed(4000, 120), p.feed(6000, 120)]).toEqual([null, null, null, null]);
    expect(p.feed(8000, 110)).toBe('pause');
    expect(p.paused).toBe(true);
  });

  it('tries again after the wait, and waits twice as long when the uplink is still too thin', () => {
    const p = new UplinkPolicy();
    for (const t of [0, 2000]) p.feed(t, 100);
    expect(p.feed(4000, 100)).toBe('pause');
    expect(p.feed(20_000, 100)).toBeNull();
    expect(p.feed(24_000, 100)).toBe('resume');
    for (const t of [26_000, 28_000]) expect(p.feed(t, 100)).toBeNull();
    expect(p.feed(30_000, 100)).toBe('pause');
    expect(p.feed(60_000, 100)).toBeNull(); // 40 s now
    expect(p.feed(70_000, 100)).toBe('resume');
  });

  it('resumes at once when the estimate is clearly back', () => {
    const p = new UplinkPolicy();
    for (const t of [0, 2000, 4000]) p.feed(t, 80);
    expect(p.feed(6000, 320)).toBe('resume');
    expect(p.feed(8000, null)).toBeNull();
  });
});
