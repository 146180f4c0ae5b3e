/**
 * The worker's checkpoints in IndexedDB, in two slots: `latest`, replaced at every epoch and pause (what
 * a reload resumes), and `rollBack`, the last healthy state before a loss spike, pinned there so that
 * the blown-up epochs after it never replace it. Storage may be missing (some private windows) or
 * full; the store then says so and training goes on.
 */
import { englishText, errorDetail, type Text } from '../../shared/texts';

const DB_NAME = 'mnist-lab-checkpoints';
const STORE = 'checkpoints';

export type CheckpointSlot = 'latest' | 'rollBack';

export interface CheckpointStore {
  save(checkpoint: unknown, slot?: CheckpointSlot): Promise<void>;
  load(slot?: CheckpointSlot): Promise<unknown>;
  /** Deletes one slot, or both. */
  clear(slot?: CheckpointSlot): Promise<void>;
}

/** The store, or null with the reason when this browser offers no usable IndexedDB. */
export async function openCheckpointStore(factory?: IDBFactory): Promise<{ store: CheckpointStore } | { store: null; reason: string; text: Text }> {
  let indexedDB: IDBFactory | undefined;
  try {
    indexedDB = factory ?? globalThis.indexedDB;
  } catch {
    indexedDB = undefined; // touching it throws where storage is blocked
  }
  if (!indexedDB) return { store: null, reason: englishText({ key: 'storage.noIndexedDb' }), text: { key: 'storage.noIndexedDb' } };
  try {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB open failed'));
      request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
    });
    const run = <T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const request = action(tx.objectStore(STORE));
        tx.oncomplete = () => resolve(request.result);
        tx.onerror = () => reject(tx.error ?? request.error ?? new Error('IndexedDB transaction failed'));
        tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
      });
    return {
      store: {
        save: async (checkpoint, slot = 'latest') => {
          await run('readwrite', (store) => store.put(checkpoint, slot));
        },
        load: (slot = 'latest') => run('readonly', (store) => store.get(slot)),
        clear: async (slot) => {
          await run('readwrite', (store) => {
            if (slot) return store.delete(slot);
            store.delete('latest'); // both in one transaction: it completes only when both are gone
            return store.delete('rollBack');
          });
        },
      },
    };
  } catch (error) {
    const detail = errorDetail(error);
    return { store: null, reason: detail, text: { key: 'storage.failed', detail } };
  }
}
