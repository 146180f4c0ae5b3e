import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../../shared/config';
import type { EpochMetrics, WorkerEvent } from '../../shared/protocol';
import { registerWasmTrainingKernels } from '../backends/wasmKernels';
import { IMAGE_SIZE } from '../data/batches';
import { toySplit } from './testing/toyData';
import { Trainer, type Dataset } from './trainer';

const data: Dataset = { train: toySplit(96, 1), test: toySplit(40, 2) };
const config: TrainConfig = { ...DEFAULT_CONFIG, epochs: 3, batch: 32, trainSize: 96, testSize: 40, lr: 3e-3 };

/**
 * A trainer whose events are collected; `finished` resolves when the run is over (the worker's `idle`
 * after `done`). `onEvent` sees each event as it happens, to act mid-run like a user would.
 */
function makeTrainer(onEvent?: (event: WorkerEvent, trainer: Trainer) => void) {
  const events: WorkerEvent[] = [];
  let markFinished = () => {};
  const finished = new Promise<void>((resolve) => (markFinished = resolve));
  const trainer: Trainer = new Trainer(
    data,
    (event) => {
      events.push(event);
      onEvent?.(event, trainer);
      if (event.type === 'state' && event.state === 'idle' && events.some((e) => e.type === 'done')) markFinished();
    },
    config,
  );
  return { trainer, events, finished };
}

async function runToEnd({ trainer, finished }: ReturnType<typeof makeTrainer>, start: TrainConfig): Promise<void> {
  trainer.start(start, 'run-test');
  await finished;
}

const epochs = (events: WorkerEvent[]): EpochMetrics[] =>
  events.flatMap((e) => (e.type === 'epoch' ? [e.metrics] : []));

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('Trainer', () => {
  it("runs the seed's loop: per-epoch metrics, falling loss, no tensor growth, then idle", async () => {
    const run = makeTrainer();
    const { events } = run;
    const before = tf.memory().numTensors;
    await runToEnd(run, config);
    const rows = epochs(events);
    expect(rows.map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(rows[2].loss).toBeLessThan(rows[0].loss);
    for (const row of rows) {
      expect(row.learningRate).toBe(3e-3);
      expect(row.trainAccuracy).toBeGreaterThanOrEqual(0);
      expect(row.testAccuracy).toBeLessThanOrEqual(100);
      // Accuracies are counts over 96 training and 40 test images.
      expect(Math.round((row.trainAccuracy * 96) / 100) * 100 / 96).toBeCloseTo(row.trainAccuracy, 9);
      expect(Math.round((row.testAccuracy * 40) / 100) * 100 / 40).toBeCloseTo(row.testAccuracy, 9);
    }
    const counts = events.flatMap((e) => (e.type === 'epoch' ? [e.numTensors] : []));
    expect(new Set(counts).size).toBe(1);
    // What stays after the run is the network itself: 10 parameter tensors.
    expect(tf.memory().numTensors).toBe(before + 10);
    expect(events.find((e) => e.type === 'done')).toMatchObject({ reason: 'finished', finalTestAccuracy: rows[2].testAccuracy });
    expect(events.filter((e) => e.type === 'state').map((e) => (e as { state: string }).state)).toEqual(['running', 'idle']);
  });

  it('reproduces a run from its seed, and a different seed gives a different run', async () => {
    const losses = [];
    for (const seed of [5, 5, 6]) {
      const run = makeTrainer();
      await runToEnd(run, { ...config, epochs: 1, seed });
      losses.push(epochs(run.events)[0].loss);
    }
    expect(losses[1]).toBe(losses[0]);
    expect(losses[2]).not.toBe(losses[0]);
  });

  it('follows StepLR, and takes live settings from the next batch and the batch size from the next epoch', async () => {
    const run = makeTrainer((event, t) => {
      if (event.type === 'epoch' && event.metrics.epoch === 1) t.updateConfig({ ...config, lrStep: 1, lrGamma: 0.5, lr: 1e-3, batch: 48, dropout: 0.5 });
    });
    const { events } = run;
    await runToEnd(run, { ...config, lrStep: 2, lrGamma: 0.5, lr: 2e-3 });
    // Epoch 1 at the base 2e-3; from epoch 2 the live base 1e-3 with the live schedule (step 1): 1e-3·0.5^1, then ·0.5^2.
    expect(epochs(events).map((r) => r.learningRate)).toEqual([2e-3, 5e-4, 2.5e-4]);
    const changes = events.flatMap((e) => (e.type === 'liveChange' ? [e.change] : []));
    // The batch size at the start of epoch 2 (after 3 steps of 32), the rest at its first batch.
    expect(changes.map((c) => [c.epoch, c.batch, c.step, c.x, c.changes.map((d) => d.field)])).toEqual([
      [2, 0, 4, 1, ['batch']],
      [2, 1, 4, 1 + 1 / 2, ['lr', 'lrStep', 'dropout']],
    ]);
    expect(changes[0].changes[0]).toEqual({ field: 'batch', from: 32, to: 48 });
    expect(changes[1].learningRate).toBe(5e-4);
    // Per-batch losses: 3 steps of 32, then 2 of 48 (96 images) per epoch, x in epochs.
    const points = events.flatMap((e) => (e.type === 'batchLoss' ? e.points : []));
    expect(points.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(points.map((p) => p.x)).toEqual([1 / 3, 2 / 3, 1, 1.5, 2, 2.5, 3]);
    const rows = epochs(events);
    expect((points[0].loss + points[1].loss + points[2].loss) / 3).toBeCloseTo(rows[0].loss, 5);
  });

  it('trains with each optimizer, and AdamW differs from Adam only through the decay', async () => {
    const lossOf = async (change: Partial<TrainConfig>) => {
      const run = makeTrainer();
      await runToEnd(run, { ...config, epochs: 1, ...change });
      return epochs(run.events)[0].loss;
    };
    const adam = await lossOf({ optimizer: 'adam', weightDecay: 0 });
    expect(await lossOf({ optimizer: 'adamw', weightDecay: 0 })).toBe(adam);
    expect(await lossOf({ optimizer: 'adamw', weightDecay: 0.05 })).not.toBe(adam);
    const sgd = await lossOf({ optimizer: 'sgd', lr: 0.05 });
    expect(Number.isFinite(sgd)).toBe(true);
    expect(sgd).not.toBe(adam);
  });

  it('Reset ends a run and drops its network: predictions are untrained again', async () => {
    const run = makeTrainer((event, t) => {
      if (event.type === 'epoch' && event.metrics.epoch === 1) t.reset();
    });
    const digit = Float32Array.from(data.test.images.subarray(0, IMAGE_SIZE), (p) => p / 255);
    const untrained = await run.trainer.predict(digit);
    await runToEnd(run, config);
    expect(run.events.find((e) => e.type === 'done')).toMatchObject({ reason: 'stopped' });
    expect(epochs(run.events)).toHaveLength(1);
    const after = await run.trainer.predict(digit);
    expect(after.trained).toBe(false);
    expect(after.probabilities).toEqual(untrained.probabilities);
  });

  it('pauses between batches, resumes where it was, and stops early keeping the weights', async () => {
    let paused = false;
    let progressWhilePaused = -1;
    const run = makeTrainer((event, t) => {
      if (event.type === 'progress' && !paused) {
        paused = true;
        t.pause();
        // While paused nothing trains: count what arrives in the pause, then resume.
        const seen = run.events.length;
        setTimeout(() => {
          progressWhilePaused = run.events.slice(seen).filter((e) => e.type === 'progress' || e.type === 'epoch').length;
          t.resume();
        }, 300);
      }
      if (event.type === 'epoch' && event.metrics.epoch === 1) t.stop();
    });
    const { events } = run;
    await runToEnd(run, config);
    expect(progressWhilePaused).toBe(0);
    const states = events.filter((e) => e.type === 'state').map((e) => (e as { state: string }).state);
    expect(states).toEqual(['running', 'paused', 'running', 'idle']);
    expect(epochs(events)).toHaveLength(1);
    expect(events.find((e) => e.type === 'done')).toMatchObject({ reason: 'stopped' });
  });

  it('ignores a second start while a run exists', async () => {
    let starts = 0;
    const run = makeTrainer((event, t) => {
      if (event.type === 'progress' && starts++ === 0) t.start(config, 'second');
    });
    await runToEnd(run, { ...config, epochs: 1 });
    expect(run.events.filter((e) => e.type === 'done')).toHaveLength(1);
    expect(epochs(run.events)).toHaveLength(1);
  });

  it('predicts before any run (untrained) and with the trained weights after one', async () => {
    const run = makeTrainer();
    const digit = Float32Array.from(data.test.images.subarray(3 * IMAGE_SIZE, 4 * IMAGE_SIZE), (p) => p / 255);
    const before = await run.trainer.predict(digit);
    expect(before.trained).toBe(false);
    expect(before.probabilities).toHaveLength(10);
    expect(before.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    await runToEnd(run, config);
    const after = await run.trainer.predict(digit);
    expect(after.trained).toBe(true);
    expect(after.probabilities).not.toEqual(before.probabilities);
    await expect(run.trainer.predict(new Float32Array(10))).rejects.toThrow('784 pixels');
  });

  it('reports a confusion matrix that sums to the test images and agrees with the accuracy, and the mistakes', async () => {
    const run = makeTrainer();
    await runToEnd(run, { ...config, epochs: 1 });
    const epoch = run.events.find((e) => e.type === 'epoch');
    if (epoch?.type !== 'epoch') throw new Error('no epoch event');
    const { insight, metrics } = epoch;
    expect(insight.confusion).toHaveLength(100);
    expect(insight.evaluated).toBe(40);
    expect(insight.confusion.reduce((a, b) => a + b, 0)).toBe(40);
    const diagonal = Array.from({ length: 10 }, (_, d) => insight.confusion[11 * d]).reduce((a, b) => a + b, 0);
    expect((100 * diagonal) / 40).toBeCloseTo(metrics.testAccuracy, 9);
    expect(insight.misclassifiedCount).toBe(40 - diagonal);
    // Each row holds the test images of that true digit (4 of each in the toy test set).
    for (let label = 0; label < 10; label++) {
      expect(insight.confusion.slice(10 * label, 10 * label + 10).reduce((a, b) => a + b, 0)).toBe(4);
    }
    for (const example of insight.misclassified) {
      expect(example.predicted).not.toBe(example.label);
      expect(data.test.labels[example.index]).toBe(example.label);
      expect(Array.from(example.pixels)).toEqual(Array.from(data.test.images.subarray(example.index * IMAGE_SIZE, (example.index + 1) * IMAGE_SIZE)));
    }
  });

  it('returns the three conv blocks\' activations with a prediction when asked, and leaks nothing', async () => {
    const run = makeTrainer();
    const digit = Float32Array.from(data.test.images.subarray(0, IMAGE_SIZE), (p) => p / 255);
    await run.trainer.predict(digit, true); // creates the initial weights
    const before = tf.memory().numTensors;
    const { featureMaps, probabilities } = await run.trainer.predict(digit, true);
    expect(tf.memory().numTensors).toBe(before);
    expect(featureMaps?.map((m) => [m.layer, m.height, m.width, m.channels, m.values.length])).toEqual([
      ['conv1', 28, 28, 32, 28 * 28 * 32],
      ['conv2', 14, 14, 64, 14 * 14 * 64],
      ['conv3', 7, 7, 128, 7 * 7 * 128],
    ]);
    for (const map of featureMaps ?? []) expect(Math.min(...map.values)).toBeGreaterThanOrEqual(0); // after the ReLU
    expect((await run.trainer.predict(digit)).featureMaps).toBeUndefined();
    expect((await run.trainer.predict(digit)).probabilities).toEqual(probabilities);
  });
});
