/** Warnings the user should read but that do not stop anything (a clamped setting, a backend fallback). */
export function Notices({ notices, onDismiss }: { notices: string[]; onDismiss: (index: number) => void }) {
  if (notices.length === 0) return null;
  return (
    <ul className="notices" aria-label="Notices" aria-live="polite">
      {notices.map((notice, index) => (
        <li key={`${index}:${notice}`}>
          <span>{notice}</span>
          <button type="button" className="dismiss" aria-label="Dismiss notice" onClick={() => onDismiss(index)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
