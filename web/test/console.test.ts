import type { ControlState, Participant } from '@lienthong/sfu-server/protocol';
import { describe, expect, it } from 'vitest';
import { consoleView, fold, siteStates } from '../src/lib/room/console';
import type { SiteGroup } from '../src/lib/room/layout';

function site(n: string, name: string, extra: Partial<Participant> = {}): Participant {
  return {
    peerId: `p-${n}`,
    userId: `u-${n}`,
    userName: n,
    siteId: `s-${n}`,
    siteCode: `TN-${n.toUpperCase()}`,
    siteName: name,
    parentSiteId: null,
    parentSiteName: null,
    isChairSite: false,
    connected: true,
    receiveMode: 'full',
    quality: { rttMs: 20, lossFraction: 0, sendBps: 1, recvBps: 1, jitterMs: 1, grade: 'good' },
    ...extra,
  };
}

const cuvan = site('cv', 'Xã Cù Vân');
const hachau = site('hc', 'Xã Hà Châu', { connected: false });
const dongdat = site('dd', 'Thị trấn Đồng Đạt', {
  quality: { rttMs: 400, lossFraction: 0.1, sendBps: 1, recvBps: 1, jitterMs: 50, grade: 'poor' },
});
const phucthuan = site('pt', 'Xã Phúc Thuận');
const groups: SiteGroup[] = [
  ['Huyện Đại Từ', [cuvan, dongdat]],
  ['Huyện Phú Bình', [hachau, phucthuan]],
];
const control: Pick<ControlState, 'mics' | 'media' | 'queue'> = {
  mics: { 's-cv': 'open', 's-hc': 'muted', 's-dd': 'closed', 's-pt': 'open' },
  media: {
    'p-cv': { micLive: true, camera: true },
    'p-dd': { micLive: false, camera: true },
    'p-pt': { micLive: false, camera: false },
  },
  queue: [{ siteId: 's-dd', requestedAt: 1 }],
};
const codes = (v: { groups: SiteGroup[] }) => v.groups.flatMap(([, ms]) => ms.map((p) => p.siteCode));

describe('chair console site list', () => {
  it('folds case, spaces and Vietnamese diacritics (đ too) for matching', () => {
    expect(fold('  Thị trấn   ĐỒNG Đạt ')).toBe('thi tran dong dat');
    expect(fold('Xã Cù Vân')).toBe(fold('xa cu van'));
  });

  it('names the states a chair looks for', () => {
    expect([...siteStates(cuvan, control)]).toEqual(['micOpen']);
    expect([...siteStates(hachau, control)].sort()).toEqual(['muted', 'noCamera', 'reconnecting']);
    expect([...siteStates(dongdat, control)].sort()).toEqual(['poor', 'queued']);
    // An open rule with nothing sent is not an open microphone; no camera producer is no picture.
    expect([...siteStates(phucthuan, control)]).toEqual(['noCamera']);
  });

  it('counts every site per state, whatever the filter shows', () => {
    for (const filter of [
      { text: '', state: null },
      { text: 'zzz', state: null },
      { text: '', state: 'muted' as const },
    ]) {
      const v = consoleView(groups, control, filter);
      expect(v.total).toBe(4);
      expect(v.counts).toEqual({ reconnecting: 1, queued: 1, micOpen: 1, muted: 1, noCamera: 2, poor: 1 });
    }
  });

  it('filters by words in any order over name, code and parent, keeping groups in order', () => {
    expect(codes(consoleView(groups, control, { text: 'van cu', state: null }))).toEqual(['TN-CV']);
    expect(codes(consoleView(groups, control, { text: 'dong dat', state: null }))).toEqual(['TN-DD']);
    expect(codes(consoleView(groups, control, { text: 'tn-pt', state: null }))).toEqual(['TN-PT']);
    const byParent = consoleView(groups, control, { text: 'phu binh', state: null });
    expect(byParent.groups.map(([g]) => g)).toEqual(['Huyện Phú Bình']);
    expect(byParent.shown).toBe(2);
    const none = consoleView(groups, control, { text: 'khong co', state: null });
    expect(none.groups).toEqual([]);
    expect(none.shown).toBe(0);
  });

  it('narrows to one state, and to a state and words together', () => {
    expect(codes(consoleView(groups, control, { text: '', state: 'noCamera' }))).toEqual(['TN-HC', 'TN-PT']);
    expect(codes(consoleView(groups, control, { text: 'phuc', state: 'noCamera' }))).toEqual(['TN-PT']);
    expect(codes(consoleView(groups, control, { text: '', state: 'queued' }))).toEqual(['TN-DD']);
    expect(consoleView(groups, control, { text: 'cu van', state: 'poor' }).shown).toBe(0);
  });
});
