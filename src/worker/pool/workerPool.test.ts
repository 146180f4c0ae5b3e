/**
 * The pool as the trainer uses it, with in-process replicas: 1, 2 and 4 workers give one run's epoch
 * losses (to float rounding: the shares are summed in another order) and accuracies (the whole batch's dropout masks, the shares added in order), and a worker that
 * fails or stops answering fails the step instead of hanging it.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SIMPLE_CNN_SPEC } from '../../shared/arch/archSpec';
import { DEFAULT_CONFIG, type TrainConfig } from '../../shared/config';
import type { EpochMetrics, WorkerEvent } from '../../shared/protocol';
import { registerWasmTrainingKernels } from '../backends/wasmKernels';
import { IMAGE_SIZE } from '../data/batches';
import { createSpecNetwork, disposeSpecNetwork, initialSpecValues } from '../model/specNetwork';
import { createOptimizer } from '../training/optimizer';
import { SeededRandom } from '../training/random';
import { toySplit } from '../training/testing/toyData';
import { Trainer, type Dataset } from '../training/trainer';
import { trainStepOnPool } from './poolStep';
import { inProcessPool, type FakePort } from './testing/inProcessPool';
import type { PoolCommand } from './poolProtocol';
import type { WorkerPool } from './workerPool';

const data: Dataset = { train: toySplit(150, 1), test: toySplit(70, 2) };
// 150 images in batches of 64: two full batches and a last one of 22, split 11 + 11 on two workers.
const config: TrainConfig = { ...DEFAULT_CONFIG, epochs: 2, batch: 64, trainSize: 150, testSize: 70, seed: 5, lr: 3e-3 };

async function train(pool: WorkerPool | null): Promise<{ rows: EpochMetrics[]; tensorCounts: number[] }> {
  const rows: EpochMetrics[] = [];
  const tensorCounts: number[] = [];
  await new Promise<void>((resolve, reject) => {
    const trainer = new Trainer(
      data,
      (event: WorkerEvent) => {
        if (event.type === 'epoch') {
          rows.push(event.metrics);
          tensorCounts.push(event.numTensors);
        }
        if (event.type === 'error') reject(new Error(event.message));
        if (event.type === 'done') resolve();
      },
      config,
    );
    trainer.setPool(pool);
    trainer.start(config, `pool-${pool?.size ?? 1}`);
  });
  return { rows, tensorCounts };
}

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

afterEach(() => vi.useRealTimers());

describe('training on a pool', () => {
  it('gives the one-worker epoch losses and accuracies with 2 and 4 workers', async () => {
    const single = await train(null);
    for (const size of [2, 4]) {
      const pool = await inProcessPool(size);
      const split = await train(pool);
      pool?.terminate();
      expect(split.rows.map((r) => r.epoch)).toEqual([1, 2]);
      split.rows.forEach((row, i) => {
        expect(Math.abs(row.loss - single.rows[i].loss), `${size} workers, epoch ${i + 1} loss`).toBeLessThan(1e-4);
        expect(row.trainAccuracy, `${size} workers, epoch ${i + 1}`).toBe(single.rows[i].trainAccuracy);
        expect(row.testAccuracy, `${size} workers, epoch ${i + 1}`).toBe(single.rows[i].testAccuracy);
      });
      expect(split.tensorCounts[1]).toBe(split.tensorCounts[0]);
    }
  });

  it('reports each pool worker\'s memory with its answers', async () => {
    const pool = await inProcessPool(3);
    expect(pool?.memory()).toEqual([null, null]);
    await train(pool);
    const memory = pool?.memory() ?? [];
    expect(memory).toHaveLength(2);
    for (const figures of memory) expect(figures?.numTensors).toBeGreaterThan(0);
    pool?.terminate();
  });
});

describe('buffers between the workers', () => {
  it('moves weights, pixels and gradients without copies and hands each buffer back for the next step', async () => {
    const ports: FakePort[] = [];
    const pool = (await inProcessPool(2, ports)) as WorkerPool;
    const sent: { spare: number[]; moved: number }[] = [];
    const port = ports[0];
    const send = port.postMessage.bind(port);
    port.postMessage = (message: PoolCommand, transfer?: Transferable[] | StructuredSerializeOptions) => {
      const moved = Array.isArray(transfer) ? transfer : [];
      if (message.type === 'share') sent.push({ spare: message.spare.map((b) => b.byteLength), moved: moved.length });
      send(message, moved);
    };
    const network = createSpecNetwork(SIMPLE_CNN_SPEC, initialSpecValues(SIMPLE_CNN_SPEC, new SeededRandom(0)));
    const optimizer = createOptimizer('adam', network.params, { lr: 1e-3, weightDecay: 0 });
    const random = new SeededRandom(4);
    const batch = {
      images: Float32Array.from({ length: 8 * IMAGE_SIZE }, () => random.next()),
      labels: Int32Array.from({ length: 8 }, () => random.nextInt(10)),
      dropoutRate: 0.25,
      dropoutSeed: 1,
    };
    for (let step = 0; step < 3; step++) tf.dispose(await trainStepOnPool(pool, network, optimizer, batch));
    // The caller's batch stays whole: the pool worker's shard was copied into a buffer of the pool's.
    expect(batch.images.length).toBe(8 * IMAGE_SIZE);
    expect(batch.labels.length).toBe(8);
    // Every command moves images, labels and the new weights; from the second on also the last
    // answer's gradient buffer (390,410 floats), handed back for reuse.
    expect(sent).toEqual([
      { spare: [], moved: 3 },
      { spare: [390_410 * 4], moved: 4 },
      { spare: [390_410 * 4], moved: 4 },
    ]);
    optimizer.dispose();
    disposeSpecNetwork(network);
    pool.terminate();
  });
});

describe('a pool worker that fails', () => {
  const batch = () => {
    const random = new SeededRandom(3);
    return {
      images: Float32Array.from({ length: 8 * IMAGE_SIZE }, () => random.next()),
      labels: Int32Array.from({ length: 8 }, () => random.nextInt(10)),
      dropoutRate: 0.25,
      dropoutSeed: 1,
    };
  };

  async function step(pool: WorkerPool): Promise<number> {
    const network = createSpecNetwork(SIMPLE_CNN_SPEC, initialSpecValues(SIMPLE_CNN_SPEC, new SeededRandom(0)));
    const optimizer = createOptimizer('adam', network.params, { lr: 1e-3, weightDecay: 0 });
    try {
      const result = await trainStepOnPool(pool, network, optimizer, batch());
      const [loss] = await result.data();
      result.dispose();
      return loss;
    } finally {
      optimizer.dispose();
      disposeSpecNetwork(network);
    }
  }

  it('fails the step when a worker stops answering, after ten times its slowest answer (10 s at least)', async () => {
    const ports: FakePort[] = [];
    const pool = (await inProcessPool(2, ports)) as WorkerPool;
    expect(Number.isFinite(await step(pool))).toBe(true);
    const before = tf.memory().numTensors;
    ports[0].crash();
    vi.useFakeTimers();
    const failed = step(pool).then(
      () => 'answered',
      (error: Error) => error.message,
    );
    await vi.advanceTimersByTimeAsync(9_000);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await failed).toMatch(/did not answer for 10 s/);
    expect(tf.memory().numTensors).toBe(before);
    // A broken pool refuses at once from then on.
    vi.useRealTimers();
    await expect(step(pool)).rejects.toThrow(/did not answer/);
    pool.terminate();
  });

  it('fails the step with the worker\'s own message when it reports a failure', async () => {
    const ports: FakePort[] = [];
    const pool = (await inProcessPool(2, ports)) as WorkerPool;
    const port = ports[0];
    const original = port.postMessage.bind(port);
    port.postMessage = () => port.onmessage?.call(port as unknown as Worker, { data: { type: 'failed', id: 0, message: 'out of memory' } } as MessageEvent);
    await expect(step(pool)).rejects.toThrow('A pool worker failed: out of memory');
    port.postMessage = original;
    pool.terminate();
  });
});
