import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { StorageFigures } from '../../shared/checkpointRetention';
import type { WorkerEvent } from '../../shared/protocol';
import { checkpointBytes, openCheckpointArchive, type CheckpointArchive, type PreparedCheckpoint } from './checkpointArchive';
import { CheckpointKeeper, slotOf } from './checkpointKeeper';
import { fakeCheckpoint } from './testing/fakeCheckpoint';

async function openArchive(): Promise<CheckpointArchive> {
  const opened = await openCheckpointArchive(new IDBFactory());
  if (!opened.archive) throw new Error(opened.reason);
  return opened.archive;
}

/** A keeper on `archive` whose events are collected; `figures` is what the storage estimate says. */
function keeperOn(archive: CheckpointArchive, figures: () => StorageFigures | null = () => null) {
  const events: WorkerEvent[] = [];
  const keeper = new CheckpointKeeper(archive, (event) => events.push(event), () => Promise.resolve(figures()));
  return { keeper, events };
}

const ofType = <T extends WorkerEvent['type']>(events: WorkerEvent[], type: T) => events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type);

/** Every run's checkpoint epochs (or slot names), as the index lists them. */
async function stored(archive: CheckpointArchive): Promise<Record<string, (number | string)[]>> {
  const out: Record<string, (number | string)[]> = {};
  for (const entry of await archive.list()) (out[entry.runId] ??= []).push(entry.slot === 'epoch' ? entry.epoch : entry.slot);
  return out;
}

describe('slotOf', () => {
  it("files an epoch's boundary as that epoch, anything within an epoch (a pause at its first batch too) as rolling", () => {
    expect(slotOf({ batch: 0, order: null })).toBe('epoch');
    expect(slotOf({ batch: 3, order: new Uint32Array(4) })).toBe('rolling');
    expect(slotOf({ batch: 0, order: new Uint32Array(4) })).toBe('rolling');
  });
});

describe('CheckpointKeeper', () => {
  it('tells the page what a reload resumes after each save, and the index with the storage figures and the write', async () => {
    const archive = await openArchive();
    const { keeper, events } = keeperOn(archive, () => ({ usage: 7, quota: 1e9 }));
    expect(await keeper.save(fakeCheckpoint({ runId: 'a', epoch: 0, reason: 'start' }), 'epoch')).toBe('saved');
    expect(await keeper.save(fakeCheckpoint({ runId: 'a', epoch: 1, batch: 2 }), 'rolling')).toBe('saved');
    expect(ofType(events, 'checkpoint').map((e) => e.summary && [e.summary.reason, e.summary.epoch, e.summary.batch])).toEqual([
      ['start', 0, 0],
      ['pause', 1, 2],
    ]);
    const last = ofType(events, 'checkpointArchive').at(-1)?.archive;
    expect(last?.entries.map((e) => [e.slot, e.epoch])).toEqual([
      ['epoch', 0],
      ['rolling', 1],
    ]);
    expect(last).toMatchObject({ usage: 7, quota: 1e9, lastWrite: { runId: 'a', slot: 'rolling', epoch: 1, batch: 2, bytes: checkpointBytes(fakeCheckpoint({ runId: 'a', epoch: 1, batch: 2 })) } });
    expect(last?.lastWrite?.milliseconds).toBeGreaterThanOrEqual(0);
    // A pin is no place to resume from: the page's offer does not change.
    await keeper.save(fakeCheckpoint({ runId: 'a', epoch: 0 }), 'rollBack');
    expect(ofType(events, 'checkpoint')).toHaveLength(2);
    archive.close();
  });

  it('never writes a non-finite state: the healthy checkpoint in its slot stays', async () => {
    const archive = await openArchive();
    const { keeper } = keeperOn(archive);
    await keeper.save(fakeCheckpoint({ runId: 'a', epoch: 1, batch: 1, value: 0.5 }), 'rolling');
    const diverged = fakeCheckpoint({ runId: 'a', epoch: 1, batch: 2 });
    diverged.params['conv1.weight'][0] = Number.POSITIVE_INFINITY;
    expect(await keeper.save(diverged, 'rolling')).toBe('refused');
    expect(await keeper.load({ runId: 'a', slot: 'rolling' })).toMatchObject({ status: 'loaded', checkpoint: { batch: 1 } });
    archive.close();
  });

  it('makes room by dropping the finished run finished longest ago, and names it to the page', async () => {
    const archive = await openArchive();
    const size = checkpointBytes(fakeCheckpoint({ runId: 'x', epoch: 0 }));
    let usage = 0;
    const { keeper, events } = keeperOn(archive, () => ({ usage, quota: 4.5 * size }));
    const track = async (at: Parameters<typeof fakeCheckpoint>[0]) => {
      const checkpoint = fakeCheckpoint(at);
      expect(await keeper.save(checkpoint, slotOf(checkpoint))).toBe('saved');
      usage += size;
    };
    await track({ runId: 'early', epoch: 0, savedAt: 1 });
    await track({ runId: 'early', epoch: 1, savedAt: 2 });
    await keeper.markFinished('late'); // no checkpoints: not recorded
    await track({ runId: 'late', epoch: 0, savedAt: 3 });
    await archive.markFinished('late', 10);
    await archive.markFinished('early', 20);
    await track({ runId: 'current', epoch: 0, savedAt: 30 });
    // A fifth checkpoint passes the quota: 'late' finished first, so it goes, not 'early'.
    await track({ runId: 'current', epoch: 1, savedAt: 40 });
    expect(ofType(events, 'checkpointsEvicted')).toEqual([{ type: 'checkpointsEvicted', runIds: ['late'] }]);
    expect(await stored(archive)).toEqual({ early: [0, 1], current: [0, 1] });
    archive.close();
  });

  it('skips a save that cannot fit, with one notice until a save succeeds, and training state stays as it was', async () => {
    const archive = await openArchive();
    const size = checkpointBytes(fakeCheckpoint({ runId: 'x', epoch: 0 }));
    let quota = 10 * size;
    const { keeper, events } = keeperOn(archive, () => ({ usage: size, quota }));
    await keeper.save(fakeCheckpoint({ runId: 'only', epoch: 0 }), 'epoch');
    quota = size; // full, and nothing of another run to drop
    expect(await keeper.save(fakeCheckpoint({ runId: 'only', epoch: 1 }), 'epoch')).toBe('skipped');
    expect(await keeper.save(fakeCheckpoint({ runId: 'only', epoch: 1, batch: 2 }), 'rolling')).toBe('skipped');
    const skipped = ofType(events, 'notice').map((e) => e.text);
    expect(skipped).toEqual([{ key: 'checkpoint.saveSkipped', why: 'noRoom' }]);
    expect(ofType(events, 'checkpointsOff')).toEqual([]);
    quota = 10 * size;
    expect(await keeper.save(fakeCheckpoint({ runId: 'only', epoch: 2 }), 'epoch')).toBe('saved');
    quota = size;
    await keeper.save(fakeCheckpoint({ runId: 'only', epoch: 3 }), 'epoch');
    expect(ofType(events, 'notice')).toHaveLength(2);
    expect(await stored(archive)).toEqual({ only: [0, 2] });
    archive.close();
  });

  it("retries once after the browser's quota error, and turns checkpoints off only for another storage failure", async () => {
    const archive = await openArchive();
    await archive.save(fakeCheckpoint({ runId: 'old', epoch: 1, savedAt: 1 }), 'epoch');
    await archive.markFinished('old', 2);
    let failure: 'quota' | 'broken' | null = 'quota';
    const flaky: CheckpointArchive = {
      ...archive,
      write: (prepared: PreparedCheckpoint) => {
        const now = failure;
        if (failure === 'quota') failure = null;
        if (now === 'quota') return Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
        if (now === 'broken') return Promise.reject(new DOMException('The database connection is closing.', 'InvalidStateError'));
        return archive.write(prepared);
      },
    };
    const { keeper, events } = keeperOn(flaky);
    expect(await keeper.save(fakeCheckpoint({ runId: 'new', epoch: 0 }), 'epoch')).toBe('saved');
    expect(ofType(events, 'checkpointsEvicted')).toEqual([{ type: 'checkpointsEvicted', runIds: ['old'] }]);
    failure = 'broken';
    expect(await keeper.save(fakeCheckpoint({ runId: 'new', epoch: 1 }), 'epoch')).toBe('off');
    expect(ofType(events, 'checkpointsOff')).toEqual([
      { type: 'checkpointsOff', reason: 'The database connection is closing.', text: { key: 'storage.failed', detail: 'The database connection is closing.' } },
    ]);
    failure = null;
    expect(await keeper.save(fakeCheckpoint({ runId: 'new', epoch: 2 }), 'epoch')).toBe('off');
    expect(await stored(archive)).toEqual({ new: [0] });
    archive.close();
  });

  it('runs what it is asked in order, whether or not the caller waits', async () => {
    const archive = await openArchive();
    const { keeper } = keeperOn(archive);
    void keeper.save(fakeCheckpoint({ runId: 'a', epoch: 0 }), 'epoch');
    void keeper.save(fakeCheckpoint({ runId: 'a', epoch: 0 }), 'rollBack');
    void keeper.remove({ runId: 'a', slot: 'rollBack' });
    expect(await keeper.load({ runId: 'a', slot: 'rollBack' })).toEqual({ status: 'missing' });
    expect(await stored(archive)).toEqual({ a: [0] });
    archive.close();
  });

  it('announces a damaged resume point by its problem without offering it; Discard and a drop take the offer away', async () => {
    const archive = await openArchive();
    const { keeper, events } = keeperOn(archive);
    await keeper.save(fakeCheckpoint({ runId: 'a', epoch: 0 }), 'epoch');
    await keeper.save(fakeCheckpoint({ runId: 'b', epoch: 1, savedAt: 5000 }), 'epoch');
    await keeper.announce();
    expect(ofType(events, 'checkpoint').at(-1)?.summary).toMatchObject({ runId: 'b', epoch: 1 });

    await keeper.discard();
    expect(ofType(events, 'checkpoint').at(-1)?.summary).toBeNull();
    expect(await stored(archive)).toEqual({ a: [0], b: [1] }); // its branch points stay
    expect(await keeper.resumePoint()).toEqual({ status: 'missing' });

    await keeper.save(fakeCheckpoint({ runId: 'c', epoch: 2, savedAt: 6000 }), 'epoch');
    await keeper.dropRun('c');
    expect(ofType(events, 'checkpoint').at(-1)?.summary).toBeNull();

    const damaged = fakeCheckpoint({ runId: 'd', epoch: 1, savedAt: 7000 });
    await keeper.save(damaged, 'epoch');
    const tampered: CheckpointArchive = {
      ...archive,
      load: async (ref) => ({ status: 'refused', problem: { kind: 'weightSize', name: 'fc2.weight' }, error: `${ref.runId} is damaged` }),
    };
    const fresh = keeperOn(tampered);
    await fresh.keeper.announce();
    expect(ofType(fresh.events, 'notice').map((e) => e.text)).toEqual([{ key: 'checkpoint.unusable', problem: { kind: 'weightSize', name: 'fc2.weight' }, deleted: false }]);
    expect(ofType(fresh.events, 'checkpoint')).toEqual([{ type: 'checkpoint', summary: null }]);
    expect(ofType(fresh.events, 'checkpointArchive').at(-1)?.archive.entries.map((e) => e.runId)).toEqual(['a', 'b', 'd']);
    archive.close();
  });
});
