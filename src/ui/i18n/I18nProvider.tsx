/**
 * Chooses the page's language (a stored choice, else the browser's languages), keeps
 * `<html lang>` and the document title in step with it, and remembers a choice the user makes.
 */
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { LOCALE_STORAGE_KEY, detectLocale, htmlLang, type Locale } from './locale';
import { I18nContext, MESSAGES, i18nFor } from './useI18n';

function readStoredLocale(): string | null {
  try {
    return window.localStorage.getItem(LOCALE_STORAGE_KEY);
  } catch {
    return null; // storage disabled (privacy mode, sandboxed frame): detect from the browser only
  }
}

function browserLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(() => detectLocale(browserLanguages(), readStoredLocale()));

  const setLocale = useCallback((next: Locale) => {
    setLocaleState(next);
    try {
      window.localStorage.setItem(LOCALE_STORAGE_KEY, next);
    } catch {
      // Not remembered, but switched for this page.
    }
  }, []);

  useEffect(() => {
    document.documentElement.lang = htmlLang(locale);
    document.title = MESSAGES[locale].app.documentTitle;
  }, [locale]);

  const value = useMemo(() => i18nFor(locale, setLocale), [locale, setLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}
