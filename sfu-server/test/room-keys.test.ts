import { describe, expect, it } from 'vitest';
import { EventDedup, infoKey, KeyEntry, telephoneEvent } from '../src/domain/room-systems/dtmf';

describe("keys from a room system's remote", () => {
  it('reads RFC 4733 events: the key and the end bit; not a short or unknown payload', () => {
    expect(telephoneEvent(Buffer.from([5, 0x0a, 0x00, 0xa0]))).toEqual({ key: '5', end: false });
    expect(telephoneEvent(Buffer.from([11, 0x8a, 0x03, 0x20]))).toEqual({ key: '#', end: true });
    expect(telephoneEvent(Buffer.from([10, 0, 0, 0]))).toEqual({ key: '*', end: false });
    expect(telephoneEvent(Buffer.from([16, 0, 0, 0]))).toBeNull();
    expect(telephoneEvent(Buffer.from([1, 0]))).toBeNull();
  });

  it('reads SIP INFO dtmf-relay and dtmf bodies', () => {
    expect(infoKey('application/dtmf-relay', 'Signal=7\r\nDuration=160\r\n')).toBe('7');
    expect(infoKey('Application/DTMF-Relay; charset=x', 'signal= #\r\n')).toBe('#');
    expect(infoKey('application/dtmf-relay', 'Signal=11\r\n')).toBe('#');
    expect(infoKey('application/dtmf', '3')).toBe('3');
    expect(infoKey('application/dtmf-relay', 'Signal=Z')).toBeNull();
    expect(infoKey('application/media_control+xml', '<picture_fast_update/>')).toBeNull();
  });

  it('counts each event once however many packets carry it', () => {
    const d = new EventDedup();
    expect([d.first(100), d.first(100), d.first(100), d.first(900), d.first(100)]).toEqual([true, false, false, true, false]);
  });

  it('digits then # answer present with the count; # alone without; * clears; a pause starts over', () => {
    const k = new KeyEntry();
    expect(k.press('1', 0)).toBeNull();
    expect(k.press('2', 500)).toBeNull();
    expect(k.press('#', 900)).toEqual({ present: 12 });
    expect(k.press('#', 1000)).toEqual({ present: null });
    k.press('9', 2000);
    k.press('*', 2100);
    k.press('4', 2200);
    expect(k.press('#', 2300)).toEqual({ present: 4 });
    k.press('8', 3000);
    expect(k.press('#', 3000 + 11_000)).toEqual({ present: null });
    for (const d of '1234567') k.press(d, 20_000);
    expect(k.press('#', 20_001)).toEqual({ present: 12345 });
  });
});
