import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { paramLayouts } from '../../shared/arch/paramLayouts';
import { saveWithRetention } from '../../shared/checkpointRetention';
import type { TrainingCheckpoint } from './checkpoint';
import {
  ARCHIVE_DB_NAME,
  DATA_STORE,
  LEGACY_STORE,
  checkpointBytes,
  openCheckpointArchive,
  prepareCheckpoint,
  type CheckpointArchive,
  type LoadOutcome,
  type PreparedCheckpoint,
} from './checkpointArchive';
import { fakeCheckpoint as checkpoint, type At } from './testing/fakeCheckpoint';

/**
 * `actual` is `expected`: typed arrays compared as bytes (a deep equality walks their 1.2 M elements one
 * by one, for seconds), the rest deeply.
 */
function expectSameCheckpoint(actual: unknown, expected: TrainingCheckpoint): void {
  const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const names = paramLayouts(expected.config.arch).map((layout) => layout.name);
  const arrays = (c: TrainingCheckpoint) => [
    ...names.map((name) => c.params[name]),
    ...names.flatMap((name) => Object.values(c.optimizer.slots[name])),
    ...(c.order ? [c.order] : []),
  ];
  const rest = ({ params: _p, optimizer: { slots: _s, ...optimizer }, ...c }: TrainingCheckpoint) => ({ ...c, optimizer });
  const checkpoint = actual as TrainingCheckpoint;
  expect(rest(checkpoint)).toEqual(rest(expected));
  const actualArrays = arrays(checkpoint);
  expect(actualArrays.map((a) => a.constructor)).toEqual(arrays(expected).map((a) => a.constructor));
  arrays(expected).forEach((array, i) => expect(bytes(actualArrays[i]).equals(bytes(array))).toBe(true));
}

function expectLoaded(outcome: LoadOutcome, expected: TrainingCheckpoint): void {
  expect(outcome.status).toBe('loaded');
  if (outcome.status === 'loaded') expectSameCheckpoint(outcome.checkpoint, expected);
}

async function open(factory = new IDBFactory()): Promise<CheckpointArchive> {
  const opened = await openCheckpointArchive(factory);
  if (!opened.archive) throw new Error(opened.reason);
  return opened.archive;
}

async function saveAll(archive: CheckpointArchive, saves: [At, 'epoch' | 'rolling' | 'rollBack'][]): Promise<void> {
  for (const [at, slot] of saves) expect(await archive.save(checkpoint(at), slot)).toMatchObject({ saved: true });
}

const slots = (entries: { slot: string; epoch: number }[]) => entries.map((e) => (e.slot === 'epoch' ? e.epoch : e.slot));

/** Runs `work` on one object store of the archive's database, as another program (or a tamperer) would. */
function raw<T>(factory: IDBFactory, name: string, version: number | undefined, work: (store: IDBObjectStore) => IDBRequest<T>, upgrade?: (db: IDBDatabase) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = version === undefined ? factory.open(name) : factory.open(name, version);
    request.onupgradeneeded = () => upgrade?.(request.result);
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      const storeName = db.objectStoreNames.contains(DATA_STORE) ? DATA_STORE : LEGACY_STORE;
      const tx = db.transaction(storeName, 'readwrite');
      const result = work(tx.objectStore(storeName));
      tx.oncomplete = () => {
        db.close();
        resolve(result.result);
      };
      tx.onabort = () => reject(tx.error);
    };
  });
}

describe('checkpoint archive', () => {
  it('keeps one checkpoint per epoch, epoch 0 included, and returns each as it was saved', async () => {
    const archive = await open();
    const saved = [0, 1, 2].map((epoch) => checkpoint({ runId: 'a', epoch, reason: epoch === 0 ? 'start' : 'epoch' }));
    for (const c of saved) await archive.save(c, 'epoch');
    for (const c of saved) expectLoaded(await archive.load({ runId: 'a', slot: 'epoch', epoch: c.epoch }), c);
    const entries = await archive.list('a');
    expect(entries.map(({ slot, epoch, step, reason, finishedAt }) => ({ slot, epoch, step, reason, finishedAt }))).toEqual([
      { slot: 'epoch', epoch: 0, step: 0, reason: 'start', finishedAt: null },
      { slot: 'epoch', epoch: 1, step: 4, reason: 'epoch', finishedAt: null },
      { slot: 'epoch', epoch: 2, step: 8, reason: 'epoch', finishedAt: null },
    ]);
    expect(entries.map((e) => e.bytes)).toEqual(saved.map(checkpointBytes));
    expect(entries[0]).not.toHaveProperty('params');
    expect(await archive.load({ runId: 'a', slot: 'epoch', epoch: 3 })).toEqual({ status: 'missing' });
    archive.close();
  });

  it('never writes a checkpoint that fails validation: the healthy one in its slot stays', async () => {
    const archive = await open();
    const healthy = checkpoint({ runId: 'a', epoch: 1, batch: 2 });
    await archive.save(healthy, 'rolling');
    const diverged = checkpoint({ runId: 'a', epoch: 1, batch: 3 });
    diverged.params['fc1.weight'][17] = Number.NaN;
    expect(await archive.save(diverged, 'rolling')).toMatchObject({ saved: false, problem: { kind: 'weightNonFinite', name: 'fc1.weight' } });
    expectLoaded(await archive.load({ runId: 'a', slot: 'rolling' }), healthy);
    // An epoch slot takes only an epoch's boundary: a mid-epoch state there would branch from the wrong point.
    expect(await archive.save(checkpoint({ runId: 'a', epoch: 1, batch: 1 }), 'epoch')).toMatchObject({ saved: false, problem: { kind: 'position' } });
    expect(slots(await archive.list())).toEqual(['rolling']);
    archive.close();
  });

  it('refuses a stored checkpoint that is damaged, or is not the one its key names, with the reason', async () => {
    const factory = new IDBFactory();
    const archive = await open(factory);
    await archive.save(checkpoint({ runId: 'a', epoch: 1 }), 'epoch');
    await archive.save(checkpoint({ runId: 'a', epoch: 2 }), 'epoch');
    await archive.save(checkpoint({ runId: 'b', epoch: 1 }), 'epoch');

    const truncated = checkpoint({ runId: 'a', epoch: 1 });
    truncated.params['conv2.weight'] = truncated.params['conv2.weight'].subarray(0, 100);
    await raw(factory, ARCHIVE_DB_NAME, undefined, (store) => store.put(truncated, ['a', 1]));
    expect(await archive.load({ runId: 'a', slot: 'epoch', epoch: 1 })).toMatchObject({ status: 'refused', problem: { kind: 'weightSize', name: 'conv2.weight' } });

    await raw(factory, ARCHIVE_DB_NAME, undefined, (store) => store.put({ ...checkpoint({ runId: 'a', epoch: 2 }), version: 0 }, ['a', 2]));
    const refused = await archive.load({ runId: 'a', slot: 'epoch', epoch: 2 });
    expect(refused).toMatchObject({ status: 'refused', problem: { kind: 'version', version: '0' } });
    expect(refused.status === 'refused' && refused.error).toContain('version 0');

    await raw(factory, ARCHIVE_DB_NAME, undefined, (store) => store.put(checkpoint({ runId: 'a', epoch: 1 }), ['b', 1]));
    expect(await archive.load({ runId: 'b', slot: 'epoch', epoch: 1 })).toMatchObject({ status: 'refused', problem: { kind: 'noRun' } });
    await raw(factory, ARCHIVE_DB_NAME, undefined, (store) => store.put(checkpoint({ runId: 'b', epoch: 2 }), ['b', 1]));
    expect(await archive.load({ runId: 'b', slot: 'epoch', epoch: 1 })).toMatchObject({ status: 'refused', problem: { kind: 'position' } });
    archive.close();
  });

  it('keeps one rolling checkpoint per run, dropped when the epoch it was in is saved', async () => {
    const archive = await open();
    await saveAll(archive, [
      [{ runId: 'a', epoch: 0 }, 'epoch'],
      [{ runId: 'a', epoch: 0, batch: 1 }, 'rolling'],
      [{ runId: 'b', epoch: 0, batch: 2 }, 'rolling'],
      [{ runId: 'a', epoch: 0, batch: 3 }, 'rolling'],
    ]);
    expect(await archive.load({ runId: 'a', slot: 'rolling' })).toMatchObject({ status: 'loaded', checkpoint: { batch: 3 } });
    expect(slots(await archive.list('a'))).toEqual([0, 'rolling']);
    await saveAll(archive, [[{ runId: 'a', epoch: 1 }, 'epoch']]);
    expect(slots(await archive.list('a'))).toEqual([0, 1]);
    expect(slots(await archive.list('b'))).toEqual(['rolling']);
    archive.close();
  });

  it('drops the abandoned future when a run goes back, but not its pinned roll-back point', async () => {
    const archive = await open();
    await saveAll(archive, [
      [{ runId: 'a', epoch: 0 }, 'epoch'],
      [{ runId: 'a', epoch: 1 }, 'epoch'],
      [{ runId: 'a', epoch: 1 }, 'rollBack'],
      [{ runId: 'a', epoch: 2 }, 'epoch'],
      [{ runId: 'a', epoch: 3 }, 'epoch'],
      [{ runId: 'a', epoch: 3, batch: 2 }, 'rolling'],
    ]);
    // Rolled back to the pin (epoch 1, step 4): the trainer saves it as where the run now stands.
    await saveAll(archive, [[{ runId: 'a', epoch: 1, savedAt: 9000 }, 'rolling']]);
    expect(slots(await archive.list('a'))).toEqual([0, 1, 'rollBack', 'rolling']);
    expect((await archive.latestToResume())?.slot).toBe('rolling');
    archive.close();
  });

  it('accounts bytes per run and in total from the index, and deletes one run entirely', async () => {
    const archive = await open();
    await saveAll(archive, [
      [{ runId: 'a', epoch: 0 }, 'epoch'],
      [{ runId: 'a', epoch: 1 }, 'epoch'],
      [{ runId: 'b', epoch: 0 }, 'epoch'],
      [{ runId: 'b', epoch: 0, batch: 2 }, 'rolling'],
      [{ runId: 'b', epoch: 0 }, 'rollBack'],
    ]);
    await archive.markFinished('a', 5000);
    const sizeOf = (at: At) => checkpointBytes(checkpoint(at));
    const bytesA = sizeOf({ runId: 'a', epoch: 0 }) + sizeOf({ runId: 'a', epoch: 1 });
    const bytesB = 2 * sizeOf({ runId: 'b', epoch: 0 }) + sizeOf({ runId: 'b', epoch: 0, batch: 2 });
    expect(await archive.bytes('a')).toBe(bytesA);
    expect(await archive.bytes()).toBe(bytesA + bytesB);
    expect(bytesA).toBeGreaterThan(2 * 3 * 4 * 390_410);
    expect(await archive.runs()).toMatchObject([
      { runId: 'b', checkpoints: 3, branchEpochs: [0], finishedAt: null },
      { runId: 'a', checkpoints: 2, branchEpochs: [0, 1], finishedAt: 5000 },
    ]);

    await archive.deleteRun('a');
    expect(await archive.list('a')).toEqual([]);
    expect(await archive.load({ runId: 'a', slot: 'epoch', epoch: 1 })).toEqual({ status: 'missing' });
    expect(await archive.bytes()).toBe(bytesB);
    // Nothing of it is left: a new run under the same id starts unfinished.
    await saveAll(archive, [[{ runId: 'a', epoch: 0, savedAt: 1 }, 'epoch']]);
    expect((await archive.list('a'))[0].finishedAt).toBeNull();
    archive.close();
  });

  it('resumes the newest run at its furthest checkpoint while it is unfinished; finishing it takes it out', async () => {
    const archive = await open();
    expect(await archive.latestToResume()).toBeNull();
    await saveAll(archive, [
      [{ runId: 'old', epoch: 0, savedAt: 100 }, 'epoch'],
      [{ runId: 'old', epoch: 1, batch: 2, savedAt: 200 }, 'rolling'],
      [{ runId: 'new', epoch: 0, savedAt: 300 }, 'epoch'],
      [{ runId: 'new', epoch: 1, savedAt: 400 }, 'epoch'],
      [{ runId: 'new', epoch: 0, savedAt: 500 }, 'rollBack'],
    ]);
    expect(await archive.latestToResume()).toMatchObject({ runId: 'new', slot: 'epoch', epoch: 1 });
    // The newest run finished: nothing is offered, not the older run left unfinished (it stays as branch points).
    await archive.markFinished('new', 600);
    expect(await archive.latestToResume()).toBeNull();
    await archive.markFinished('old', 700);
    expect(slots(await archive.list('old'))).toEqual([0]);
    // Continued after finishing (a roll-back): unfinished again.
    await saveAll(archive, [[{ runId: 'new', epoch: 0, batch: 1, savedAt: 800 }, 'rolling']]);
    expect(await archive.latestToResume()).toMatchObject({ runId: 'new', slot: 'rolling' });
    // A run with no checkpoints is not recorded as finished.
    await archive.markFinished('ghost');
    expect(await archive.runs()).toHaveLength(2);
    archive.close();
  });

  it('removes one checkpoint', async () => {
    const archive = await open();
    await saveAll(archive, [
      [{ runId: 'a', epoch: 1 }, 'epoch'],
      [{ runId: 'a', epoch: 1 }, 'rollBack'],
    ]);
    await archive.remove({ runId: 'a', slot: 'rollBack' });
    expect(slots(await archive.list())).toEqual([1]);
    expect(await archive.load({ runId: 'a', slot: 'rollBack' })).toEqual({ status: 'missing' });
    archive.close();
  });

  it('makes room by dropping the oldest finished run when the browser reports the quota exceeded', async () => {
    const archive = await open();
    await saveAll(archive, [
      [{ runId: 'older', epoch: 0, savedAt: 5 }, 'epoch'],
      [{ runId: 'older', epoch: 1, savedAt: 10 }, 'epoch'],
      [{ runId: 'newer', epoch: 1, savedAt: 20 }, 'epoch'],
      [{ runId: 'current', epoch: 0, savedAt: 30 }, 'epoch'],
    ]);
    await archive.markFinished('older', 40);
    await archive.markFinished('newer', 50);
    let refusals = 1;
    const full = {
      ...archive,
      write: (prepared: PreparedCheckpoint) => (refusals-- > 0 ? Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError')) : archive.write(prepared)),
    };
    const next = prepareCheckpoint(checkpoint({ runId: 'current', epoch: 1, savedAt: 60 }), 'epoch');
    if (!next.ok) throw new Error(next.error);
    expect(await saveWithRetention(full, next.prepared, { currentRunId: 'current' })).toEqual({ saved: true, evicted: ['older'] });
    expect((await archive.runs()).map((run) => [run.runId, run.branchEpochs])).toEqual([
      ['newer', [1]],
      ['current', [0, 1]],
    ]);
    archive.close();
  });
});

describe('the upgrade from the two-slot store (version 1)', () => {
  /** Writes version 1's database as its store did: object store `checkpoints`, out-of-line keys. */
  async function writeVersion1(factory: IDBFactory, slots: Partial<Record<'latest' | 'rollBack', unknown>>): Promise<void> {
    for (const [slot, value] of Object.entries(slots))
      await raw(factory, ARCHIVE_DB_NAME, 1, (store) => store.put(value, slot), (db) => db.createObjectStore(LEGACY_STORE));
  }

  it("carries over the old store's checkpoints, so a run saved before the update resumes after it", async () => {
    const factory = new IDBFactory();
    const paused = checkpoint({ runId: 'r', epoch: 2, batch: 3 });
    const pinned = checkpoint({ runId: 'r', epoch: 1, reason: 'epoch' });
    await writeVersion1(factory, { latest: paused, rollBack: pinned });

    const opened = await openCheckpointArchive(factory);
    if (!opened.archive) throw new Error(opened.reason);
    const { archive, migration } = opened;
    expect(migration.refused).toEqual([]);
    expect(slots(migration.moved)).toEqual(['rolling', 'rollBack']);
    expect(await archive.latestToResume()).toMatchObject({ runId: 'r', slot: 'rolling', epoch: 2, batch: 3 });
    expectLoaded(await archive.load({ runId: 'r', slot: 'rolling' }), paused);
    expectLoaded(await archive.load({ runId: 'r', slot: 'rollBack' }), pinned);
    archive.close();

    // The old store is gone (no second copy counts against the quota); reopening migrates nothing again.
    const names = await new Promise<string[]>((resolve) => {
      const request = factory.open(ARCHIVE_DB_NAME);
      request.onsuccess = () => {
        resolve([...request.result.objectStoreNames]);
        request.result.close();
      };
    });
    expect(names).not.toContain(LEGACY_STORE);
    const again = await openCheckpointArchive(factory);
    expect(again.archive && again.migration).toEqual({ moved: [], refused: [] });
    again.archive?.close();
  });

  it("files an epoch's checkpoint under its epoch, and reports one it cannot use instead of moving it", async () => {
    const factory = new IDBFactory();
    const broken = checkpoint({ runId: 'r', epoch: 1 });
    broken.optimizer.slots['fc2.bias'] = {};
    await writeVersion1(factory, { latest: checkpoint({ runId: 'r', epoch: 2 }), rollBack: broken });
    const opened = await openCheckpointArchive(factory);
    if (!opened.archive) throw new Error(opened.reason);
    expect(opened.migration.moved).toMatchObject([{ slot: 'epoch', epoch: 2 }]);
    expect(opened.migration.refused).toEqual([{ slot: 'rollBack', problem: { kind: 'optimizerSize', name: 'fc2.bias', slot: 'exp_avg' } }]);
    expect(await opened.archive.runs()).toMatchObject([{ runId: 'r', branchEpochs: [2] }]);
    opened.archive.close();
  });

  it('gives up while a tab of the previous version holds the database open, leaving its data intact', async () => {
    const factory = new IDBFactory();
    const paused = checkpoint({ runId: 'r', epoch: 0, batch: 1 });
    await writeVersion1(factory, { latest: paused });
    // The previous app's tab: version 1 open, and (as its store did) no answer to a version change.
    const oldTab = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(ARCHIVE_DB_NAME, 1);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });

    const opened = await openCheckpointArchive(factory);
    expect(opened.archive).toBeNull();
    expect(!opened.archive && opened.reason).toMatch(/blocked/);
    const stillThere = await new Promise<unknown>((resolve) => {
      const request = oldTab.transaction(LEGACY_STORE).objectStore(LEGACY_STORE).get('latest');
      request.onsuccess = () => resolve(request.result);
    });
    expectSameCheckpoint(stillThere, paused);
    oldTab.close();
  });
});
