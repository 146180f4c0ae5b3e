/**
 * Whether the user left a `<details>` group open, kept across reloads (localStorage).
 * Storage may be missing or refuse access (privacy mode, a sandboxed frame): the group then opens as
 * its default says and simply is not remembered.
 */
/** The part of `Storage` used here (spelled out: this module is also compiled without the DOM's types, for its test). */
export interface OpenStateStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const OPEN = 'open';
const CLOSED = 'closed';

/** The remembered state under `key`, or `fallback` when nothing (or something unknown) is stored or storage is unavailable. */
export function readOpenState(storage: () => OpenStateStorage, key: string, fallback: boolean): boolean {
  try {
    const stored = storage().getItem(key);
    if (stored === OPEN) return true;
    if (stored === CLOSED) return false;
  } catch {
    // Unavailable storage: the default applies.
  }
  return fallback;
}

export function writeOpenState(storage: () => OpenStateStorage, key: string, open: boolean): void {
  try {
    storage().setItem(key, open ? OPEN : CLOSED);
  } catch {
    // Not remembered; the group still opens and closes.
  }
}
