/**
 * Persistent storage for the checkpoints: asked of the browser once (ever, remembered in localStorage),
 * the first time a run starts, since that is when the page begins to store megabytes. Browsers that
 * grant it without asking (Chromium decides by the site's engagement) and those that prompt both get
 * the one request; after that the page only reads whether it was granted.
 */

/** The part of `navigator.storage` used here: either may be missing (old browsers, insecure contexts). */
export interface PersistenceApi {
  persist?: () => Promise<boolean>;
  persisted?: () => Promise<boolean>;
}

/** Where the request is remembered: localStorage, or nothing where storage is blocked. */
export interface Remembered {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const browserStorage = (): PersistenceApi | undefined => globalThis.navigator?.storage as PersistenceApi | undefined;

function browserMemory(): Remembered | undefined {
  try {
    return (globalThis as { localStorage?: Remembered }).localStorage;
  } catch {
    return undefined; // touching localStorage throws where storage is blocked
  }
}

/** The localStorage key that remembers the request was made. */
export const PERSIST_ASKED_KEY = 'mnist-lab:persist-asked';

/** Whether the origin's storage is persistent; null where the browser does not say. */
export async function isPersisted(storage: PersistenceApi | undefined = browserStorage()): Promise<boolean | null> {
  if (!storage?.persisted) return null;
  return storage.persisted().catch(() => null);
}

/**
 * Asks for persistent storage unless it was asked before (or is persistent already); resolves to
 * whether storage is persistent now (null where the browser does not say).
 */
export async function askPersistenceOnce(storage: PersistenceApi | undefined = browserStorage(), memory: Remembered | undefined = browserMemory()): Promise<boolean | null> {
  const now = await isPersisted(storage);
  if (now !== false || !storage?.persist) return now;
  let asked = false;
  try {
    asked = (memory?.getItem(PERSIST_ASKED_KEY) ?? null) !== null;
    memory?.setItem(PERSIST_ASKED_KEY, new Date().toISOString());
  } catch {
    // Storage blocked: ask anyway, once per page at most (the caller asks once per page).
  }
  if (asked) return false;
  return storage.persist().catch(() => false);
}
