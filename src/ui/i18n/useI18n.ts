/**
 * The page's language and its messages: `const { t, locale, formatInteger } = useI18n();`, then
 * `t.drawing.clear` (a string) or `t.progress.epoch(3, 10)` (a message with parameters).
 */
import { createContext, useContext } from 'react';
import { formatBytes, formatInteger, formatNumber, formatPercent } from '../format';
import type { Locale } from './locale';
import { en, type Messages } from './messages';
import { zh } from './zh';

export const MESSAGES: Readonly<Record<Locale, Messages>> = { en, zh };

export interface I18n {
  locale: Locale;
  /** The messages of `locale`. */
  t: Messages;
  /** Switches the page's language and remembers the choice (localStorage). */
  setLocale: (locale: Locale) => void;
  /** Intl.NumberFormat for the locale ('en-US' or 'zh-CN'). */
  formatNumber: (value: number, options?: Intl.NumberFormatOptions) => string;
  /** A value already in percent: formatPercent(98.1, 2) → "98.10%". `digits` defaults to 2. */
  formatPercent: (percent: number, digits?: number) => string;
  /** Rounded, with the locale's grouping: 60000 → "60,000". */
  formatInteger: (value: number) => string;
  /** Decimal units: 4704523 → "4.7 MB". */
  formatBytes: (bytes: number) => string;
}

/** Bound formatters and messages of one locale; `setLocale` is supplied by the provider. */
export function i18nFor(locale: Locale, setLocale: (locale: Locale) => void): I18n {
  return {
    locale,
    t: MESSAGES[locale],
    setLocale,
    formatNumber: (value, options) => formatNumber(value, locale, options),
    formatPercent: (percent, digits = 2) => formatPercent(percent, digits, locale),
    formatInteger: (value) => formatInteger(value, locale),
    formatBytes: (bytes) => formatBytes(bytes, locale),
  };
}

/**
 * English outside an <I18nProvider> (a component rendered on its own, e.g. in a test); there is no
 * language to switch to, so setLocale does nothing.
 */
export const I18nContext = createContext<I18n>(i18nFor('en', () => {}));

export function useI18n(): I18n {
  return useContext(I18nContext);
}
