import { describe, expect, it } from 'vitest';
import { entriesReplacedBy, sameSlot, type CheckpointIndexEntry } from './checkpointIndex';
import { evictionOrder, isQuotaExceeded, planEviction, saveWithRetention, type IncomingCheckpoint, type RetentionStore } from './checkpointRetention';

const MB = 1_000_000;

/** Run `runId`'s `count` epoch checkpoints of 5 MB, the last saved at `savedAt`; finished at `finishedAt` when given. */
function run(runId: string, count: number, savedAt: number, finishedAt: number | null = null): CheckpointIndexEntry[] {
  return Array.from({ length: count }, (_, epoch) => ({
    runId,
    slot: 'epoch' as const,
    epoch,
    batch: 0,
    step: epoch * 469,
    bytes: 5 * MB,
    savedAt: savedAt - (count - 1 - epoch),
    reason: 'epoch' as const,
    finishedAt,
  }));
}

const epochSave = (runId: string, epoch: number, bytes = 5 * MB): IncomingCheckpoint => ({ runId, slot: 'epoch', epoch, step: epoch * 469, bytes });

describe('planEviction', () => {
  // Three finished runs, finished in the order b, a, c (a was saved to before b); one unfinished; the current one.
  const entries = [...run('a', 2, 100, 3000), ...run('b', 3, 200, 2000), ...run('c', 1, 300, 4000), ...run('paused', 2, 400), ...run('current', 2, 500)];
  const used = 10 * 5 * MB;

  it('drops nothing when the save fits', () => {
    expect(planEviction(entries, { usage: used, quota: used + 5 * MB }, epochSave('current', 2), 'current')).toEqual({
      fits: true,
      drop: [],
      neededBytes: 5 * MB,
      shortfallBytes: 0,
      freedBytes: 0,
    });
  });

  it('drops whole finished runs, the one finished longest ago first, never the current run', () => {
    const plan = planEviction(entries, { usage: used, quota: used }, epochSave('current', 2), 'current');
    expect(plan).toMatchObject({ fits: true, drop: ['b'], shortfallBytes: 5 * MB, freedBytes: 15 * MB });
    const more = planEviction(entries, { usage: used, quota: used - 16 * MB }, epochSave('current', 2), 'current');
    expect(more.drop).toEqual(['b', 'a']);
  });

  it('drops unfinished runs only after every finished one', () => {
    expect(evictionOrder(entries, ['current']).map((r) => r.runId)).toEqual(['b', 'a', 'c', 'paused']);
    const plan = planEviction(entries, { usage: used, quota: used - 26 * MB }, epochSave('current', 2), 'current');
    expect(plan.drop).toEqual(['b', 'a', 'c', 'paused']);
  });

  it('skips the save, dropping nothing, when even every other run would not make room', () => {
    const plan = planEviction(entries, { usage: used, quota: used - 41 * MB }, epochSave('current', 2), 'current');
    expect(plan).toMatchObject({ fits: false, drop: [], freedBytes: 0 });
    // Never the run being saved either, though the caller named another as current.
    expect(planEviction(run('solo', 3, 1, 5), { usage: 15 * MB, quota: 15 * MB }, epochSave('solo', 3), null)).toMatchObject({ fits: false, drop: [] });
  });

  it('counts what the save replaces as freed: a rolling checkpoint replacing the last one needs no room', () => {
    const rolling = { ...run('current', 1, 600)[0], slot: 'rolling' as const, epoch: 2, batch: 100, step: 2 * 469 + 100 };
    const withRolling = [...entries, rolling];
    const next: IncomingCheckpoint = { runId: 'current', slot: 'rolling', epoch: 2, step: 2 * 469 + 200, bytes: 5 * MB + 10 };
    expect(planEviction(withRolling, { usage: used, quota: used + 10 }, next, 'current')).toMatchObject({ fits: true, drop: [], neededBytes: 10 });
  });

  it('tries the save as is without an estimate', () => {
    expect(planEviction(entries, null, epochSave('current', 2, 1e12), 'current')).toMatchObject({ fits: true, drop: [] });
  });
});

describe('isQuotaExceeded', () => {
  it("recognizes the browsers' quota errors and nothing else", () => {
    expect(isQuotaExceeded(new DOMException('full', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaExceeded({ name: 'NS_ERROR_DOM_QUOTA_REACHED' })).toBe(true);
    expect(isQuotaExceeded({ name: 'Error', code: 22 })).toBe(true);
    expect(isQuotaExceeded(new DOMException('closing', 'InvalidStateError'))).toBe(false);
    expect(isQuotaExceeded(new Error('QuotaExceededError'))).toBe(false);
    expect(isQuotaExceeded(null)).toBe(false);
  });
});

/**
 * An archive in memory with a fixed capacity: a write that would pass it fails as IndexedDB does, with
 * a `QuotaExceededError` (counting the new bytes before those it replaces, as a transaction may).
 */
class FullStore implements RetentionStore<{ entry: CheckpointIndexEntry }> {
  entries: CheckpointIndexEntry[];
  writes = 0;
  failure: unknown = null;

  constructor(
    entries: CheckpointIndexEntry[],
    private readonly capacity: number,
  ) {
    this.entries = [...entries];
  }

  list = () => Promise.resolve([...this.entries]);

  deleteRun = (runId: string) => {
    this.entries = this.entries.filter((e) => e.runId !== runId);
    return Promise.resolve();
  };

  write = ({ entry }: { entry: CheckpointIndexEntry }) => {
    this.writes++;
    if (this.failure) return Promise.reject(this.failure);
    const used = this.entries.reduce((sum, e) => sum + e.bytes, 0);
    if (used + entry.bytes > this.capacity) return Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    const replaced = entriesReplacedBy(this.entries, entry);
    this.entries = [...this.entries.filter((e) => !replaced.includes(e) && !sameSlot(e, entry)), entry];
    return Promise.resolve();
  };

  runIds = () => [...new Set(this.entries.map((e) => e.runId))];
}

const prepared = (runId: string, epoch: number) => ({ entry: { ...run(runId, epoch + 1, 1000)[epoch] } });

describe('saveWithRetention', () => {
  const stored = () => [...run('a', 2, 100, 300), ...run('b', 2, 200, 250), ...run('current', 2, 400)];

  it('saves without dropping anything when there is room', async () => {
    const store = new FullStore(stored(), 100 * MB);
    expect(await saveWithRetention(store, prepared('current', 2), { currentRunId: 'current' })).toEqual({ saved: true, evicted: [] });
    expect(store.entries).toHaveLength(7);
  });

  it('after a quota error drops the oldest finished run and saves on the retry', async () => {
    const store = new FullStore(stored(), 30 * MB);
    expect(await saveWithRetention(store, prepared('current', 2), { currentRunId: 'current' })).toEqual({ saved: true, evicted: ['b'] });
    expect(store.writes).toBe(2);
    expect(store.runIds()).toEqual(['a', 'current']);
    expect(store.entries.filter((e) => e.runId === 'current')).toHaveLength(3);
  });

  it('makes room before writing when the estimate says the save will not fit', async () => {
    const store = new FullStore(stored(), 30 * MB);
    const estimate = () => Promise.resolve({ usage: 30 * MB, quota: 30 * MB });
    expect(await saveWithRetention(store, prepared('current', 2), { currentRunId: 'current', estimate })).toEqual({ saved: true, evicted: ['b'] });
    expect(store.writes).toBe(1);
  });

  it('retries only once: a second quota error skips the save and says what was dropped', async () => {
    // The estimate (wrongly) said there was room; even after dropping, something else holds the space.
    const store = new FullStore(stored(), 24 * MB);
    const estimate = () => Promise.resolve({ usage: 0, quota: 1e12 });
    expect(await saveWithRetention(store, prepared('current', 2), { currentRunId: 'current', estimate })).toEqual({ saved: false, evicted: ['b'], why: 'quota' });
    expect(store.writes).toBe(2);
    expect(store.runIds()).toEqual(['a', 'current']);
  });

  it('skips the save and drops nothing when only the current run is stored', async () => {
    const store = new FullStore(run('current', 4, 100), 20 * MB);
    expect(await saveWithRetention(store, prepared('current', 4), { currentRunId: 'current' })).toEqual({ saved: false, evicted: [], why: 'quota' });
    const estimate = () => Promise.resolve({ usage: 20 * MB, quota: 20 * MB });
    expect(await saveWithRetention(store, prepared('current', 4), { currentRunId: 'current', estimate })).toEqual({ saved: false, evicted: [], why: 'noRoom' });
    expect(store.entries).toHaveLength(4);
  });

  it('never throws: another storage failure is reported with its error, and a failing estimate is ignored', async () => {
    const store = new FullStore(stored(), 100 * MB);
    const closed = new DOMException('The database connection is closing.', 'InvalidStateError');
    store.failure = closed;
    const estimate = () => Promise.reject(new Error('no StorageManager'));
    expect(await saveWithRetention(store, prepared('current', 2), { currentRunId: 'current', estimate })).toEqual({ saved: false, evicted: [], why: 'failed', error: closed });
    expect(store.entries).toHaveLength(6);
  });
});
