import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { IDBFactory } from 'fake-indexeddb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../../shared/config';
import type { EpochMetrics, WorkerEvent } from '../../shared/protocol';
import { registerWasmTrainingKernels } from '../backends/wasmKernels';
import { openCheckpointStore, type CheckpointStore } from '../checkpoint/checkpointStore';
import { IMAGE_SIZE } from '../data/batches';
import { SeededRandom } from './random';
import { Trainer, type Dataset, type DatasetSplit } from './trainer';

function toySplit(count: number, seed: number): DatasetSplit {
  const random = new SeededRandom(seed);
  const images = new Uint8Array(count * IMAGE_SIZE);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    labels[n] = n % 10;
    for (let i = 0; i < IMAGE_SIZE; i++) images[n * IMAGE_SIZE + i] = random.nextInt(256);
  }
  return { images, labels, count };
}

const data: Dataset = { train: toySplit(128, 1), test: toySplit(40, 2) };
const config: TrainConfig = { ...DEFAULT_CONFIG, epochs: 3, batch: 32, trainSize: 128, testSize: 40, lr: 3e-3 };

async function freshStore(): Promise<CheckpointStore> {
  const opened = await openCheckpointStore(new IDBFactory());
  if (!opened.store) throw new Error(opened.reason);
  return opened.store;
}

/** A trainer on `store`; `act` sees each event (to pause, reload …). Resolves with all events when idle after `runs` runs. */
function runTrainer(store: CheckpointStore | null, begin: (t: Trainer) => void, act?: (event: WorkerEvent, t: Trainer) => void, runs = 1) {
  const events: WorkerEvent[] = [];
  return new Promise<WorkerEvent[]>((resolve) => {
    const trainer: Trainer = new Trainer(
      data,
      (event) => {
        events.push(event);
        act?.(event, trainer);
        if (event.type === 'state' && event.state === 'idle' && events.filter((e) => e.type === 'done').length === runs) resolve(events);
      },
      config,
    );
    trainer.setCheckpointStore(store);
    begin(trainer);
  });
}

const epochRows = (events: WorkerEvent[]): EpochMetrics[] => events.flatMap((e) => (e.type === 'epoch' ? [e.metrics] : []));
const losses = (events: WorkerEvent[]) => epochRows(events).map((m) => m.loss);

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('checkpoints', () => {
  it('a run paused mid-epoch, "reloaded" and resumed reproduces the uninterrupted run', async () => {
    const uninterrupted = losses(await runTrainer(await freshStore(), (t) => t.start(config, 'a')));
    expect(uninterrupted).toHaveLength(3);

    const store = await freshStore();
    let progressEvents = 0;
    // Epoch 2, after a batch or two: pause (which saves), then stop — as if the tab were closed.
    const first = await runTrainer(store, (t) => t.start(config, 'b'), (event, t) => {
      if (event.type === 'progress' && epochRows([]).length === 0 && event.progress.epoch === 2 && event.progress.phase === 'train' && ++progressEvents === 1) t.pause();
      if (event.type === 'checkpoint' && event.summary?.reason === 'pause') t.stop();
    });
    const pauseSummary = first.flatMap((e) => (e.type === 'checkpoint' && e.summary?.reason === 'pause' ? [e.summary] : []))[0];
    expect(pauseSummary).toMatchObject({ runId: 'b', epoch: 1 });
    expect(pauseSummary.batch).toBeGreaterThan(0);
    expect(pauseSummary.batch).toBeLessThan(4);
    expect(losses(first)).toEqual(uninterrupted.slice(0, 1));

    // A new trainer (a reloaded page) on the same storage continues from the pause.
    const resumed = await runTrainer(store, (t) => void t.resumeCheckpoint());
    const restored = resumed.find((e) => e.type === 'restored');
    expect(restored).toMatchObject({ runId: 'b', history: [epochRows(first)[0]] });
    expect(losses(resumed)).toEqual(uninterrupted.slice(1));
    expect(epochRows(resumed).map((m) => m.epoch)).toEqual([2, 3]);
  });

  it('resumes from an epoch checkpoint too, and Discard deletes it', async () => {
    const uninterrupted = losses(await runTrainer(await freshStore(), (t) => t.start(config, 'a')));
    const store = await freshStore();
    await runTrainer(store, (t) => t.start(config, 'c'), (event, t) => {
      if (event.type === 'checkpoint' && event.summary?.reason === 'epoch' && event.summary.epoch === 2) t.stop();
    });
    const resumed = await runTrainer(store, (t) => void t.resumeCheckpoint());
    expect(losses(resumed)).toEqual(uninterrupted.slice(2));
    const events: WorkerEvent[] = [];
    const trainer = new Trainer(data, (e) => events.push(e), config);
    trainer.setCheckpointStore(store);
    await trainer.discardCheckpoint();
    expect(await store.load()).toBeUndefined();
    await trainer.resumeCheckpoint();
    expect(events.at(-1)).toMatchObject({ type: 'notice', message: 'There is no saved checkpoint to resume from.' });
  });

  it('pauses at a non-finite loss, names the batch and the learning rate, and rolls back to the last healthy checkpoint', async () => {
    const store = await freshStore();
    // Far past the UI's range (the Trainer does not clamp): SGD overflows within a few steps.
    const huge = { ...config, lr: 1e4, optimizer: 'sgd' as const, epochs: 4 };
    let epochsSeen = 0;
    let rolledBack = false;
    const events = await runTrainer(store, (t) => t.start({ ...huge, lr: 1e-3 }, 'd'), (event, t) => {
      if (event.type === 'epoch') epochsSeen += 1;
      // Diverge only after one epoch's checkpoint exists: train the first epoch at a sane rate.
      if (event.type === 'checkpoint' && event.summary?.reason === 'epoch' && !rolledBack) t.updateConfig(huge);
      if (event.type === 'diverged' && !rolledBack) {
        rolledBack = true;
        t.updateConfig({ ...huge, lr: 5e-4 });
        void t.rollBack();
      }
      // The rolled-back run: let it finish one epoch, then end.
      if (event.type === 'epoch' && rolledBack) t.stop();
    }, 2);
    const diverged = events.find((e) => e.type === 'diverged');
    if (diverged?.type !== 'diverged') throw new Error('the loss never became non-finite at lr 1e4');
    expect(diverged.epoch).toBe(2);
    expect(diverged.learningRate).toBe(1e4);
    expect(diverged.rollBackTo).toEqual({ epoch: 1, batch: 0 });
    expect(epochsSeen).toBeGreaterThanOrEqual(2);
    expect(Number.isFinite(diverged.loss)).toBe(false);
    expect(diverged.batch).toBeGreaterThanOrEqual(1);
    const restored = events.find((e) => e.type === 'restored');
    // The rollback restores epoch 1's end (history of one epoch) and takes the lowered rate as a live change.
    expect(restored).toMatchObject({ runId: 'd' });
    expect(restored?.type === 'restored' && restored.history.map((m) => m.epoch)).toEqual([1]);
    const change = events.filter((e) => e.type === 'liveChange').at(-1);
    expect(change).toMatchObject({ type: 'liveChange', change: { epoch: 2, batch: 1, changes: [{ field: 'lr', from: 1e-3, to: 5e-4 }] } });
  });

  it('goes on training when storage fails, and says checkpoints are off', async () => {
    const failing: CheckpointStore = {
      save: () => Promise.reject(new Error('QuotaExceededError')),
      load: () => Promise.resolve(undefined),
      clear: () => Promise.resolve(),
    };
    const events = await runTrainer(failing, (t) => t.start({ ...config, epochs: 2 }, 'e'));
    expect(events.filter((e) => e.type === 'checkpointsOff')).toEqual([
      { type: 'checkpointsOff', reason: 'QuotaExceededError', text: { key: 'storage.failed', detail: 'QuotaExceededError' } },
    ]);
    expect(epochRows(events)).toHaveLength(2);
  });

  it('a Train click while Resume or Roll back waits for storage starts one run, not two', async () => {
    const store = await freshStore();
    // A stopped run leaves its epoch-1 checkpoint, as the latest state and as a roll-back point.
    await runTrainer(store, (t) => t.start(config, 'g'), (event, t) => {
      if (event.type === 'checkpoint' && event.summary?.reason === 'epoch') t.stop();
    });
    const stopped = await store.load('latest');
    // Storage that lets a Train click in just after it answers, before the trainer goes on.
    const clickTrainWhen = (when: (call: 'load' | 'save', slot?: string) => boolean): CheckpointStore & { trainer?: Trainer } => {
      const racing: CheckpointStore & { trainer?: Trainer } = {
        load: async (slot) => {
          const value = await store.load(slot);
          if (when('load', slot)) racing.trainer?.start(config, 'click');
          return value;
        },
        save: async (checkpoint, slot) => {
          await store.save(checkpoint, slot);
          if (when('save', slot)) racing.trainer?.start(config, 'click');
        },
        clear: (slot) => store.clear(slot),
      };
      return racing;
    };
    for (const [command, when] of [
      ['resumeCheckpoint', (call: string, slot?: string) => call === 'load' && slot === 'rollBack'],
      ['rollBack', (call: string, slot?: string) => call === 'save' && (slot ?? 'latest') === 'latest'],
    ] as const) {
      // (The run each click starts finishes, and so clears the latest slot: both are refilled.)
      await store.save(stopped, 'latest');
      await store.save(stopped, 'rollBack');
      const racing = clickTrainWhen(when);
      const events = await runTrainer(racing, (t) => {
        racing.trainer = t;
        void t[command]();
      });
      await new Promise((resolve) => setTimeout(resolve, 50)); // a second run would still be emitting
      const starts = events.filter((e) => e.type === 'state' && e.state === 'running');
      expect(starts, command).toHaveLength(1);
      expect(epochRows(events).map((m) => m.epoch), command).toEqual(
        events.some((e) => e.type === 'restored') ? [2, 3] : [1, 2, 3],
      );
    }
  });

  it('warns of a finite loss spike once, trains on to the end, and rolls back to the state before it', async () => {
    // Measured: SGD at lr 3 from epoch 2 sends the loss from 2.3 to 38, then past 1e20, and back to
    // about 3 by epoch 3, finite throughout.
    const sane = { ...config, optimizer: 'sgd' as const, lr: 1e-3, dropout: 0, weightDecay: 0, batch: 8 };
    const store = await freshStore();
    let finished = false;
    const events = await runTrainer(store, (t) => t.start(sane, 'f'), (event, t) => {
      if (event.type === 'epoch' && event.metrics.epoch === 1 && !finished) t.updateConfig({ ...sane, lr: 3 });
      if (event.type === 'done' && !finished) {
        finished = true;
        t.updateConfig(sane);
        void t.rollBack();
      }
      if (event.type === 'epoch' && finished) t.stop();
    }, 2);
    const firstRun = events.slice(0, events.findIndex((e) => e.type === 'done') + 1);
    expect(firstRun.some((e) => e.type === 'diverged')).toBe(false);
    expect(firstRun.some((e) => e.type === 'state' && e.state === 'paused')).toBe(false);
    expect(epochRows(firstRun).map((m) => m.epoch)).toEqual([1, 2, 3]);
    expect(firstRun.at(-1)).toMatchObject({ type: 'done', reason: 'finished' });
    const spikes = firstRun.flatMap((e) => (e.type === 'lossSpike' ? [e.spike] : []));
    expect(spikes).toHaveLength(1);
    expect(spikes[0]).toMatchObject({ epoch: 2, learningRate: 3, rollBackTo: { epoch: 1, batch: 0 } });
    expect(spikes[0].loss).toBeGreaterThan(10 * spikes[0].median);
    // Epoch 2's and 3's checkpoints were saved after the spike; the roll-back point is still epoch 1's.
    const restored = events.find((e) => e.type === 'restored');
    if (restored?.type !== 'restored') throw new Error('no roll-back');
    expect(restored.history.map((m) => m.epoch)).toEqual([1]);
    expect(restored.lossSpikes).toEqual([]);
    expect(epochRows(events).at(-1)).toMatchObject({ epoch: 2, learningRate: 1e-3 });
    expect(epochRows(events).at(-1)?.loss).toBeLessThan(3);
    // The roll-back point became the saved run, and no longer sits in its own slot.
    expect(await store.load('rollBack')).toBeUndefined();
  });
});
