/**
 * The training results are the same with the optimized wasm kernels as without them: the seed's model,
 * Adam and dropout, three steps on the same batches, once on the cpu backend (tfjs's reference kernels,
 * the "before") and once on wasm with every kernel of registerWasmTrainingKernels() (the "after").
 * Each step's loss must agree to 1e-4, and the weights after the last step closely.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, expect, it } from 'vitest';
import { SIMPLE_CNN_SPEC } from '../../shared/arch/archSpec';
import { createSpecNetwork, disposeSpecNetwork, initialSpecValues, readSpecNetworkValues } from '../model/specNetwork';
import { createOptimizer } from '../training/optimizer';
import { SeededRandom } from '../training/random';
import { trainStep } from '../training/trainStep';
import { onBackend } from './testing/kernelChecks';
import { registerWasmTrainingKernels } from './wasmKernels';

const BATCH = 8;
const STEPS = 3;

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

/** Digit-like inputs: normalized noise with a bright stroke whose place depends on the label. */
function batches(): { images: Float32Array; labels: Int32Array }[] {
  const random = new SeededRandom(11);
  return Array.from({ length: STEPS }, () => {
    const images = new Float32Array(BATCH * 784);
    const labels = new Int32Array(BATCH);
    for (let n = 0; n < BATCH; n++) {
      labels[n] = random.nextInt(10);
      for (let i = 0; i < 784; i++) images[n * 784 + i] = (random.next() * 0.3 - 0.1307) / 0.3081;
      for (let y = 4; y < 24; y++) images[n * 784 + y * 28 + 4 + 2 * labels[n]] = (1 - 0.1307) / 0.3081;
    }
    return { images, labels };
  });
}

async function train(): Promise<{ losses: number[]; weights: Float32Array[] }> {
  const network = createSpecNetwork(SIMPLE_CNN_SPEC, initialSpecValues(SIMPLE_CNN_SPEC, new SeededRandom(3)));
  const optimizer = createOptimizer('adam', network.params, { lr: 1e-3, weightDecay: 1e-4 });
  const losses: number[] = [];
  const random = new SeededRandom(5);
  for (const batch of batches()) {
    const images = tf.tensor4d(batch.images, [BATCH, 28, 28, 1]);
    const labels = tf.tensor1d(batch.labels, 'int32');
    const result = trainStep(network, optimizer, { images, labels, dropoutRate: 0.25, dropoutSeed: random.nextUint32() });
    losses.push((await result.data())[0]);
    tf.dispose([images, labels, result]);
  }
  const weights = [...(await readSpecNetworkValues(network)).values()];
  optimizer.dispose();
  disposeSpecNetwork(network);
  return { losses, weights };
}

it('trains to the same losses (1e-4) and weights with the optimized wasm kernels as on the cpu reference', async () => {
  const before = await onBackend('cpu', train);
  const after = await train();
  after.losses.forEach((loss, step) => expect(Math.abs(loss - before.losses[step])).toBeLessThan(1e-4));
  expect(after.losses[STEPS - 1]).toBeLessThan(after.losses[0]);
  after.weights.forEach((values, i) => {
    let diff = 0;
    let norm = 0;
    for (let j = 0; j < values.length; j++) {
      diff += (values[j] - before.weights[i][j]) ** 2;
      norm += before.weights[i][j] ** 2;
    }
    expect(Math.sqrt(diff / norm)).toBeLessThan(1e-4);
  });
});
