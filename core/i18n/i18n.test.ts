import { catalogs, LOCALES, placeholders, resolveLocale, t } from './index';
import { en } from './en';

describe('i18n', () => {
  it('every catalog has every key of the English catalog, with the same placeholders, and nothing else', () => {
    const keys = Object.keys(en).sort();
    for (const locale of LOCALES) {
      const catalog = catalogs[locale];
      expect(Object.keys(catalog).sort()).toEqual(keys);
      for (const key of keys) {
        const value = catalog[key as keyof typeof en];
        expect(typeof value).toBe('string');
        expect(value.trim()).not.toBe('');
        expect({ key, locale, p: placeholders(value) }).toEqual({
          key,
          locale,
          p: placeholders(en[key as keyof typeof en]),
        });
      }
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(t('en', 'error.internal', { ref: 'abc123' })).toContain('abc123');
    expect(t('zh', 'error.internal', { ref: 'abc123' })).toContain('参考编号：abc123');
    expect(t('xx', 'lang.changed')).toBe(en['lang.changed']);
  });

  it.each([
    ['zh', 'zh'],
    ['zh-CN', 'zh'],
    ['zh-hans', 'zh'],
    ['zh-TW', 'zh'],
    ['en-US', 'en'],
    ['de', 'en'],
    [undefined, 'en'],
    ['', 'en'],
  ])('resolves platform language %p to %p', (tag, locale) => {
    expect(resolveLocale(tag)).toBe(locale);
  });
});
