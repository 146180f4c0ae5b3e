/**
 * What the page offers to branch from, from the worker's checkpoint index (no weights read): "Branch
 * from epoch k" of a run goes to the run that trained that state (a branch's epochs before its branch
 * point are its ancestors', runTree.ts's `branchPointOwner`), and is offered only where that run's
 * checkpoint after k epochs is stored. Without React, so it is tested on its own.
 */
import { summarizeArchive, type ArchivedRunSummary, type CheckpointIndexEntry } from '../../shared/checkpointIndex';
import type { BranchPoint } from '../../shared/protocol';
import { branchPointOwner } from './runTree';
import type { RunRecord } from './runTypes';

/** Each run's part of the archive, by run id. */
export function archiveByRun(entries: readonly CheckpointIndexEntry[]): Map<string, ArchivedRunSummary> {
  return new Map(summarizeArchive(entries).map((run) => [run.runId, run]));
}

/**
 * Where "Branch from epoch `epoch`" of run `runId` starts: the owning run's stored checkpoint; failing
 * that, the run's own copy of it (a branch keeps its branch point); null when neither is stored
 * (dropped, evicted, never saved) or the owner was deleted.
 */
export function branchOffers(runs: readonly RunRecord[], archived: ReadonlyMap<string, ArchivedRunSummary>): (runId: string, epoch: number) => BranchPoint | null {
  const stored = (point: BranchPoint | null) => point !== null && archived.get(point.runId)?.branchEpochs.includes(point.epoch) === true;
  return (runId, epoch) => {
    const owner = branchPointOwner(runs, runId, epoch);
    const own = { runId, epoch };
    if (owner && stored(owner)) return { runId: owner.runId, epoch: owner.epoch };
    return stored(own) ? own : null;
  };
}

/** Ascending epochs as ranges: [0, 1, 2, 3, 5, 7, 8] → "0–3, 5, 7–8". */
export function epochRanges(epochs: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < epochs.length; i++) {
    let end = i;
    while (end + 1 < epochs.length && epochs[end + 1] === epochs[end] + 1) end++;
    parts.push(end > i ? `${epochs[i]}–${epochs[end]}` : String(epochs[i]));
    i = end;
  }
  return parts.join(', ');
}
