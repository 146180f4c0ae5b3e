import { describe, expect, it } from 'vitest';
import { archiveBytes, entriesReplacedBy, latestToResume, summarizeArchive, type CheckpointIndexEntry } from './checkpointIndex';

/** An entry; `step` defaults to four steps an epoch. */
function entry(runId: string, slot: CheckpointIndexEntry['slot'], epoch: number, more: Partial<CheckpointIndexEntry> = {}): CheckpointIndexEntry {
  const batch = more.batch ?? 0;
  return { runId, slot, epoch, batch, step: epoch * 4 + batch, bytes: 100, savedAt: epoch * 10 + batch, reason: slot === 'epoch' ? 'epoch' : 'pause', finishedAt: null, ...more };
}

const names = (entries: CheckpointIndexEntry[]) => entries.map((e) => `${e.runId}:${e.slot === 'epoch' ? e.epoch : e.slot}`);

describe('entriesReplacedBy', () => {
  const stored = [
    entry('a', 'epoch', 0),
    entry('a', 'epoch', 1),
    entry('a', 'rolling', 1, { batch: 2 }),
    entry('a', 'rollBack', 1),
    entry('b', 'epoch', 2),
    entry('b', 'rolling', 2, { batch: 1 }),
  ];

  it("replaces the same slot only, and an epoch's save also the rolling checkpoint it supersedes", () => {
    expect(names(entriesReplacedBy(stored, { runId: 'a', slot: 'rolling', epoch: 1, step: 7 }))).toEqual(['a:rolling']);
    expect(names(entriesReplacedBy(stored, { runId: 'a', slot: 'epoch', epoch: 2, step: 8 }))).toEqual(['a:rolling']);
    expect(names(entriesReplacedBy(stored, { runId: 'a', slot: 'rollBack', epoch: 0, step: 0 }))).toEqual(['a:rollBack']);
    expect(names(entriesReplacedBy(stored, { runId: 'c', slot: 'epoch', epoch: 1, step: 4 }))).toEqual([]);
  });

  it("drops a run's abandoned future when it saves from an earlier step, keeping its pin", () => {
    expect(names(entriesReplacedBy(stored, { runId: 'a', slot: 'rolling', epoch: 0, step: 2 }))).toEqual(['a:1', 'a:rolling']);
    expect(names(entriesReplacedBy(stored, { runId: 'b', slot: 'epoch', epoch: 0, step: 0 }))).toEqual(['b:2', 'b:rolling']);
  });
});

describe('summaries', () => {
  const entries = [
    entry('a', 'epoch', 2, { bytes: 5 }),
    entry('a', 'epoch', 0, { bytes: 7 }),
    entry('b', 'rolling', 0, { batch: 3, bytes: 11, finishedAt: 99 }),
    entry('a', 'rollBack', 0, { bytes: 13, savedAt: 500 }),
  ];

  it('sums bytes per run and in total, lists branch epochs, oldest run first', () => {
    expect(summarizeArchive(entries)).toEqual([
      { runId: 'b', bytes: 11, checkpoints: 1, branchEpochs: [], lastSavedAt: 3, finishedAt: 99 },
      { runId: 'a', bytes: 25, checkpoints: 3, branchEpochs: [0, 2], lastSavedAt: 500, finishedAt: null },
    ]);
    expect(archiveBytes(entries)).toBe(36);
    expect(archiveBytes(entries, 'a')).toBe(25);
    expect(archiveBytes(entries, 'gone')).toBe(0);
    expect(summarizeArchive([])).toEqual([]);
  });
});

describe('latestToResume', () => {
  it('takes the furthest checkpoint of the run saved to last, never a pin, and nothing once that run finished', () => {
    const older = [entry('old', 'epoch', 1), entry('old', 'rolling', 1, { batch: 3 })];
    const newer = [entry('new', 'epoch', 2, { savedAt: 50 }), entry('new', 'epoch', 3, { savedAt: 40 }), entry('new', 'rollBack', 0, { savedAt: 60 })];
    expect(latestToResume([...older, ...newer])).toMatchObject({ runId: 'new', epoch: 3 });
    // The newest run finished: an older unfinished one is not offered in its place.
    expect(latestToResume([...older, ...newer.map((e) => ({ ...e, finishedAt: 70 }))])).toBeNull();
    expect(latestToResume(older)).toMatchObject({ runId: 'old', slot: 'rolling' });
    expect(latestToResume([entry('pinned', 'rollBack', 0)])).toBeNull();
    expect(latestToResume([])).toBeNull();
  });
});
