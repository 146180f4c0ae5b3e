/**
 * What to drop when a checkpoint does not fit: training never stops for storage, so a save that would
 * pass the browser's quota first makes room by dropping other runs' checkpoints, and is skipped when
 * nothing may be dropped.
 *
 * The policy: whole runs at a time (a run's checkpoints are its branch points and its way back; a run
 * keeping only some epochs would offer a tree with holes nobody chose), never the run being trained;
 * finished runs first, the one finished longest ago first; then runs left unfinished, the one saved to
 * longest ago first (they could still be resumed, so they go after every finished run). When dropping
 * every such run would still not make room, nothing is dropped and the save is skipped: losing other
 * runs for a save that fails anyway would be pure loss.
 */
import { entriesReplacedBy, summarizeArchive, type ArchivedRunSummary, type CheckpointIndexEntry } from './checkpointIndex';

/** `navigator.storage.estimate()`'s figures for the origin, bytes. */
export interface StorageFigures {
  usage: number;
  quota: number;
}

export interface EvictionPlan {
  /** True when the save fits after dropping `drop` (or without dropping anything). */
  fits: boolean;
  /** The runs whose checkpoints to delete, in eviction order; empty when `fits` is false. */
  drop: string[];
  /** Bytes the save adds, net of what it replaces. */
  neededBytes: number;
  /** Bytes missing before dropping anything (0 when it fits as is). */
  shortfallBytes: number;
  /** Bytes the dropped runs free. */
  freedBytes: number;
}

/** The checkpoint about to be written: its index entry, `bytes` included. */
export type IncomingCheckpoint = Pick<CheckpointIndexEntry, 'runId' | 'slot' | 'epoch' | 'step' | 'bytes'>;

/** Bytes the save adds: its own, less those of the checkpoints it replaces (the archive's rule). */
export function netBytesOf(entries: readonly CheckpointIndexEntry[], incoming: IncomingCheckpoint): number {
  const replaced = entriesReplacedBy(entries, incoming).reduce((sum, entry) => sum + entry.bytes, 0);
  return Math.max(0, incoming.bytes - replaced);
}

/** Runs that may be dropped, in the order they go (see the file's comment). */
export function evictionOrder(entries: readonly CheckpointIndexEntry[], protectedRunIds: readonly string[]): ArchivedRunSummary[] {
  const runs = summarizeArchive(entries).filter((run) => !protectedRunIds.includes(run.runId));
  const finished = runs.filter((run) => run.finishedAt !== null).sort((a, b) => (a.finishedAt as number) - (b.finishedAt as number));
  // summarizeArchive already orders by the newest checkpoint, oldest first.
  const unfinished = runs.filter((run) => run.finishedAt === null);
  return [...finished, ...unfinished];
}

/** The fewest runs, taken in eviction order, that free `shortfallBytes`; null when all of them would not. */
export function runsToFree(entries: readonly CheckpointIndexEntry[], shortfallBytes: number, protectedRunIds: readonly string[]): { drop: string[]; freedBytes: number } | null {
  const drop: string[] = [];
  let freedBytes = 0;
  for (const run of evictionOrder(entries, protectedRunIds)) {
    if (freedBytes >= shortfallBytes) break;
    drop.push(run.runId);
    freedBytes += run.bytes;
  }
  return freedBytes >= shortfallBytes ? { drop, freedBytes } : null;
}

/**
 * Which runs to drop so that `incoming` fits in the quota, from the archive's index and the storage
 * estimate (null where the browser gives none: then the save is tried as is, and a quota error answers).
 * The run being trained (`currentRunId`) and the incoming checkpoint's run are never dropped.
 */
export function planEviction(
  entries: readonly CheckpointIndexEntry[],
  figures: StorageFigures | null,
  incoming: IncomingCheckpoint,
  currentRunId: string | null,
): EvictionPlan {
  const neededBytes = netBytesOf(entries, incoming);
  const shortfallBytes = figures ? Math.max(0, figures.usage + neededBytes - figures.quota) : 0;
  if (shortfallBytes === 0) return { fits: true, drop: [], neededBytes, shortfallBytes, freedBytes: 0 };
  const freed = runsToFree(entries, shortfallBytes, protectedRuns(incoming, currentRunId));
  if (!freed) return { fits: false, drop: [], neededBytes, shortfallBytes, freedBytes: 0 };
  return { fits: true, drop: freed.drop, neededBytes, shortfallBytes, freedBytes: freed.freedBytes };
}

function protectedRuns(incoming: IncomingCheckpoint, currentRunId: string | null): string[] {
  return currentRunId === null || currentRunId === incoming.runId ? [incoming.runId] : [incoming.runId, currentRunId];
}

/**
 * Whether a failed write ran out of quota. Browsers abort the IndexedDB transaction with a
 * `QuotaExceededError` DOMException (older Firefox: `NS_ERROR_DOM_QUOTA_REACHED`; legacy code 22).
 */
export function isQuotaExceeded(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22;
}

/** What `saveWithRetention` needs of the archive. */
export interface RetentionStore<Prepared> {
  /** Every checkpoint's index entry. */
  list(): Promise<CheckpointIndexEntry[]>;
  /** Deletes all of one run's checkpoints. */
  deleteRun(runId: string): Promise<void>;
  /** Writes a checkpoint already validated; rejects as the browser does (a quota error among others). */
  write(prepared: Prepared): Promise<void>;
}

export type RetentionOutcome =
  | { saved: true; evicted: string[] }
  /**
   * `noRoom`: the estimate says it cannot fit even with every droppable run gone; `quota`: the browser
   * refused it for quota and dropping could not (or did not) make room; `failed`: storage failed some
   * other way (`error`). `evicted` lists the runs dropped before giving up (for the notice).
   */
  | { saved: false; evicted: string[]; why: 'noRoom' | 'quota' }
  | { saved: false; evicted: string[]; why: 'failed'; error: unknown };

export interface RetentionOptions {
  /** The run being trained: its checkpoints are never dropped. */
  currentRunId: string | null;
  /** `navigator.storage.estimate()`'s usage and quota, or null where there is none. */
  estimate?: () => Promise<StorageFigures | null>;
}

/**
 * Saves `prepared` (a checkpoint the archive has validated, with its index entry), making room first by
 * the policy when the estimate says it will not fit, and once more after a quota error, then retrying
 * once. Never throws: storage trouble is an outcome, and training goes on without the checkpoint.
 */
export async function saveWithRetention<Prepared extends { entry: IncomingCheckpoint }>(
  store: RetentionStore<Prepared>,
  prepared: Prepared,
  options: RetentionOptions,
): Promise<RetentionOutcome> {
  const evicted: string[] = [];
  const dropRuns = async (runIds: readonly string[]) => {
    for (const runId of runIds) {
      await store.deleteRun(runId);
      evicted.push(runId);
    }
  };
  try {
    const figures = options.estimate ? await options.estimate().catch(() => null) : null;
    const plan = planEviction(await store.list(), figures, prepared.entry, options.currentRunId);
    if (!plan.fits) return { saved: false, evicted, why: 'noRoom' };
    await dropRuns(plan.drop);
    try {
      await store.write(prepared);
      return { saved: true, evicted };
    } catch (error) {
      if (!isQuotaExceeded(error)) throw error;
    }
    // The estimate was wrong or missing. Free the save's whole size, not its net: a browser may count
    // the transaction's new bytes before the ones it deletes.
    const freed = runsToFree(await store.list(), prepared.entry.bytes, protectedRuns(prepared.entry, options.currentRunId));
    if (!freed) return { saved: false, evicted, why: 'quota' };
    await dropRuns(freed.drop);
    try {
      await store.write(prepared);
      return { saved: true, evicted };
    } catch (error) {
      if (isQuotaExceeded(error)) return { saved: false, evicted, why: 'quota' };
      throw error;
    }
  } catch (error) {
    return { saved: false, evicted, why: 'failed', error };
  }
}
