import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../../shared/config';
import { openRunStore, RUN_DB_NAME, RUN_STORE_NAME } from './runStore';
import type { RunRecord } from './runTypes';

function makeRun(id: string, createdAt: number, overrides: Partial<RunRecord> = {}, config: Record<string, unknown> = {}): RunRecord {
  return {
    id,
    createdAt,
    config: { ...DEFAULT_CONFIG, ...config } as TrainConfig,
    epochs: [
      { epoch: 1, epochs: 2, loss: 0.5, trainAccuracy: 90, testAccuracy: 95, learningRate: 1e-3, trainSeconds: 3, evalSeconds: 1, samplesPerSecond: 2e4, stepMilliseconds: 4.5 },
    ],
    batchLoss: [
      { step: 0, x: 0, loss: 2.3 },
      { step: 1, x: 0.5, loss: 2.1 },
    ],
    liveChanges: [{ step: 1, x: 0.5, epoch: 1, batch: 2, changes: [{ field: 'lr', from: 1e-3, to: 3e-3 }], learningRate: 3e-3 }],
    hidden: false,
    status: 'done',
    ...overrides,
  };
}

describe('openRunStore with IndexedDB', () => {
  it('round-trips runs, oldest first', async () => {
    const store = await openRunStore(new IDBFactory());
    expect(store.persistent).toBe(true);
    const newer = makeRun('b', 2000, { name: 'second, "quoted"', hidden: true, status: 'stopped' }, { optimizer: 'adamw', weightDecay: 1e-2 });
    const older = makeRun('a', 1000);
    await store.put(newer);
    await store.put(older);
    expect(await store.list()).toEqual([older, newer]);
    store.close();
  });

  it('replaces a run put again under the same id', async () => {
    const store = await openRunStore(new IDBFactory());
    const run = makeRun('a', 1000, { status: 'running' });
    await store.put(run);
    const finished = { ...run, status: 'done' as const, batchLoss: [...run.batchLoss, { step: 2, x: 1, loss: 1.9 }] };
    await store.put(finished);
    expect(await store.list()).toEqual([finished]);
    store.close();
  });

  it('is seen by a store opened later on the same database', async () => {
    const factory = new IDBFactory();
    const first = await openRunStore(factory);
    await first.put(makeRun('a', 1));
    await first.put(makeRun('b', 2));
    first.close();
    const second = await openRunStore(factory);
    expect((await second.list()).map((run) => run.id)).toEqual(['a', 'b']);
    second.close();
  });

  it('deletes one run and clears all', async () => {
    const store = await openRunStore(new IDBFactory());
    await store.put(makeRun('a', 1));
    await store.put(makeRun('b', 2));
    await store.put(makeRun('c', 3));
    await store.delete('b');
    expect((await store.list()).map((run) => run.id)).toEqual(['a', 'c']);
    await store.delete('missing');
    await store.clear();
    expect(await store.list()).toEqual([]);
    store.close();
  });

  it('keeps a 50-epoch run of batch losses exactly, as typed arrays on disk', async () => {
    const factory = new IDBFactory();
    const store = await openRunStore(factory);
    const batchLoss = Array.from({ length: 23_450 }, (_, step) => ({ step, x: step / 469, loss: 2.3 * Math.exp(-step / 5000) + Math.random() * 0.01 }));
    const run = makeRun('big', 1, { batchLoss });
    await store.put(run);
    const [loaded] = await store.list();
    expect(loaded.batchLoss).toEqual(batchLoss);
    store.close();

    const raw = await readRaw(factory, 'big');
    expect(raw.batchLossValues).toBeInstanceOf(Float64Array);
    expect(raw).not.toHaveProperty('batchLoss');
  });

  it('fills config fields a saved run predates with their defaults', async () => {
    const factory = new IDBFactory();
    const store = await openRunStore(factory);
    const oldConfig: Partial<TrainConfig> = { ...DEFAULT_CONFIG };
    delete oldConfig.dropout;
    await store.put(makeRun('old', 1, { config: oldConfig as TrainConfig }));
    const [loaded] = await store.list();
    expect(loaded.config).toEqual(DEFAULT_CONFIG);
    store.close();
  });

  it("keeps a branch's origin, a deleted parent's name and settings included, and shows a damaged origin as a root", async () => {
    const factory = new IDBFactory();
    const store = await openRunStore(factory);
    const branch = makeRun('b', 2, { parent: { runId: 'a', epoch: 3 } });
    const orphan = makeRun('o', 3, { parent: { runId: 'gone', epoch: 0, deleted: { name: 'Run 1', config: { ...DEFAULT_CONFIG, lr: 1e-2 } } } });
    await store.put(branch);
    await store.put(orphan);
    await writeRaw(factory, { ...makeRun('bad', 4), batchLossSteps: [], batchLossX: [], batchLossValues: [], parent: { runId: 'a', epoch: -1 } });
    const loaded = await store.list();
    expect(loaded.slice(0, 2)).toEqual([branch, orphan]);
    expect(loaded[2].id).toBe('bad');
    expect(loaded[2]).not.toHaveProperty('parent');
    store.close();
  });

  it('skips records it cannot read instead of failing the list', async () => {
    const factory = new IDBFactory();
    const store = await openRunStore(factory);
    await store.put(makeRun('good', 1));
    await writeRaw(factory, { id: 'junk', createdAt: 'yesterday' });
    expect((await store.list()).map((run) => run.id)).toEqual(['good']);
    store.close();
  });
});

describe('openRunStore without IndexedDB', () => {
  const throwing = {
    open: () => {
      throw new DOMException('The user denied permission to access the database.', 'SecurityError');
    },
  } as unknown as IDBFactory;

  it('falls back to memory when open throws', async () => {
    const store = await openRunStore(throwing);
    expect(store.persistent).toBe(false);
    const run = makeRun('a', 1);
    await store.put(run);
    await store.put(makeRun('b', 0));
    expect((await store.list()).map((r) => r.id)).toEqual(['b', 'a']);
    await store.delete('b');
    expect(await store.list()).toEqual([run]);
    await store.clear();
    expect(await store.list()).toEqual([]);
  });

  it('falls back to memory when open reports an error', async () => {
    const factory = new IDBFactory();
    // A database already at a newer version makes our open fail with a VersionError.
    await new Promise<void>((resolve, reject) => {
      const request = factory.open(RUN_DB_NAME, 99);
      request.onsuccess = () => {
        request.result.close();
        resolve();
      };
      request.onerror = () => reject(request.error);
    });
    const store = await openRunStore(factory);
    expect(store.persistent).toBe(false);
  });

  it('falls back to memory when open never answers', async () => {
    const silent = { open: () => ({}) } as unknown as IDBFactory;
    const store = await openRunStore(silent, { openTimeoutMs: 10 });
    expect(store.persistent).toBe(false);
  });

  it('keeps its own copy of what was put', async () => {
    const store = await openRunStore(throwing);
    const run = makeRun('a', 1);
    await store.put(run);
    run.hidden = true;
    run.batchLoss.push({ step: 9, x: 9, loss: 9 });
    const [saved] = await store.list();
    expect(saved.hidden).toBe(false);
    expect(saved.batchLoss).toHaveLength(2);
  });
});

function withStore<T>(factory: IDBFactory, mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const open = factory.open(RUN_DB_NAME);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(RUN_STORE_NAME, mode);
      const request = work(tx.objectStore(RUN_STORE_NAME));
      tx.oncomplete = () => {
        db.close();
        resolve(request.result);
      };
      tx.onabort = () => reject(tx.error);
    };
  });
}

async function readRaw(factory: IDBFactory, id: string): Promise<Record<string, unknown>> {
  return (await withStore(factory, 'readonly', (store) => store.get(id))) as Record<string, unknown>;
}

async function writeRaw(factory: IDBFactory, value: Record<string, unknown>): Promise<void> {
  await withStore(factory, 'readwrite', (store) => store.put(value));
}
