import { describe, expect, it } from 'vitest';
import { en, type MessageKey, vi } from '../src/lib/i18n/messages';
import { catalogues, isMessageKey, LOCALES, placeholders, translate } from '../src/lib/i18n/translate';

const keys = Object.keys(vi) as MessageKey[];

/** Same text in both languages on purpose: loan words and technical labels. */
const SAME_IN_BOTH = new Set<MessageKey>(['camera', 'siteDemo', 'netRttP50', 'netRttP95']);
/** Vietnamese words that happen to need no diacritics. */
const PLAIN_VIETNAMESE = new Set<MessageKey>(['join', 'netOut']);

const VI_LETTER = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/iu;
/** Letters that exist only in Vietnamese: an English text carrying one was left untranslated. */
const VI_ONLY_LETTER = /[ăằắẳẵặâầấẩẫậđêềếểễệôồốổỗộơờớởỡợưừứửữựảẻỉỏủỷạẹịọụỵẫẽĩõũỹ]/iu;

describe('message catalogues', () => {
  it('has the same keys in Vietnamese and English', () => {
    expect(Object.keys(en).sort()).toEqual([...keys].sort());
    expect(keys.length).toBeGreaterThan(300);
  });

  it.each(keys)('%s is present and non-empty in both languages', (key) => {
    for (const locale of LOCALES) {
      const text = catalogues[locale][key];
      expect(typeof text, `${locale}.${key}`).toBe('string');
      expect(text.trim(), `${locale}.${key}`).not.toBe('');
      expect(text, `${locale}.${key} has no stray whitespace`).toBe(text.trim());
    }
  });

  it.each(keys)('%s has the same placeholders in both languages', (key) => {
    expect(placeholders(en[key]), key).toEqual(placeholders(vi[key]));
  });

  it('translates every Vietnamese text (identical only where listed)', () => {
    const same = keys.filter((k) => vi[k] === en[k]);
    expect(same.sort()).toEqual([...SAME_IN_BOTH].sort());
  });

  it('writes Vietnamese with its diacritics', () => {
    const plain = keys.filter((k) => !VI_LETTER.test(vi[k]));
    expect(plain.sort()).toEqual([...SAME_IN_BOTH, ...PLAIN_VIETNAMESE].sort());
  });

  it('keeps Vietnamese out of the English texts', () => {
    expect(keys.filter((k) => VI_ONLY_LETTER.test(en[k]))).toEqual([]);
  });
});

describe('translate', () => {
  it('looks a key up in the given language', () => {
    expect(translate('vi', 'statusReconnecting')).toBe('Mất kết nối, đang kết nối lại…');
    expect(translate('en', 'statusReconnecting')).toBe('Connection lost, reconnecting…');
  });

  it('knows which server codes have a message', () => {
    expect(isMessageKey('netErr_SNMP_TIMEOUT')).toBe(true);
    expect(isMessageKey('netErr_SNMP_NOPE')).toBe(false);
    expect(isMessageKey('toString')).toBe(false);
  });

  it('lists placeholders sorted and once', () => {
    expect(placeholders('{min} then {n} and {n} again')).toEqual(['min', 'n']);
    expect(placeholders('none')).toEqual([]);
  });
});
