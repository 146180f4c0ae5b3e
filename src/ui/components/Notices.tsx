import { renderText, type Shown } from '../i18n/renderText';
import { useI18n } from '../i18n/useI18n';

/**
 * Warnings the user should read but that do not stop anything (a clamped setting, a backend fallback).
 * The worker's and the URL parser's notices arrive as texts, rendered in the page's language; the
 * page's own as strings.
 */
export function Notices({ notices, onDismiss }: { notices: Shown[]; onDismiss: (index: number) => void }) {
  const { t } = useI18n();
  if (notices.length === 0) return null;
  return (
    <ul className="notices" aria-label={t.notices.list} aria-live="polite">
      {notices.map((notice, index) => (
        <li key={`${index}:${typeof notice === 'string' ? notice : notice.key}`}>
          <span>{renderText(t, notice)}</span>
          <button type="button" className="dismiss" aria-label={t.notices.dismiss} onClick={() => onDismiss(index)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
