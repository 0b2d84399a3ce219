import {
  type EventView,
  type LinkHealthReason,
  LinkHealthReasonCode,
  NmsErrorCode,
  type LinkHealthReasonCode as ReasonCode,
} from '@lienthong/nms/protocol';
import { describe, expect, it } from 'vitest';
import { LOCALES } from '../src/lib/i18n/translate';
import { fmtBps, fmtMs, fmtPct, fmtUptime, ofSpeed } from '../src/lib/network/format';
import { eventText, POLL_ERROR_KEYS, pollErrorText, REASON_KEYS, reasonsText, reasonText } from '../src/lib/network/wording';

/** The literal values of a TypeBox union of literals, as nms's protocol defines them. */
const literals = (schema: { anyOf: readonly { const: string }[] }): string[] => schema.anyOf.map((s) => s.const);

const reasonCodes = literals(LinkHealthReasonCode) as ReasonCode[];
const pollErrorCodes = literals(NmsErrorCode).filter((c) => c.startsWith('SNMP_'));

const reason = (code: string, value: number | null, minutes: number | null = null): LinkHealthReason =>
  ({ code, value, minutes, text: `nms English for ${code}` }) as LinkHealthReason;

/** A typical reason of each code, and how each language words it. */
const EXPECTED: Record<ReasonCode, { r: LinkHealthReason; vi: string; en: string }> = {
  flapping: { r: reason('flapping', 6, 15), vi: '6 lần đổi trạng thái trong 15 phút', en: '6 status changes in 15 min' },
  admin_down: { r: reason('admin_down', null), vi: 'Giao diện bị tắt theo cấu hình (admin down)', en: 'Administratively down' },
  oper_down: { r: reason('oper_down', null), vi: 'Giao diện mất tín hiệu dù đang bật (oper down)', en: 'Oper down while admin up' },
  no_answer: {
    r: reason('no_answer', null),
    vi: 'Không có trạng thái SNMP và không trả lời ping',
    en: 'No SNMP status and no probe answers',
  },
  no_snmp: {
    r: reason('no_snmp', null),
    vi: 'Không đọc được SNMP (vẫn trả lời ping): chưa rõ trạng thái và mức sử dụng',
    en: 'No SNMP data (ping answers): status and utilisation unknown',
  },
  high_utilisation: {
    r: reason('high_utilisation', 0.934, 10),
    vi: 'Sử dụng 93% tốc độ tuyến trong 10 phút',
    en: 'Utilisation 93% of link speed for 10 min',
  },
  errors: { r: reason('errors', 2.345), vi: '2.3 lỗi/giây', en: '2.3 errors/s' },
  loss: { r: reason('loss', 0.05), vi: 'Mất gói 5%', en: 'Loss 5%' },
  rtt: { r: reason('rtt', 187.6), vi: 'Độ trễ khứ hồi 188 ms', en: 'Round trip 188 ms' },
};

describe('link health reasons', () => {
  it('has a wording for every reason code of nms protocol, and no other', () => {
    expect(Object.keys(REASON_KEYS).sort()).toEqual([...reasonCodes].sort());
    expect(Object.keys(EXPECTED).sort()).toEqual([...reasonCodes].sort());
  });

  it.each(reasonCodes)('words %s in Vietnamese and English', (code) => {
    const { r, vi, en } = EXPECTED[code];
    expect(reasonText(r, 'vi')).toBe(vi);
    expect(reasonText(r, 'en')).toBe(en);
  });

  it.each(reasonCodes)('words %s without leftover placeholders, whatever numbers are missing', (code) => {
    for (const locale of LOCALES) {
      const text = reasonText(reason(code, null, null), locale);
      expect(text).not.toMatch(/[{}]/);
      expect(text).not.toContain('nms English');
    }
  });

  it('shows a dash for an unknown number', () => {
    expect(reasonText(reason('flapping', null, null), 'vi')).toBe('– lần đổi trạng thái trong – phút');
    expect(reasonText(reason('loss', null), 'en')).toBe('Loss –');
  });

  it("falls back to nms's English for a code this build does not know", () => {
    expect(reasonText(reason('solar_flare', 1), 'vi')).toBe('nms English for solar_flare');
    expect(reasonText(reason('toString', 1), 'vi')).toBe('nms English for toString');
  });

  it('joins several reasons', () => {
    const text = reasonsText([EXPECTED.loss.r, EXPECTED.rtt.r], 'vi');
    expect(text).toBe('Mất gói 5%; Độ trễ khứ hồi 188 ms');
    expect(reasonsText([], 'en')).toBe('');
  });
});

describe('SNMP poll errors', () => {
  it('has a wording for every poll error code of nms protocol, and no other', () => {
    expect(pollErrorCodes.length).toBeGreaterThan(5);
    expect(Object.keys(POLL_ERROR_KEYS).sort()).toEqual([...pollErrorCodes].sort());
  });

  it.each(pollErrorCodes)('words %s in both languages, each code differently', (code) => {
    for (const locale of LOCALES) {
      const text = pollErrorText(code, 'nms message', locale);
      expect(text).not.toBe('nms message');
      expect(text).not.toBe(code);
      const others = pollErrorCodes.filter((c) => c !== code).map((c) => pollErrorText(c, null, locale));
      expect(others).not.toContain(text);
    }
    expect(pollErrorText(code, null, 'vi')).not.toBe(pollErrorText(code, null, 'en'));
  });

  it('words the common ones as an operator reads them', () => {
    expect(pollErrorText('SNMP_TIMEOUT', null, 'vi')).toBe('Không phản hồi (thiết bị tắt, không tới được, hoặc sai community/tài khoản)');
    expect(pollErrorText('SNMP_TIMEOUT', null, 'en')).toBe('No response (device down, unreachable, or wrong community/user)');
    expect(pollErrorText('SNMP_AUTH_FAILED', null, 'vi')).toBe('Sai thông tin xác thực SNMP');
  });

  it("keeps nms's words, or the code, for an error this build does not know", () => {
    expect(pollErrorText('SNMP_NEW_THING', 'agent exploded', 'vi')).toBe('agent exploded');
    expect(pollErrorText('SNMP_NEW_THING', null, 'en')).toBe('SNMP_NEW_THING');
    expect(pollErrorText('NOT_FOUND', 'no such device', 'vi')).toBe('no such device');
  });
});

function event(kind: EventView['kind'], details: unknown, over: Partial<EventView> = {}): EventView {
  return {
    id: 1,
    kind,
    severity: 'warning',
    firstAt: '2026-03-12T01:00:00Z',
    lastAt: '2026-03-12T01:00:00Z',
    count: 1,
    source: 'poll',
    deviceId: 'd1',
    linkId: null,
    siteCode: 'DT',
    interface: null,
    message: 'nms english',
    details,
    ...over,
  };
}

describe('event wording', () => {
  it('words a link state change with its reasons', () => {
    const e = event('link_state', { from: 'up', to: 'degraded', reasons: [EXPECTED.loss.r] });
    expect(eventText(e, 'vi')).toBe('Hoạt động → Suy giảm (Mất gói 5%)');
    expect(eventText(e, 'en')).toBe('Up → Degraded (Loss 5%)');
    expect(eventText(event('link_state', { from: 'up', to: 'weird' }), 'en')).toBe('Up → weird');
    expect(eventText(event('link_state', { from: 'up' }), 'en')).toBe('nms english');
  });

  it('words a poll error by its code', () => {
    expect(eventText(event('poll_error', { code: 'SNMP_TOO_BIG' }), 'en')).toBe('Response too big (tooBig)');
    expect(eventText(event('device_unreachable', { code: 'SNMP_TIMEOUT' }), 'vi')).toMatch(/^Không phản hồi/);
    expect(eventText(event('poll_error', {}), 'vi')).toBe('nms english');
  });

  it('names standard traps by kind and others by OID', () => {
    expect(eventText(event('cold_start', { trapOid: '1.3.6.1.6.3.1.1.5.1' }, { source: 'trap' }), 'en')).toContain('coldStart');
    expect(eventText(event('vendor_trap', { trapOid: '1.3.6.1.4.1.9.9' }, { source: 'trap' }), 'en')).toContain('1.3.6.1.4.1.9.9');
    expect(eventText(event('vendor_trap', {}), 'en')).toBe('nms english');
  });

  it('words interface state from polling with the admin state', () => {
    const vi = eventText(event('link_down', { operUp: false, adminUp: true }), 'vi');
    const en = eventText(event('link_down', { operUp: false, adminUp: true }), 'en');
    expect(vi).not.toBe(en);
    expect(en).not.toMatch(/[{}]/);
    expect(eventText(event('link_down', { operUp: false, adminUp: false }), 'en')).not.toBe(en);
  });
});

describe('network number formats', () => {
  it('formats rates, ratios, latencies and uptimes', () => {
    expect(fmtBps(950)).toBe('950 bit/s');
    expect(fmtBps(12_345_678)).toBe('12.3 Mbit/s');
    expect(fmtBps(null)).toBe('–');
    expect(fmtPct(0.1234)).toBe('12.3%');
    expect(fmtMs(3.14659)).toBe('3.15 ms');
    expect(fmtMs(42.4)).toBe('42 ms');
    expect(fmtUptime(90_061, 'vi')).toBe('1 ngày 1h01');
    expect(fmtUptime(90_061, 'en')).toBe('1d 1h01');
    expect(ofSpeed(5e6, 1e7)).toBe(0.5);
    expect(ofSpeed(5e6, 0)).toBeNull();
  });
});
