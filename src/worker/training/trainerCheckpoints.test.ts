import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ARCH_PRESETS } from '../../shared/arch/presets';
import { DEFAULT_CONFIG, type TrainConfig } from '../../shared/config';
import type { EpochMetrics, WorkerEvent } from '../../shared/protocol';
import { registerWasmTrainingKernels } from '../backends/wasmKernels';
import { ARCHIVE_DB_NAME, DATA_STORE, openCheckpointArchive, type CheckpointArchive, type SlotRef } from '../checkpoint/checkpointArchive';
import { CheckpointKeeper } from '../checkpoint/checkpointKeeper';
import type { TrainingCheckpoint } from '../checkpoint/checkpoint';
import { inProcessPool } from '../pool/testing/inProcessPool';
import type { WorkerPool } from '../pool/workerPool';
import { IMAGE_SIZE } from '../data/batches';
import { SeededRandom } from './random';
import { ROLLING_CHECKPOINT_MS, Trainer, type Dataset, type DatasetSplit } from './trainer';

/** Noise images, labelled in turn: the divergence and the spike below were measured on these. */
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

/** An archive in a fresh in-memory IndexedDB, and that IndexedDB (to tamper with it). */
async function freshArchive(): Promise<CheckpointArchive & { factory: IDBFactory }> {
  const factory = new IDBFactory();
  const opened = await openCheckpointArchive(factory);
  if (!opened.archive) throw new Error(opened.reason);
  return Object.assign(opened.archive, { factory });
}

interface TrainerRun {
  /** Storage; null for none. */
  archive?: CheckpointArchive | null;
  begin: (t: Trainer) => void;
  /** Sees each event, to act as a user would (pause, reload …). */
  act?: (event: WorkerEvent, t: Trainer) => void;
  /** Resolves when idle after this many runs have ended. */
  runs?: number;
  pool?: WorkerPool | null;
}

/** A trainer (with a keeper on `archive`) whose events are collected; resolves with them when idle after `runs` runs. */
function runTrainer({ archive = null, begin, act, runs = 1, pool = null }: TrainerRun): Promise<WorkerEvent[]> {
  const events: WorkerEvent[] = [];
  return new Promise<WorkerEvent[]>((resolve) => {
    const emit = (event: WorkerEvent) => {
      events.push(event);
      act?.(event, trainer);
      if (event.type === 'state' && event.state === 'idle' && events.filter((e) => e.type === 'done').length === runs) resolve(events);
    };
    const trainer: Trainer = new Trainer(data, emit, config);
    trainer.setPool(pool);
    trainer.setCheckpoints(archive ? new CheckpointKeeper(archive, emit, () => Promise.resolve(null)) : null);
    begin(trainer);
  });
}

/** Resolves with the events as soon as `until` has seen one (for what ends without a run: a refusal). */
function eventsUntil(archive: CheckpointArchive, begin: (t: Trainer) => void, until: (event: WorkerEvent) => boolean): Promise<WorkerEvent[]> {
  const events: WorkerEvent[] = [];
  return new Promise((resolve) => {
    const emit = (event: WorkerEvent) => {
      events.push(event);
      if (until(event)) resolve(events);
    };
    const trainer = new Trainer(data, emit, config);
    trainer.setCheckpoints(new CheckpointKeeper(archive, emit, () => Promise.resolve(null)));
    begin(trainer);
  });
}

const epochRows = (events: WorkerEvent[]): EpochMetrics[] => events.flatMap((e) => (e.type === 'epoch' ? [e.metrics] : []));
const losses = (events: WorkerEvent[]) => epochRows(events).map((m) => m.loss);
/** What an epoch computed, without its timings: equal for the same state, data order and settings. */
const outcomes = (events: WorkerEvent[]) => epochRows(events).map(({ epoch, loss, trainAccuracy, testAccuracy, learningRate }) => ({ epoch, loss, trainAccuracy, testAccuracy, learningRate }));
const summaries = (events: WorkerEvent[]) => events.flatMap((e) => (e.type === 'checkpoint' && e.summary ? [e.summary] : []));

/** Each run's stored epochs (and other slots), as the archive's index lists them. */
async function stored(archive: CheckpointArchive): Promise<Record<string, (number | string)[]>> {
  const out: Record<string, (number | string)[]> = {};
  for (const entry of await archive.list()) (out[entry.runId] ??= []).push(entry.slot === 'epoch' ? entry.epoch : entry.slot);
  return out;
}

/** Rewrites one stored checkpoint behind the archive's back, as a damaged disk or a tamperer would. */
async function tamper(archive: CheckpointArchive & { factory: IDBFactory }, ref: SlotRef, change: (checkpoint: TrainingCheckpoint) => unknown): Promise<void> {
  const loaded = await archive.load(ref);
  if (loaded.status !== 'loaded') throw new Error(`nothing to tamper with at ${JSON.stringify(ref)}`);
  const key = [ref.runId, ref.slot === 'epoch' ? ref.epoch : ref.slot];
  await new Promise<void>((resolve, reject) => {
    const request = archive.factory.open(ARCHIVE_DB_NAME);
    request.onsuccess = () => {
      const tx = request.result.transaction(DATA_STORE, 'readwrite');
      tx.objectStore(DATA_STORE).put(change(loaded.checkpoint), key);
      tx.oncomplete = () => {
        request.result.close();
        resolve();
      };
      tx.onabort = () => reject(tx.error);
    };
  });
}

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

afterEach(() => vi.restoreAllMocks());

describe('checkpoints', () => {
  it('keeps every epoch of a run, epoch 0 included, and a finished run is offered for Resume no more', async () => {
    const archive = await freshArchive();
    const events = await runTrainer({ archive, begin: (t) => t.start(config, 'a') });
    expect(summaries(events).map((s) => [s.reason, s.epoch])).toEqual([
      ['start', 0],
      ['epoch', 1],
      ['epoch', 2],
      ['epoch', 3],
    ]);
    expect(events.filter((e) => e.type === 'checkpoint').at(-1)).toEqual({ type: 'checkpoint', summary: null });
    expect(await stored(archive)).toEqual({ a: [0, 1, 2, 3] });
    expect((await archive.runs())[0].finishedAt).not.toBeNull();
    const lastIndex = events.filter((e) => e.type === 'checkpointArchive').at(-1);
    expect(lastIndex?.type === 'checkpointArchive' && lastIndex.archive.entries.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
  });

  it('a run paused mid-epoch, "reloaded" and resumed reproduces the uninterrupted run', async () => {
    const uninterrupted = losses(await runTrainer({ begin: (t) => t.start(config, 'a') }));
    expect(uninterrupted).toHaveLength(3);

    const archive = await freshArchive();
    let progressEvents = 0;
    // Epoch 2, after a batch or two: pause (which saves), then stop — as if the tab were closed.
    const first = await runTrainer({
      archive,
      begin: (t) => t.start(config, 'b'),
      act: (event, t) => {
        if (event.type === 'progress' && event.progress.epoch === 2 && event.progress.phase === 'train' && ++progressEvents === 1) t.pause();
        if (event.type === 'checkpoint' && event.summary?.reason === 'pause') t.stop();
      },
    });
    const pauseSummary = summaries(first).find((s) => s.reason === 'pause');
    expect(pauseSummary).toMatchObject({ runId: 'b', epoch: 1 });
    expect(pauseSummary?.batch).toBeGreaterThan(0);
    expect(pauseSummary?.batch).toBeLessThan(4);
    expect(losses(first)).toEqual(uninterrupted.slice(0, 1));
    expect(await stored(archive)).toEqual({ b: [0, 1, 'rolling'] });

    // A new trainer (a reloaded page) on the same storage continues from the pause.
    const resumed = await runTrainer({ archive, begin: (t) => void t.resumeCheckpoint() });
    const restored = resumed.find((e) => e.type === 'restored');
    expect(restored).toMatchObject({ runId: 'b', history: [epochRows(first)[0]] });
    expect(losses(resumed)).toEqual(uninterrupted.slice(1));
    expect(epochRows(resumed).map((m) => m.epoch)).toEqual([2, 3]);
    // The epoch that the pause was in supersedes its rolling checkpoint.
    expect(await stored(archive)).toEqual({ b: [0, 1, 2, 3] });
  });

  it('saves where the epoch stands after each minute of training steps, and resumes from there exactly', async () => {
    const small = { ...config, batch: 8 };
    const uninterrupted = outcomes(await runTrainer({ begin: (t) => t.start(small, 'a') }));
    // A clock that moves only when read: every reading is a fifth of the interval later, so the
    // minute is reached after a fixed number of steps, whatever this machine's speed.
    let clock = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (clock += ROLLING_CHECKPOINT_MS / 5));
    const archive = await freshArchive();
    const first = await runTrainer({
      archive,
      begin: (t) => t.start(small, 'r'),
      act: (event, t) => {
        if (event.type === 'checkpoint' && event.summary?.reason === 'rolling' && event.summary.epoch === 1) t.stop();
      },
    });
    vi.restoreAllMocks();
    const rolling = summaries(first).filter((s) => s.reason === 'rolling');
    // Mid-epoch (16 batches of 8), at a steady interval, in both epochs trained.
    expect(rolling.length).toBeGreaterThanOrEqual(2);
    for (const s of rolling) expect(s.batch).toBeGreaterThan(0);
    for (const s of rolling) expect(s.batch).toBeLessThan(16);
    const inFirstEpoch = rolling.filter((s) => s.epoch === 0).map((s) => s.batch);
    expect(new Set(inFirstEpoch.map((batch, i) => batch - (inFirstEpoch[i - 1] ?? 0))).size).toBe(1);
    expect(await stored(archive)).toEqual({ r: [0, 1, 'rolling'] });

    // The reloaded page sends its controls (batch 8) before Resume.
    const resumed = await runTrainer({
      archive,
      begin: (t) => {
        t.updateConfig(small);
        void t.resumeCheckpoint();
      },
    });
    expect(resumed.find((e) => e.type === 'restored')).toMatchObject({ runId: 'r' });
    expect(outcomes(resumed)).toEqual(uninterrupted.slice(1));
  });

  it('resumes from an epoch checkpoint too, and Discard stops offering the run but keeps its epochs', async () => {
    const uninterrupted = losses(await runTrainer({ begin: (t) => t.start(config, 'a') }));
    const archive = await freshArchive();
    await runTrainer({
      archive,
      begin: (t) => t.start(config, 'c'),
      act: (event, t) => {
        if (event.type === 'checkpoint' && event.summary?.reason === 'epoch' && event.summary.epoch === 2) t.stop();
      },
    });
    const resumed = await runTrainer({ archive, begin: (t) => void t.resumeCheckpoint() });
    expect(losses(resumed)).toEqual(uninterrupted.slice(2));

    await runTrainer({
      archive,
      begin: (t) => t.start(config, 'd'),
      act: (event, t) => {
        if (event.type === 'checkpoint' && event.summary?.epoch === 1) t.stop();
      },
    });
    const events: WorkerEvent[] = [];
    const trainer = new Trainer(data, (e) => events.push(e), config);
    trainer.setCheckpoints(new CheckpointKeeper(archive, (e) => events.push(e), () => Promise.resolve(null)));
    await trainer.discardCheckpoint();
    expect(events.filter((e) => e.type === 'checkpoint')).toEqual([{ type: 'checkpoint', summary: null }]);
    await trainer.resumeCheckpoint();
    expect(events.at(-1)).toMatchObject({ type: 'notice', message: 'There is no saved checkpoint to resume from.' });
    expect(await stored(archive)).toEqual({ c: [0, 1, 2, 3], d: [0, 1] });
  });

  it('pauses at a non-finite loss, names the batch and the learning rate, and rolls back to the last healthy checkpoint', async () => {
    const archive = await freshArchive();
    // Far past the UI's range (the Trainer does not clamp): SGD overflows within a few steps.
    const huge = { ...config, lr: 1e4, optimizer: 'sgd' as const, epochs: 4 };
    let epochsSeen = 0;
    let rolledBack = false;
    const events = await runTrainer({
      archive,
      begin: (t) => t.start({ ...huge, lr: 1e-3 }, 'd'),
      act: (event, t) => {
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
      },
      runs: 2,
    });
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
    const archive = await freshArchive();
    const failing: CheckpointArchive = { ...archive, write: () => Promise.reject(new Error('disk on fire')) };
    const events = await runTrainer({ archive: failing, begin: (t) => t.start({ ...config, epochs: 2 }, 'e') });
    expect(events.filter((e) => e.type === 'checkpointsOff')).toEqual([{ type: 'checkpointsOff', reason: 'disk on fire', text: { key: 'storage.failed', detail: 'disk on fire' } }]);
    expect(epochRows(events)).toHaveLength(2);
  });

  it('a Train click while Resume, Roll back or a branch waits for storage starts one run, not two', async () => {
    const archive = await freshArchive();
    // A stopped run leaves its epoch-1 checkpoint, as the state to resume and as a roll-back point.
    await runTrainer({
      archive,
      begin: (t) => t.start(config, 'g'),
      act: (event, t) => {
        if (event.type === 'checkpoint' && event.summary?.epoch === 1) t.stop();
      },
    });
    const stopped = await archive.load({ runId: 'g', slot: 'epoch', epoch: 1 });
    if (stopped.status !== 'loaded') throw new Error('no epoch-1 checkpoint');
    await archive.save(stopped.checkpoint, 'rollBack');
    // Storage that lets a Train click in just after it answers a load, before the trainer goes on.
    const clickTrainAfterLoad = (when: (ref: SlotRef) => boolean): CheckpointArchive & { trainer?: Trainer } => {
      const racing: CheckpointArchive & { trainer?: Trainer } = {
        ...archive,
        load: async (ref) => {
          const outcome = await archive.load(ref);
          if (when(ref)) racing.trainer?.start(config, 'click');
          return outcome;
        },
      };
      return racing;
    };
    for (const command of ['resumeCheckpoint', 'rollBack', 'branch'] as const) {
      const racing = clickTrainAfterLoad((ref) => (command === 'branch' ? ref.slot === 'epoch' : ref.slot === 'rollBack'));
      const events = await runTrainer({
        archive: racing,
        begin: (t) => {
          racing.trainer = t;
          if (command === 'branch') void t.branch('branch', { runId: 'g', epoch: 1 }, config);
          else void t[command]();
        },
      });
      await new Promise((resolve) => setTimeout(resolve, 50)); // a second run would still be emitting
      const starts = events.filter((e) => e.type === 'state' && e.state === 'running');
      expect(starts, command).toHaveLength(1);
      expect(epochRows(events).map((m) => m.epoch), command).toEqual([1, 2, 3]);
      expect(events.some((e) => e.type === 'restored'), command).toBe(false);
      if (command === 'branch') expect(events.find((e) => e.type === 'branchRefused')).toMatchObject({ runId: 'branch', text: { key: 'branch.busy' } });
      // Every click's run finished: the stopped run is the newest unfinished one again.
      await archive.deleteRun('click');
    }
  });

  it('warns of a finite loss spike once, trains on to the end, and rolls back to the state before it', async () => {
    // Measured: SGD at lr 3 from epoch 2 sends the loss from 2.3 to 38, then past 1e20, and back to
    // about 3 by epoch 3, finite throughout.
    const sane = { ...config, optimizer: 'sgd' as const, lr: 1e-3, dropout: 0, weightDecay: 0, batch: 8 };
    const archive = await freshArchive();
    let finished = false;
    const events = await runTrainer({
      archive,
      begin: (t) => t.start(sane, 'f'),
      act: (event, t) => {
        if (event.type === 'epoch' && event.metrics.epoch === 1 && !finished) t.updateConfig({ ...sane, lr: 3 });
        if (event.type === 'done' && !finished) {
          finished = true;
          t.updateConfig(sane);
          void t.rollBack();
        }
        if (event.type === 'epoch' && finished) t.stop();
      },
      runs: 2,
    });
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
    // The roll-back point became where the run stands and no longer sits in its own slot; the
    // blown-up epochs' checkpoints went with the future they belonged to.
    expect(await archive.load({ runId: 'f', slot: 'rollBack' })).toEqual({ status: 'missing' });
    expect(await stored(archive)).toEqual({ f: [0, 1, 2] });
  });
});

describe('branches', () => {
  /** A parent run of three epochs on `archive` (and `pool`): its epochs' outcomes. */
  async function parentRun(archive: CheckpointArchive, pool: WorkerPool | null = null) {
    return outcomes(await runTrainer({ archive, pool, begin: (t) => t.start(config, 'parent') }));
  }

  it('a branch from epoch 1 with unchanged settings reproduces the parent\'s later epochs exactly, on one worker and on a pool of two', async () => {
    for (const size of [1, 2]) {
      const pool = await inProcessPool(size);
      const archive = await freshArchive();
      const parent = await parentRun(archive, pool);
      const events = await runTrainer({ archive, pool, begin: (t) => void t.branch('child', { runId: 'parent', epoch: 1 }, config) });
      pool?.terminate();
      expect(events.find((e) => e.type === 'restored'), `${size}`).toMatchObject({ runId: 'child', config, history: [{ epoch: 1, loss: parent[0].loss }], lossSpikes: [] });
      expect(outcomes(events), `${size} worker(s)`).toEqual(parent.slice(1));
      expect(events.some((e) => e.type === 'notice'), `${size}`).toBe(false);
      // The branch's own epoch-1 checkpoint (its start) and its later epochs; the parent's stay as they were.
      expect(await stored(archive), `${size}`).toEqual({ parent: [0, 1, 2, 3], child: [1, 2, 3] });
    }
  });

  it('takes the controls\' settings: a higher learning rate gives a new curve from the branch point, the parent untouched', async () => {
    const archive = await freshArchive();
    const faster = { ...config, lr: 3e-2 };
    // The parent, then in the same worker (once it is idle again) the branch.
    let branched = false;
    const both = await runTrainer({
      archive,
      begin: (t) => t.start(config, 'parent'),
      act: (event, t) => {
        if (event.type === 'state' && event.state === 'idle' && !branched) {
          branched = true;
          void t.branch('fast', { runId: 'parent', epoch: 1 }, faster);
        }
      },
      runs: 2,
    });
    const split = both.findIndex((e) => e.type === 'done') + 1;
    const [parentEvents, events] = [both.slice(0, split), both.slice(split)];
    const parent = outcomes(parentEvents);
    const branch = outcomes(events);
    // A branch holds what a run holds: the worker's tensor count after each of its epochs is the parent's.
    const tensors = (run: WorkerEvent[]) => run.flatMap((e) => (e.type === 'epoch' ? [e.numTensors] : []));
    expect(tensors(events)).toHaveLength(2);
    expect(new Set([...tensors(parentEvents), ...tensors(events)]).size).toBe(1);
    expect(branch.map((m) => [m.epoch, m.learningRate])).toEqual([
      [2, 3e-2],
      [3, 3e-2],
    ]);
    expect(branch[0].loss).not.toBe(parent[1].loss);
    // Set from the start, not taken up as a live change.
    expect(events.some((e) => e.type === 'liveChange')).toBe(false);
    const start = await archive.load({ runId: 'fast', slot: 'epoch', epoch: 1 });
    expect(start.status === 'loaded' && [start.checkpoint.reason, start.checkpoint.config.lr, start.checkpoint.applied.lr]).toEqual(['start', 3e-2, 3e-2]);
    const parentEpoch1 = await archive.load({ runId: 'parent', slot: 'epoch', epoch: 1 });
    expect(parentEpoch1.status === 'loaded' && parentEpoch1.checkpoint.config.lr).toBe(3e-3);
  });

  it('starts a changed optimizer with fresh state and says so; the weights and data order still continue', async () => {
    const archive = await freshArchive();
    await parentRun(archive);
    const adamW = { ...config, optimizer: 'adamw' as const, weightDecay: 0 };
    const events = await runTrainer({ archive, begin: (t) => void t.branch('w', { runId: 'parent', epoch: 2 }, adamW) });
    expect(events.filter((e) => e.type === 'notice')).toEqual([
      expect.objectContaining({ level: 'info', text: { key: 'branch.freshOptimizer', epoch: 2, from: 'adam', to: 'adamw' } }),
    ]);
    const start = await archive.load({ runId: 'w', slot: 'epoch', epoch: 2 });
    if (start.status !== 'loaded') throw new Error('no branch start');
    const parentEpoch2 = await archive.load({ runId: 'parent', slot: 'epoch', epoch: 2 });
    if (parentEpoch2.status !== 'loaded') throw new Error('no parent epoch 2');
    expect(start.checkpoint.optimizer.step).toBe(0);
    expect(start.checkpoint.optimizer.slots['fc2.bias'].exp_avg.every((v) => v === 0)).toBe(true);
    expect(start.checkpoint.params['fc2.bias']).toEqual(parentEpoch2.checkpoint.params['fc2.bias']);
    expect(start.checkpoint.randomState).toBe(parentEpoch2.checkpoint.randomState);
    expect(start.checkpoint.step).toBe(parentEpoch2.checkpoint.step);
    expect(outcomes(events).map((m) => m.epoch)).toEqual([3]);

    // From epoch 0 there was no state to lose: no notice.
    const fromStart = await runTrainer({ archive, begin: (t) => void t.branch('w0', { runId: 'parent', epoch: 0 }, adamW) });
    expect(fromStart.some((e) => e.type === 'notice')).toBe(false);
  });

  it('refuses a branch whose checkpoint is gone or damaged, with the reason, and starts nothing', async () => {
    const archive = await freshArchive();
    await parentRun(archive);
    const refusal = async (runId: string, epoch: number) => {
      const events = await eventsUntil(archive, (t) => void t.branch(runId, { runId: 'parent', epoch }, config), (e) => e.type === 'branchRefused' || e.type === 'restored');
      expect(events.some((e) => e.type === 'state' || e.type === 'restored')).toBe(false);
      return events.at(-1);
    };
    expect(await refusal('x', 7)).toMatchObject({ type: 'branchRefused', runId: 'x', text: { key: 'branch.gone', epoch: 7 } });

    await tamper(archive, { runId: 'parent', slot: 'epoch', epoch: 1 }, (c) => {
      c.params['conv2.weight'][5] = Number.NaN;
      return c;
    });
    expect(await refusal('y', 1)).toMatchObject({
      type: 'branchRefused',
      runId: 'y',
      message: 'The branch from epoch 1 was refused: its checkpoint cannot be used: weight conv2.weight has a non-finite value. Nothing was changed.',
      text: { key: 'branch.refused', epoch: 1, problem: { kind: 'weightNonFinite', name: 'conv2.weight' } },
    });
    await tamper(archive, { runId: 'parent', slot: 'epoch', epoch: 2 }, (c) => ({ ...c, params: { ...c.params, 'fc1.weight': c.params['fc1.weight'].subarray(0, 10) } }));
    expect(await refusal('z', 2)).toMatchObject({ text: { problem: { kind: 'weightSize', name: 'fc1.weight' } } });
    await tamper(archive, { runId: 'parent', slot: 'epoch', epoch: 3 }, (c) => ({ ...c, version: 99 }));
    expect(await refusal('v', 3)).toMatchObject({ text: { problem: { kind: 'version', version: '99' } } });

    await archive.deleteRun('parent');
    expect(await refusal('w', 0)).toMatchObject({ text: { key: 'branch.gone', epoch: 0 } });
  });

  it('a branch is a run of its own: stopped and reloaded, Resume continues the branch', async () => {
    const archive = await freshArchive();
    const parent = await parentRun(archive);
    await runTrainer({
      archive,
      begin: (t) => void t.branch('child', { runId: 'parent', epoch: 1 }, config),
      act: (event, t) => {
        if (event.type === 'epoch') t.stop();
      },
    });
    const resumed = await runTrainer({ archive, begin: (t) => void t.resumeCheckpoint() });
    expect(resumed.find((e) => e.type === 'restored')).toMatchObject({ runId: 'child' });
    expect(outcomes(resumed)).toEqual(parent.slice(2));
  });
});

describe('the network a run trains', () => {
  const batchNorm: TrainConfig = { ...config, arch: ARCH_PRESETS.batchNorm };

  it('trains any architecture; one with BatchNorm trains on this worker alone, so a pool gives the same run exactly', async () => {
    const results = [];
    for (const size of [1, 2]) {
      const pool = await inProcessPool(size);
      const events = await runTrainer({ pool, begin: (t) => t.start(batchNorm, `bn-${size}`) });
      pool?.terminate();
      const tensors = events.flatMap((e) => (e.type === 'epoch' ? [e.numTensors] : []));
      expect(new Set(tensors).size, `${size} worker(s): tensors after each epoch`).toBe(1);
      results.push(outcomes(events));
    }
    expect(results[0]).toHaveLength(3);
    expect(results[1]).toEqual(results[0]);
  });

  it('answers a prediction with one feature map per conv block of the network, and says which network', async () => {
    const image = Float32Array.from(data.test.images.subarray(0, IMAGE_SIZE), (p) => p / 255);
    for (const arch of [ARCH_PRESETS.lenet5, ARCH_PRESETS.mlp]) {
      const trainer = new Trainer(data, () => undefined, { ...config, arch });
      const { featureMaps, network } = await trainer.predict(image, true);
      expect(network).toEqual(arch);
      expect(featureMaps?.map((map) => [map.layer, map.height, map.channels])).toEqual(arch.convBlocks.map((block, i) => [`conv${i + 1}`, i === 0 ? 28 : 10, block.channels]));
      trainer.reset();
    }
  });

  it('refuses a branch into another network, and a checkpoint whose network cannot be built, with the reason', async () => {
    const archive = await freshArchive();
    await runTrainer({ archive, begin: (t) => t.start(config, 'parent') });
    const refusal = async (runId: string, epoch: number, branchConfig: TrainConfig) =>
      (await eventsUntil(archive, (t) => void t.branch(runId, { runId: 'parent', epoch }, branchConfig), (e) => e.type === 'branchRefused' || e.type === 'restored')).at(-1);
    expect(await refusal('other', 1, batchNorm)).toMatchObject({
      type: 'branchRefused',
      text: { key: 'branch.refused', epoch: 1, problem: { kind: 'otherArch', checkpoint: 'c32p-c64p-c128p-f256', wanted: 'c32bp-c64bp-c128bp-f256' } },
    });
    await tamper(archive, { runId: 'parent', slot: 'epoch', epoch: 2 }, (c) => ({ ...c, config: { ...c.config, arch: { ...c.config.arch, convBlocks: [], dense: [], head: { kind: 'flatten', dropoutAfter: true } } } }));
    expect(await refusal('broken', 2, config)).toMatchObject({ text: { problem: { kind: 'weightSize' } } });
    await tamper(archive, { runId: 'parent', slot: 'epoch', epoch: 3 }, (c) => ({ ...c, config: { ...c.config, arch: { version: 1, convBlocks: [{ channels: 0 }] } } }));
    expect(await refusal('unbuildable', 3, config)).toMatchObject({ text: { problem: { kind: 'arch' } } });
  });
});
