import { describe, expect, it } from 'vitest';
import { askPersistenceOnce, isPersisted, PERSIST_ASKED_KEY, type PersistenceApi } from './storagePersistence';

/** A browser's storage manager that grants persistence when asked if `grant`; counts the requests. */
function storageManager(grant: boolean) {
  let persistent = false;
  const api = {
    requests: 0,
    persisted: () => Promise.resolve(persistent),
    persist: () => {
      api.requests += 1;
      persistent = grant;
      return Promise.resolve(grant);
    },
  };
  return api;
}

function memory() {
  const items = new Map<string, string>();
  return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value), items };
}

describe('askPersistenceOnce', () => {
  it('asks the browser once, ever, and reports what it granted', async () => {
    const storage = storageManager(false);
    const remembered = memory();
    expect(await askPersistenceOnce(storage, remembered)).toBe(false);
    expect(await askPersistenceOnce(storage, remembered)).toBe(false);
    expect(storage.requests).toBe(1);
    expect(remembered.items.has(PERSIST_ASKED_KEY)).toBe(true);
  });

  it('does not ask when storage is persistent already, and says so', async () => {
    const storage = storageManager(true);
    expect(await askPersistenceOnce(storage, memory())).toBe(true);
    expect(await askPersistenceOnce(storage, memory())).toBe(true);
    expect(storage.requests).toBe(1);
  });

  it('says nothing where the browser has no storage manager', async () => {
    expect(await askPersistenceOnce(undefined, memory())).toBeNull();
    expect(await isPersisted({} as PersistenceApi)).toBeNull();
  });
});
