import { describe, expect, it } from 'vitest';
import type { CheckpointIndexEntry } from '../../shared/checkpointIndex';
import { DEFAULT_CONFIG } from '../../shared/config';
import { archiveByRun, branchOffers, epochRanges } from './branchPoints';
import type { RunRecord } from './runTypes';

const run = (id: string, createdAt: number, parent?: RunRecord['parent']): RunRecord => ({
  id,
  createdAt,
  config: { ...DEFAULT_CONFIG },
  epochs: [],
  batchLoss: [],
  liveChanges: [],
  hidden: false,
  status: 'done',
  ...(parent ? { parent } : {}),
});

const entry = (runId: string, slot: CheckpointIndexEntry['slot'], epoch: number): CheckpointIndexEntry => ({
  runId,
  slot,
  epoch,
  batch: slot === 'epoch' ? 0 : 3,
  step: epoch * 10,
  bytes: 5,
  savedAt: epoch,
  reason: 'epoch',
  finishedAt: null,
});

describe('branchOffers', () => {
  // a trained epochs 0–3; b branched from a at 2 and stored its start (2) and epoch 3; c's checkpoints were dropped.
  const runs = [run('a', 1), run('b', 2, { runId: 'a', epoch: 2 }), run('c', 3), run('orphan', 4, { runId: 'gone', epoch: 1 })];
  const archived = archiveByRun([
    ...[0, 1, 2, 3].map((e) => entry('a', 'epoch', e)),
    entry('a', 'rollBack', 1),
    entry('b', 'epoch', 2),
    entry('b', 'epoch', 3),
    entry('b', 'rolling', 3),
    entry('orphan', 'epoch', 1),
  ]);
  const offer = branchOffers(runs, archived);

  it("offers a run's stored epochs, and a branch's inherited epochs (its branch point too) from the ancestor that trained them", () => {
    expect(offer('a', 0)).toEqual({ runId: 'a', epoch: 0 });
    expect(offer('b', 1)).toEqual({ runId: 'a', epoch: 1 });
    expect(offer('b', 2)).toEqual({ runId: 'a', epoch: 2 });
    expect(offer('b', 3)).toEqual({ runId: 'b', epoch: 3 });
  });

  it("falls back on a branch's own copy of its branch point when the parent's is gone", () => {
    const dropped = archiveByRun([entry('a', 'epoch', 0), entry('b', 'epoch', 2), entry('b', 'epoch', 3)]);
    expect(branchOffers(runs, dropped)('b', 2)).toEqual({ runId: 'b', epoch: 2 });
    expect(branchOffers(runs, dropped)('b', 1)).toBeNull();
  });

  it('offers nothing where the checkpoint is gone, the owner was deleted, or the run is unknown', () => {
    expect(offer('b', 4)).toBeNull();
    expect(offer('c', 0)).toBeNull();
    expect(offer('orphan', 0)).toBeNull();
    expect(offer('orphan', 1)).toEqual({ runId: 'orphan', epoch: 1 });
    expect(offer('nope', 0)).toBeNull();
  });
});

describe('epochRanges', () => {
  it('writes runs of consecutive epochs as ranges', () => {
    expect(epochRanges([0, 1, 2, 3, 5, 7, 8])).toBe('0–3, 5, 7–8');
    expect(epochRanges([4])).toBe('4');
    expect(epochRanges([])).toBe('');
  });
});
