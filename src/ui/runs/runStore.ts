/**
 * Persistence of runs in IndexedDB, so a comparison survives a reload. When IndexedDB is missing or
 * refuses to open (private windows, disabled storage, sandboxed frames, a Safari open that never
 * answers), the store keeps runs in memory instead and says so with `persistent: false`: the page
 * keeps working, it just forgets on reload.
 */
import { checkArchSpec } from '../../shared/arch/validate';
import { DEFAULT_CONFIG, type TrainConfig } from '../../shared/config';
import type { BatchLossPoint, RunParent, RunRecord, RunStatus } from './runTypes';

export const RUN_DB_NAME = 'mnist-lab-runs';
export const RUN_STORE_NAME = 'runs';
const DB_VERSION = 1;

export interface RunStore {
  /** False when runs live only in this tab's memory and are lost on reload. */
  readonly persistent: boolean;
  /** Every run, oldest first. */
  list(): Promise<RunRecord[]>;
  /** Inserts or replaces the run with the same id. Rejects if the browser refuses the write (e.g. quota). */
  put(run: RunRecord): Promise<void>;
  delete(id: string): Promise<void>;
  clear(): Promise<void>;
  /** Releases the database connection; the store must not be used afterwards. */
  close(): void;
}

export interface RunStoreOptions {
  /** Give up on IndexedDB and use memory if opening takes longer than this (ms). */
  openTimeoutMs?: number;
}

/**
 * The record as written to disk. The batch losses go in as two Float64Arrays instead of an array of
 * `{ step, loss }` objects: a 50-epoch run on 60k images has ~23k points, and structured clone copies
 * a typed array as one block of bytes (~370 KB) where it would walk and tag 23k objects (several
 * times the size and time) on every put. Float64 rather than Float32 so a reloaded run exports the
 * very same numbers as it did live; halving the bytes is not worth values that change on reload.
 */
interface StoredRun extends Omit<RunRecord, 'batchLoss'> {
  batchLossSteps: Float64Array;
  batchLossX: Float64Array;
  batchLossValues: Float64Array;
}

export async function openRunStore(indexedDB?: IDBFactory, options: RunStoreOptions = {}): Promise<RunStore> {
  try {
    // Read inside the try: merely touching `indexedDB` throws a SecurityError in some browsers.
    const factory = indexedDB ?? globalThis.indexedDB;
    if (!factory) return memoryRunStore();
    const db = await openDatabase(factory, options.openTimeoutMs ?? 5000);
    return idbRunStore(db);
  } catch {
    return memoryRunStore();
  }
}

/** A store that lives only as long as the page. */
export function memoryRunStore(): RunStore {
  const runs = new Map<string, RunRecord>();
  // Clones on the way in and out, so callers see the same copy semantics as with IndexedDB and a
  // later mutation of a run object does not silently change what was "saved".
  return {
    persistent: false,
    list: () => Promise.resolve(sortRuns([...runs.values()].map((run) => structuredClone(run)))),
    put: (run) => {
      runs.set(run.id, structuredClone(run));
      return Promise.resolve();
    },
    delete: (id) => {
      runs.delete(id);
      return Promise.resolve();
    },
    clear: () => {
      runs.clear();
      return Promise.resolve();
    },
    close: () => {},
  };
}

function openDatabase(factory: IDBFactory, timeoutMs: number): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(new Error('IndexedDB open timed out'));
    }, timeoutMs);
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    let request: IDBOpenDBRequest;
    try {
      request = factory.open(RUN_DB_NAME, DB_VERSION);
    } catch (error) {
      fail(error);
      return;
    }
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(RUN_STORE_NAME)) db.createObjectStore(RUN_STORE_NAME, { keyPath: 'id' });
    };
    request.onsuccess = () => {
      const db = request.result;
      if (settled) {
        // We already fell back to memory; a connection nobody uses would only block future upgrades.
        db.close();
        return;
      }
      settled = true;
      clearTimeout(timer);
      // Another tab with a newer schema wants to upgrade: step aside rather than block it forever.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    request.onerror = () => fail(request.error ?? new Error('IndexedDB open failed'));
  });
}

function idbRunStore(db: IDBDatabase): RunStore {
  return {
    persistent: true,
    list: async () => {
      const rows = await transact<unknown[]>(db, 'readonly', (store) => store.getAll());
      const runs: RunRecord[] = [];
      for (const row of rows) {
        // One damaged or foreign record must not hide all the others.
        const run = decodeRun(row);
        if (run) runs.push(run);
      }
      return sortRuns(runs);
    },
    put: async (run) => {
      await transact(db, 'readwrite', (store) => store.put(encodeRun(run)));
    },
    delete: async (id) => {
      await transact(db, 'readwrite', (store) => store.delete(id));
    },
    clear: async () => {
      await transact(db, 'readwrite', (store) => store.clear());
    },
    close: () => db.close(),
  };
}

/**
 * Resolves when the transaction commits, not when the request succeeds: only then is the write
 * durable, and a failed commit (quota) surfaces as an abort after the request already "succeeded".
 */
function transact<T>(db: IDBDatabase, mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(RUN_STORE_NAME, mode);
    const request = work(tx.objectStore(RUN_STORE_NAME));
    tx.oncomplete = () => resolve(request.result as T);
    tx.onabort = () => reject(tx.error ?? request.error ?? new Error('IndexedDB transaction aborted'));
  });
}

function encodeRun(run: RunRecord): StoredRun {
  const { batchLoss, ...rest } = run;
  const batchLossSteps = new Float64Array(batchLoss.length);
  const batchLossX = new Float64Array(batchLoss.length);
  const batchLossValues = new Float64Array(batchLoss.length);
  batchLoss.forEach((point, i) => {
    batchLossSteps[i] = point.step;
    batchLossX[i] = point.x;
    batchLossValues[i] = point.loss;
  });
  return { ...rest, batchLossSteps, batchLossX, batchLossValues };
}

const STATUSES: readonly RunStatus[] = ['running', 'done', 'stopped'];

function decodeRun(row: unknown): RunRecord | null {
  if (!isObject(row)) return null;
  const { id, name, createdAt, config, epochs, liveChanges, hidden, status, parent, batchLossSteps, batchLossX, batchLossValues } = row;
  if (typeof id !== 'string' || typeof createdAt !== 'number' || !isObject(config) || !Array.isArray(epochs)) return null;
  // The network is checked like any spec from outside; runs from before networks were configurable are SimpleCNN's.
  const arch = checkArchSpec(config.arch ?? DEFAULT_CONFIG.arch);
  if (!arch.ok) return null;
  const steps = isNumberList(batchLossSteps) ? batchLossSteps : [];
  const xs = isNumberList(batchLossX) ? batchLossX : [];
  const values = isNumberList(batchLossValues) ? batchLossValues : [];
  const batchLoss: BatchLossPoint[] = [];
  for (let i = 0; i < Math.min(steps.length, xs.length, values.length); i++) batchLoss.push({ step: steps[i], x: xs[i], loss: values[i] });
  return {
    id,
    ...(typeof name === 'string' ? { name } : {}),
    createdAt,
    // Runs saved before a config field existed get that field's default, so code reading newer
    // fields (e.g. the optimizer) never meets `undefined`; the defaults are what the older app used.
    config: { ...DEFAULT_CONFIG, ...config, arch: arch.spec } as TrainConfig,
    epochs: epochs as RunRecord['epochs'],
    batchLoss,
    liveChanges: Array.isArray(liveChanges) ? (liveChanges as RunRecord['liveChanges']) : [],
    hidden: hidden === true,
    status: STATUSES.includes(status as RunStatus) ? (status as RunStatus) : 'stopped',
    ...(decodeParent(parent) ?? {}),
  };
}

/** A branch's origin as `{ parent }`, or null for a root (and for a damaged origin: the run is shown as a root). */
function decodeParent(value: unknown): { parent: RunParent } | null {
  if (!isObject(value)) return null;
  const { runId, epoch, deleted } = value;
  if (typeof runId !== 'string' || typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0) return null;
  if (deleted === undefined) return { parent: { runId, epoch } };
  if (!isObject(deleted) || typeof deleted.name !== 'string' || !isObject(deleted.config)) return { parent: { runId, epoch } };
  return { parent: { runId, epoch, deleted: { name: deleted.name, config: { ...DEFAULT_CONFIG, ...deleted.config } as TrainConfig } } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isNumberList(value: unknown): value is ArrayLike<number> {
  return value instanceof Float64Array || value instanceof Float32Array || Array.isArray(value);
}

function sortRuns(runs: RunRecord[]): RunRecord[] {
  return runs.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
