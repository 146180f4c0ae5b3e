/**
 * Every run's checkpoints in IndexedDB: one per finished epoch (epoch 0: the run's initial weights), the
 * branch points of "Branch from epoch k"; one rolling in-epoch checkpoint (what a reload mid-epoch
 * resumes; the trainer decides when to replace it); the run's pinned roll-back point. Beside them a
 * small index (src/shared/checkpointIndex.ts) so listing and accounting never read the weights.
 *
 * It is version 2 of the database `mnist-lab-checkpoints`, not a new database: version 1 (the store
 * with two slots, `latest` and `rollBack`) is carried over inside the upgrade's own transaction, so a
 * run saved by the previous app resumes after the update, no copy is left behind to count against the
 * quota, and an upgrade that fails (another tab holds version 1 open) aborts with version 1 intact.
 * A version-1 checkpoint that fails validation is not carried over: the open says which and why.
 *
 * Nothing unvalidated goes in or comes out: a save is checked with `parseCheckpoint` first, so a
 * non-finite state never replaces a healthy one, and a load is checked again (storage can be tampered
 * with or truncated) and refused with its `CheckpointProblem`.
 */
import {
  entriesReplacedBy,
  latestToResume,
  summarizeArchive,
  archiveBytes,
  ARCHIVE_SLOTS,
  type ArchiveSlot,
  type ArchivedRunSummary,
  type CheckpointIndexEntry,
} from '../../shared/checkpointIndex';
import { englishText, errorDetail, type CheckpointProblem, type Text } from '../../shared/texts';
import { parseCheckpoint, type TrainingCheckpoint } from './checkpoint';

export const ARCHIVE_DB_NAME = 'mnist-lab-checkpoints';
export const ARCHIVE_DB_VERSION = 2;
/** Version 1's store: out-of-line keys `latest` and `rollBack`. */
export const LEGACY_STORE = 'checkpoints';
/** Checkpoints by `[runId, epoch | 'rolling' | 'rollBack']`. */
export const DATA_STORE = 'checkpointData';
/** Their index records (`StoredIndexRecord`), by the same keys, with an index by run. */
export const INDEX_STORE = 'checkpointIndex';
const BY_RUN = 'runId';
/** `{ runId, finishedAt }` for the runs known to have finished, by run id. */
export const FINISHED_STORE = 'finishedRuns';

/** Which stored checkpoint: an epoch's (by its epoch), or a run's rolling or pinned one. */
export type SlotRef = { runId: string; slot: 'epoch'; epoch: number } | { runId: string; slot: 'rolling' | 'rollBack'; epoch?: number };

/** A checkpoint validated for a slot, with its index entry: what `write` stores. */
export interface PreparedCheckpoint {
  checkpoint: TrainingCheckpoint;
  entry: CheckpointIndexEntry;
}

/** Why a checkpoint is refused, as data and in English (as `parseCheckpoint` says it). */
export interface Refusal {
  problem: CheckpointProblem;
  error: string;
}

export type LoadOutcome = { status: 'loaded'; checkpoint: TrainingCheckpoint } | { status: 'missing' } | ({ status: 'refused' } & Refusal);

export type SaveOutcome = { saved: true; entry: CheckpointIndexEntry } | ({ saved: false } & Refusal);

/** What the upgrade from version 1 did with its two slots. */
export interface LegacyMigration {
  moved: CheckpointIndexEntry[];
  refused: { slot: 'latest' | 'rollBack'; problem: CheckpointProblem }[];
}

export interface CheckpointArchive {
  /** Validates and writes (see `prepareCheckpoint`); a refused checkpoint writes nothing. Rejects on storage errors. */
  save(checkpoint: unknown, slot: ArchiveSlot): Promise<SaveOutcome>;
  /** Writes a prepared checkpoint, deleting what it replaces (`entriesReplacedBy`) in the same transaction. */
  write(prepared: PreparedCheckpoint): Promise<void>;
  /** One checkpoint, validated: never returned when it fails `parseCheckpoint` or is not the one asked for. */
  load(ref: SlotRef): Promise<LoadOutcome>;
  /** Index entries, of one run or all, oldest first. */
  list(runId?: string): Promise<CheckpointIndexEntry[]>;
  /** Per-run summaries (bytes, branch epochs, finished), oldest first. */
  runs(): Promise<ArchivedRunSummary[]>;
  /** Stored bytes (estimated), of one run or all. */
  bytes(runId?: string): Promise<number>;
  /** What a reload continues (see checkpointIndex.ts's `latestToResume`). */
  latestToResume(): Promise<CheckpointIndexEntry | null>;
  /** Deletes one checkpoint (a pinned point gone back to, say). */
  remove(ref: SlotRef): Promise<void>;
  /** Deletes every checkpoint of the run, and that it finished: nothing of it is left here. */
  deleteRun(runId: string): Promise<void>;
  /**
   * Records that the run finished (it is offered for resuming no more, and is evicted before unfinished
   * runs) and drops its rolling checkpoint, which its last epoch's supersedes. A later save to the run's
   * epoch or rolling slots (a roll-back continuing it) makes it unfinished again. No-op for a run with
   * no checkpoints.
   */
  markFinished(runId: string, finishedAt?: number): Promise<void>;
  close(): void;
}

/**
 * The stored size of a checkpoint, estimated without serializing it: the typed arrays' bytes plus the
 * JSON length of the rest (history, batch losses, live changes, config). Structured clone stores those
 * plain objects more compactly than JSON (numbers as 8 bytes or less, no quotes), so this errs high.
 */
export function checkpointBytes(checkpoint: TrainingCheckpoint): number {
  const { params, optimizer, order, ...rest } = checkpoint;
  let bytes = order?.byteLength ?? 0;
  for (const values of Object.values<Float32Array>(params)) bytes += values.byteLength;
  for (const slots of Object.values<Record<string, Float32Array>>(optimizer.slots)) for (const values of Object.values(slots)) bytes += values.byteLength;
  return bytes + JSON.stringify(rest).length + String(optimizer.step).length;
}

/**
 * Checks `value` for `slot`: a valid checkpoint (`parseCheckpoint`: version, sizes, finite weights), and
 * for an `epoch` slot one taken at an epoch's boundary (no batch of the next epoch trained, its data
 * order not drawn yet). Returns it with its index entry, or the problem.
 */
export function prepareCheckpoint(value: unknown, slot: ArchiveSlot): { ok: true; prepared: PreparedCheckpoint } | ({ ok: false } & Refusal) {
  const parsed = parseCheckpoint(value);
  if (!parsed.ok) return { ok: false, problem: parsed.problem, error: parsed.error };
  const { checkpoint } = parsed;
  if (slot === 'epoch' && !isEpochBoundary(checkpoint)) return { ok: false, ...refusal({ kind: 'position' }) };
  return { ok: true, prepared: { checkpoint, entry: indexEntryOf(checkpoint, slot) } };
}

function indexEntryOf(checkpoint: TrainingCheckpoint, slot: ArchiveSlot): CheckpointIndexEntry {
  return {
    runId: checkpoint.runId,
    slot,
    epoch: checkpoint.epoch,
    batch: checkpoint.batch,
    step: checkpoint.step,
    bytes: checkpointBytes(checkpoint),
    savedAt: checkpoint.savedAt,
    reason: checkpoint.reason,
    finishedAt: null,
  };
}

/** The archive, with what the upgrade from version 1 carried over; or null with the reason when IndexedDB is unusable. */
export async function openCheckpointArchive(
  factory?: IDBFactory,
): Promise<{ archive: CheckpointArchive; migration: LegacyMigration } | { archive: null; reason: string; text: Text }> {
  let indexedDB: IDBFactory | undefined;
  try {
    indexedDB = factory ?? globalThis.indexedDB;
  } catch {
    indexedDB = undefined; // touching it throws where storage is blocked
  }
  if (!indexedDB) return { archive: null, reason: englishText({ key: 'storage.noIndexedDb' }), text: { key: 'storage.noIndexedDb' } };
  const migration: LegacyMigration = { moved: [], refused: [] };
  try {
    const db = await openDatabase(indexedDB, migration);
    return { archive: idbArchive(db), migration };
  } catch (error) {
    const detail = errorDetail(error);
    return { archive: null, reason: detail, text: { key: 'storage.failed', detail } };
  }
}

function openDatabase(factory: IDBFactory, migration: LegacyMigration): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const request = factory.open(ARCHIVE_DB_NAME, ARCHIVE_DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      const tx = request.transaction as IDBTransaction;
      if (!db.objectStoreNames.contains(DATA_STORE)) db.createObjectStore(DATA_STORE);
      if (!db.objectStoreNames.contains(INDEX_STORE)) db.createObjectStore(INDEX_STORE).createIndex(BY_RUN, 'runId');
      if (!db.objectStoreNames.contains(FINISHED_STORE)) db.createObjectStore(FINISHED_STORE, { keyPath: 'runId' });
      if (db.objectStoreNames.contains(LEGACY_STORE)) migrateLegacy(db, tx, migration);
    };
    request.onsuccess = () => {
      const db = request.result;
      if (settled) {
        db.close(); // the open was given up as blocked; an unused connection would block the next upgrade
        return;
      }
      settled = true;
      // A newer version opened in another tab: step aside instead of blocking its upgrade.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    request.onerror = () => {
      settled = true;
      reject(request.error ?? new Error('IndexedDB open failed'));
    };
    request.onblocked = () => {
      settled = true;
      reject(new Error('IndexedDB is blocked by another tab'));
    };
  });
}

/**
 * Moves version 1's `latest` (an epoch's or a pause's checkpoint) and `rollBack` into the archive and
 * deletes its store, all within the upgrade transaction.
 */
function migrateLegacy(db: IDBDatabase, tx: IDBTransaction, migration: LegacyMigration): void {
  const legacy = tx.objectStore(LEGACY_STORE);
  const latest = legacy.get('latest');
  const rollBack = legacy.get('rollBack');
  // Requests complete in order: when the second has, both values are in.
  rollBack.onsuccess = () => {
    for (const [name, value] of [['latest', latest.result], ['rollBack', rollBack.result]] as const) {
      if (value === undefined) continue;
      const parsed = parseCheckpoint(value);
      if (!parsed.ok) {
        migration.refused.push({ slot: name, problem: parsed.problem });
        continue;
      }
      const slot: ArchiveSlot = name === 'rollBack' ? 'rollBack' : isEpochBoundary(parsed.checkpoint) ? 'epoch' : 'rolling';
      const prepared = { checkpoint: parsed.checkpoint, entry: indexEntryOf(parsed.checkpoint, slot) };
      putPrepared((store) => tx.objectStore(store), prepared);
      migration.moved.push(prepared.entry);
    }
    db.deleteObjectStore(LEGACY_STORE);
  };
}

/** What the index store holds: the entry without `finishedAt`, which lives once per run in `finishedRuns`. */
type StoredIndexRecord = Omit<CheckpointIndexEntry, 'finishedAt'>;

function idbArchive(db: IDBDatabase): CheckpointArchive {
  const list = async (runId?: string) => {
    const { records, finished } = await transact(db, [INDEX_STORE, FINISHED_STORE], 'readonly', (stores) => ({
      records: runId === undefined ? stores[INDEX_STORE].getAll() : stores[INDEX_STORE].index(BY_RUN).getAll(runId),
      finished: stores[FINISHED_STORE].getAll(),
    }));
    const finishedAt = new Map<string, number>();
    for (const row of finished as unknown[]) if (isFinishedRecord(row)) finishedAt.set(row.runId, row.finishedAt);
    return (records as unknown[])
      .filter(isStoredIndexRecord) // a damaged or foreign record must not hide the others
      .map((record): CheckpointIndexEntry => ({ ...record, finishedAt: finishedAt.get(record.runId) ?? null }))
      .sort((a, b) => a.savedAt - b.savedAt || a.step - b.step);
  };

  const write = async (prepared: PreparedCheckpoint) => {
    const { entry, checkpoint } = prepared;
    await transact(db, [DATA_STORE, INDEX_STORE, FINISHED_STORE], 'readwrite', (stores) => {
      const existing = stores[INDEX_STORE].index(BY_RUN).getAll(entry.runId);
      existing.onsuccess = () => {
        const runEntries = (existing.result as unknown[]).filter(isStoredIndexRecord).map((record) => ({ ...record, finishedAt: null }));
        for (const replaced of entriesReplacedBy(runEntries, entry)) {
          stores[DATA_STORE].delete(keyOf(replaced));
          stores[INDEX_STORE].delete(keyOf(replaced));
        }
        putPrepared((name) => stores[name], prepared);
        // Saving where the run goes on (not a pin) means it is running again.
        if (entry.slot !== 'rollBack') stores[FINISHED_STORE].delete(checkpoint.runId);
      };
      return {};
    });
  };

  return {
    save: async (value, slot) => {
      const prepared = prepareCheckpoint(value, slot);
      if (!prepared.ok) return { saved: false, problem: prepared.problem, error: prepared.error };
      await write(prepared.prepared);
      return { saved: true, entry: prepared.prepared.entry };
    },
    write,
    load: async (ref) => {
      const { value } = await transact(db, [DATA_STORE], 'readonly', (stores) => ({ value: stores[DATA_STORE].get(keyOf(ref)) }));
      if (value === undefined) return { status: 'missing' };
      const parsed = parseCheckpoint(value);
      if (!parsed.ok) return { status: 'refused', problem: parsed.problem, error: parsed.error };
      const { checkpoint } = parsed;
      // A record under another run's key, or an epoch key holding another position, is not what was asked for.
      if (checkpoint.runId !== ref.runId) return { status: 'refused', ...refusal({ kind: 'noRun' }) };
      if (ref.slot === 'epoch' && (checkpoint.epoch !== ref.epoch || !isEpochBoundary(checkpoint))) return { status: 'refused', ...refusal({ kind: 'position' }) };
      return { status: 'loaded', checkpoint };
    },
    list,
    runs: async () => summarizeArchive(await list()),
    bytes: async (runId) => archiveBytes(await list(runId)),
    latestToResume: async () => latestToResume(await list()),
    remove: async (ref) => {
      await transact(db, [DATA_STORE, INDEX_STORE], 'readwrite', (stores) => {
        stores[DATA_STORE].delete(keyOf(ref));
        stores[INDEX_STORE].delete(keyOf(ref));
        return {};
      });
    },
    deleteRun: async (runId) => {
      await transact(db, [DATA_STORE, INDEX_STORE, FINISHED_STORE], 'readwrite', (stores) => {
        // The index and the data share keys, written and deleted together: the index's keys are all of them.
        const keys = stores[INDEX_STORE].index(BY_RUN).getAllKeys(runId);
        keys.onsuccess = () => {
          for (const key of keys.result) {
            stores[DATA_STORE].delete(key);
            stores[INDEX_STORE].delete(key);
          }
        };
        stores[FINISHED_STORE].delete(runId);
        return {};
      });
    },
    markFinished: async (runId, finishedAt = Date.now()) => {
      await transact(db, [DATA_STORE, INDEX_STORE, FINISHED_STORE], 'readwrite', (stores) => {
        const count = stores[INDEX_STORE].index(BY_RUN).count(runId);
        count.onsuccess = () => {
          if (count.result === 0) return;
          stores[FINISHED_STORE].put({ runId, finishedAt });
          stores[DATA_STORE].delete(keyOf({ runId, slot: 'rolling' }));
          stores[INDEX_STORE].delete(keyOf({ runId, slot: 'rolling' }));
        };
        return {};
      });
    },
    close: () => db.close(),
  };
}

function putPrepared(store: (name: string) => IDBObjectStore, { checkpoint, entry }: PreparedCheckpoint): void {
  const { runId, slot, epoch, batch, step, bytes, savedAt, reason } = entry;
  store(DATA_STORE).put(checkpoint, keyOf(entry));
  store(INDEX_STORE).put({ runId, slot, epoch, batch, step, bytes, savedAt, reason } satisfies StoredIndexRecord, keyOf(entry));
}

/**
 * Runs `work` in one transaction over `names` and resolves with its requests' results once the
 * transaction commits — only then is a write durable, and a quota failure arrives as an abort after
 * the request itself "succeeded".
 */
function transact<R extends Record<string, IDBRequest>>(
  db: IDBDatabase,
  names: string[],
  mode: IDBTransactionMode,
  work: (stores: Record<string, IDBObjectStore>) => R,
): Promise<{ [K in keyof R]: unknown }> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(names, mode);
    const stores = Object.fromEntries(names.map((name) => [name, tx.objectStore(name)]));
    const requests = work(stores);
    tx.oncomplete = () => resolve(Object.fromEntries(Object.entries(requests).map(([key, request]) => [key, request.result])) as { [K in keyof R]: unknown });
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

function keyOf(ref: SlotRef | Pick<CheckpointIndexEntry, 'runId' | 'slot' | 'epoch'>): [string, number | string] {
  return [ref.runId, ref.slot === 'epoch' ? (ref.epoch as number) : ref.slot];
}

function isEpochBoundary(checkpoint: TrainingCheckpoint): boolean {
  return checkpoint.batch === 0 && checkpoint.order === null;
}

function refusal(problem: CheckpointProblem): Refusal {
  return { problem, error: englishText({ key: 'checkpoint.unusable', problem, deleted: false }) };
}

function isStoredIndexRecord(value: unknown): value is StoredIndexRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const finite = (n: unknown) => typeof n === 'number' && Number.isFinite(n);
  return (
    typeof r.runId === 'string' &&
    ARCHIVE_SLOTS.includes(r.slot as ArchiveSlot) &&
    [r.epoch, r.batch, r.step, r.bytes, r.savedAt].every(finite) &&
    typeof r.reason === 'string'
  );
}

function isFinishedRecord(value: unknown): value is { runId: string; finishedAt: number } {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.runId === 'string' && typeof r.finishedAt === 'number';
}
