/**
 * The checkpoint archive's index: one small record per stored checkpoint (no weights), so that listing,
 * storage accounting, the retention policy and the page's "Branch from epoch k" offers never load a
 * checkpoint's megabytes. The worker's archive (src/worker/checkpoint/checkpointArchive.ts) writes it;
 * the page receives it in events. Pure data and rules, shared by both sides.
 */
import type { CheckpointSummary } from './protocol';

/**
 * Where a checkpoint sits in its run's archive:
 * - `epoch`: the state at the end of an epoch (`epoch` epochs done; 0 is the run's initial weights),
 *   one per finished epoch: the branch points;
 * - `rolling`: one in-epoch state per run, replaced as the run goes on (every minute of training and on
 *   Pause, as the trainer decides), so a reload loses at most that much;
 * - `rollBack`: the run's pinned roll-back point, the last healthy state before its first loss spike.
 */
export type ArchiveSlot = 'epoch' | 'rolling' | 'rollBack';

export const ARCHIVE_SLOTS: readonly ArchiveSlot[] = ['epoch', 'rolling', 'rollBack'];

export interface CheckpointIndexEntry {
  runId: string;
  slot: ArchiveSlot;
  /** Epochs finished at this checkpoint (the checkpoint's 0-based epoch in progress); the key of an `epoch` slot. */
  epoch: number;
  /** Batches of the next epoch already trained (0 for an `epoch` slot). */
  batch: number;
  /** Optimizer steps since the run started: the run's position along its (linear) history. */
  step: number;
  /** The stored checkpoint's estimated size (see checkpointArchive.ts's `checkpointBytes`). */
  bytes: number;
  savedAt: number;
  reason: CheckpointSummary['reason'];
  /** When the run finished, if the archive was told; null while it may still be resumed. */
  finishedAt: number | null;
}

/** Two entries name the same stored checkpoint: the same run and slot, and for `epoch` slots the same epoch. */
export function sameSlot(a: Pick<CheckpointIndexEntry, 'runId' | 'slot' | 'epoch'>, b: Pick<CheckpointIndexEntry, 'runId' | 'slot' | 'epoch'>): boolean {
  return a.runId === b.runId && a.slot === b.slot && (a.slot !== 'epoch' || a.epoch === b.epoch);
}

/**
 * The stored checkpoints that writing `incoming` removes, among `entries` (any runs): the one in the same
 * slot; for an `epoch` or `rolling` save, every `epoch`/`rolling` checkpoint of the run further along
 * (a larger step: the run went back, by a roll-back, and that future was abandoned — its curves are
 * gone from the run too); and for an `epoch` save, the run's rolling checkpoint (an in-epoch state the
 * finished epoch supersedes). The pinned roll-back point is replaced only by another pin.
 * The archive deletes exactly these in the save's transaction; the retention policy counts their bytes
 * as freed by the save.
 */
export function entriesReplacedBy(entries: readonly CheckpointIndexEntry[], incoming: Pick<CheckpointIndexEntry, 'runId' | 'slot' | 'epoch' | 'step'>): CheckpointIndexEntry[] {
  return entries.filter((entry) => {
    if (entry.runId !== incoming.runId) return false;
    if (sameSlot(entry, incoming)) return true;
    if (incoming.slot === 'rollBack' || entry.slot === 'rollBack') return false;
    if (entry.step > incoming.step) return true;
    return incoming.slot === 'epoch' && entry.slot === 'rolling';
  });
}

/** One run's part of the archive. */
export interface ArchivedRunSummary {
  runId: string;
  bytes: number;
  checkpoints: number;
  /** The epochs it can be branched from (its `epoch` slots), ascending; empty: it can no longer be branched. */
  branchEpochs: number[];
  /** Its newest checkpoint's time. */
  lastSavedAt: number;
  finishedAt: number | null;
}

/** Per-run summaries of the index, runs in order of their newest checkpoint, oldest first. */
export function summarizeArchive(entries: readonly CheckpointIndexEntry[]): ArchivedRunSummary[] {
  const runs = new Map<string, ArchivedRunSummary>();
  for (const entry of entries) {
    const run = runs.get(entry.runId) ?? { runId: entry.runId, bytes: 0, checkpoints: 0, branchEpochs: [], lastSavedAt: -Infinity, finishedAt: entry.finishedAt };
    run.bytes += entry.bytes;
    run.checkpoints += 1;
    if (entry.slot === 'epoch') run.branchEpochs.push(entry.epoch);
    run.lastSavedAt = Math.max(run.lastSavedAt, entry.savedAt);
    runs.set(entry.runId, run);
  }
  for (const run of runs.values()) run.branchEpochs.sort((a, b) => a - b);
  return [...runs.values()].sort((a, b) => a.lastSavedAt - b.lastSavedAt || compareIds(a.runId, b.runId));
}

/** Bytes of all the entries, or of one run's. */
export function archiveBytes(entries: readonly CheckpointIndexEntry[], runId?: string): number {
  return entries.reduce((sum, entry) => (runId === undefined || entry.runId === runId ? sum + entry.bytes : sum), 0);
}

/**
 * What a reload continues: the furthest `epoch` or `rolling` checkpoint (largest step, then newest) of
 * the run saved to most recently, when that run is unfinished; null when it finished (or was
 * discarded), or the archive is empty. Only the newest run is offered, as the page's single "Saved
 * run": an older run left unfinished stays in the archive as branch points, and is not offered again
 * after a newer run finished. Pinned roll-back points are never resumed from: they are gone back to
 * on purpose.
 */
export function latestToResume(entries: readonly CheckpointIndexEntry[]): CheckpointIndexEntry | null {
  const resumable = entries.filter((entry) => entry.slot !== 'rollBack');
  const newest = resumable.reduce<CheckpointIndexEntry | null>((best, entry) => (best === null || entry.savedAt > best.savedAt ? entry : best), null);
  if (!newest || newest.finishedAt !== null) return null;
  return resumable
    .filter((entry) => entry.runId === newest.runId)
    .reduce((best, entry) => (entry.step > best.step || (entry.step === best.step && entry.savedAt > best.savedAt) ? entry : best));
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
