import { useI18n } from '../i18n/useI18n';

/**
 * Warnings the user should read but that do not stop anything (a clamped setting, a backend fallback).
 * The notices themselves arrive as text (the worker's and the URL parser's are English).
 */
export function Notices({ notices, onDismiss }: { notices: string[]; onDismiss: (index: number) => void }) {
  const { t } = useI18n();
  if (notices.length === 0) return null;
  return (
    <ul className="notices" aria-label={t.notices.list} aria-live="polite">
      {notices.map((notice, index) => (
        <li key={`${index}:${notice}`}>
          <span>{notice}</span>
          <button type="button" className="dismiss" aria-label={t.notices.dismiss} onClick={() => onDismiss(index)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
