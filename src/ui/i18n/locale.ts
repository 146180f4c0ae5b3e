/**
 * The page's two languages and how one is chosen: a choice the user made (kept in localStorage) wins;
 * otherwise the browser's preferred languages, in order, decide — the first English or Chinese one.
 * Pure: the provider passes in `navigator.languages` and the stored value.
 */

export const LOCALES = ['en', 'zh'] as const;
export type Locale = (typeof LOCALES)[number];

/** localStorage key of the user's explicit choice. */
export const LOCALE_STORAGE_KEY = 'mnist-lab.locale';

/** The language menu's accessible name: the same in both languages, so either reader finds it. */
export const LANGUAGE_SWITCH_LABEL = 'Language / 语言';

/** BCP 47 tags: for `<html lang>` and for Intl. */
const HTML_LANG: Readonly<Record<Locale, string>> = { en: 'en', zh: 'zh-CN' };
const INTL_LOCALE: Readonly<Record<Locale, string>> = { en: 'en-US', zh: 'zh-CN' };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The language tag's primary subtag, lower case: "zh-Hans-CN" → "zh", "EN_us" → "en". */
function primaryLanguage(tag: string): string {
  return tag.trim().toLowerCase().split(/[-_]/)[0];
}

/**
 * A stored choice ('en' or 'zh') wins. Otherwise the first of the browser's languages that is
 * Chinese (any `zh*`: zh, zh-CN, zh-TW, zh-Hans …) or English picks that language, so a browser
 * set to French then Chinese gets Chinese, and one set to English then Chinese gets English. No
 * match at all: English.
 */
export function detectLocale(languages: readonly string[], stored: string | null): Locale {
  if (isLocale(stored)) return stored;
  for (const tag of languages) {
    const primary = primaryLanguage(tag);
    if (primary === 'zh') return 'zh';
    if (primary === 'en') return 'en';
  }
  return 'en';
}

export const htmlLang = (locale: Locale): string => HTML_LANG[locale];
export const intlLocale = (locale: Locale): string => INTL_LOCALE[locale];
