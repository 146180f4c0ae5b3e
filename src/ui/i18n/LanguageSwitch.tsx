/**
 * The page's language menu. Its accessible name and option labels are the same in both languages, so
 * a reader who cannot read the current one can still find their own.
 */
import { LANGUAGE_SWITCH_LABEL, isLocale, type Locale } from './locale';
import { useI18n } from './useI18n';

/** Each language named in itself. */
const LANGUAGE_NAMES: Readonly<Record<Locale, string>> = { en: 'English', zh: '中文' };
const OPTION_LANG: Readonly<Record<Locale, string>> = { en: 'en', zh: 'zh-CN' };

export function LanguageSwitch({ className }: { className?: string }) {
  const { locale, setLocale } = useI18n();
  return (
    <select
      className={className ?? 'language-switch'}
      aria-label={LANGUAGE_SWITCH_LABEL}
      title={LANGUAGE_SWITCH_LABEL}
      value={locale}
      onChange={(event) => {
        if (isLocale(event.target.value)) setLocale(event.target.value);
      }}
    >
      {(Object.keys(LANGUAGE_NAMES) as Locale[]).map((l) => (
        <option key={l} value={l} lang={OPTION_LANG[l]}>
          {LANGUAGE_NAMES[l]}
        </option>
      ))}
    </select>
  );
}
