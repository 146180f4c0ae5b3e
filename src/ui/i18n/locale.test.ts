import { describe, expect, it } from 'vitest';
import { detectLocale, htmlLang, intlLocale, isLocale } from './locale';

describe('detectLocale', () => {
  it('takes a stored choice over the browser', () => {
    expect(detectLocale(['en-US'], 'zh')).toBe('zh');
    expect(detectLocale(['zh-CN'], 'en')).toBe('en');
  });

  it('ignores a stored value that is not a locale', () => {
    expect(detectLocale(['zh-CN'], 'fr')).toBe('zh');
    expect(detectLocale(['zh-CN'], '')).toBe('zh');
    expect(detectLocale(['en-GB'], 'ZH')).toBe('en');
  });

  it('reads any zh* tag as Chinese, in any case and with _ or -', () => {
    for (const tag of ['zh', 'zh-CN', 'zh-TW', 'zh-HK', 'zh-Hans', 'zh-Hant-TW', 'ZH-cn', 'zh_CN']) {
      expect(detectLocale([tag], null), tag).toBe('zh');
    }
  });

  it('lets the first English or Chinese language in the preference order decide', () => {
    expect(detectLocale(['fr-FR', 'zh-CN', 'en'], null)).toBe('zh');
    expect(detectLocale(['de', 'en-GB', 'zh'], null)).toBe('en');
    expect(detectLocale(['en-US', 'zh-CN'], null)).toBe('en');
    expect(detectLocale(['zh-CN', 'en-US'], null)).toBe('zh');
  });

  it('falls back to English', () => {
    expect(detectLocale([], null)).toBe('en');
    expect(detectLocale(['ja-JP', 'ko'], null)).toBe('en');
    expect(detectLocale(['zhx', 'z'], null)).toBe('en'); // "zhx" is not Chinese: only the primary subtag counts
  });
});

describe('locale tags', () => {
  it('gives <html lang> and Intl tags', () => {
    expect(htmlLang('en')).toBe('en');
    expect(htmlLang('zh')).toBe('zh-CN');
    expect(intlLocale('en')).toBe('en-US');
    expect(intlLocale('zh')).toBe('zh-CN');
  });

  it('recognises only en and zh', () => {
    expect(isLocale('en')).toBe(true);
    expect(isLocale('zh')).toBe(true);
    expect(isLocale('zh-CN')).toBe(false);
    expect(isLocale(null)).toBe(false);
  });
});
