/**
 * Data parallelism changes nothing but the speed: the same batches with the same dropout seeds, split
 * over 1, 2, 3 or 4 shards whose shares are added in order, give the losses and weights of the one-worker
 * `trainStep`, step after step (to float32 rounding of the sums).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadParityFixture } from '../../../fixtures/parity/loadParityFixture';
import { SIMPLE_CNN_SPEC } from '../../shared/arch/archSpec';
import { registerWasmTrainingKernels } from '../backends/wasmKernels';
import { gatherImages, gatherLabels, sequentialOrder } from '../data/batches';
import { createSpecNetwork, disposeSpecNetwork, initialSpecValues, readSpecNetworkValues } from '../model/specNetwork';
import { SeededRandom } from '../training/random';
import { createOptimizer } from '../training/optimizer';
import { trainStep } from '../training/trainStep';
import { shardRanges } from './shards';
import { applyShares, gradientLength, readShare, shardShare, shareFromArrays } from './shardStep';

const fixture = loadParityFixture();
const { batches, batchSize } = fixture.meta;
const order = sequentialOrder(batches * batchSize);
const labels = Uint8Array.from(fixture.meta.labels);
const STEPS = 5;
const DROPOUT = 0.25;

/** Losses and final weights of STEPS Adam steps over the fixture's batches, split into `shards` per batch. */
async function train(shards: number): Promise<{ losses: number[]; correct: number[]; weights: Map<string, Float32Array> }> {
  const network = createSpecNetwork(SIMPLE_CNN_SPEC, initialSpecValues(SIMPLE_CNN_SPEC, new SeededRandom(7)));
  const optimizer = createOptimizer('adam', network.params, { lr: 1e-3, weightDecay: 1e-4 });
  const losses: number[] = [];
  const correct: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const start = (step % batches) * batchSize;
    const end = start + batchSize;
    const dropoutSeed = 1000 + step;
    let result: tf.Tensor1D;
    if (shards === 0) {
      const images = tf.tensor4d(gatherImages(fixture.images, order, start, end), [batchSize, 28, 28, 1]);
      const y = tf.tensor1d(gatherLabels(labels, order, start, end), 'int32');
      result = trainStep(network, optimizer, { images, labels: y, dropoutRate: DROPOUT, dropoutSeed });
      tf.dispose([images, y]);
    } else {
      const shares = [];
      for (const [i, range] of shardRanges(start, end, shards).entries()) {
        const images = tf.tensor4d(gatherImages(fixture.images, order, range.start, range.end), [range.end - range.start, 28, 28, 1]);
        const y = tf.tensor1d(gatherLabels(labels, order, range.start, range.end), 'int32');
        const share = shardShare(network, { images, labels: y, offset: range.start - start, total: batchSize, dropoutRate: DROPOUT, dropoutSeed });
        tf.dispose([images, y]);
        // Every shard but the first crosses to the coordinator as arrays, as from a pool worker.
        shares.push(i === 0 ? share : shareFromArrays(network, await readShare(share, new Float32Array(gradientLength(network)))));
      }
      result = applyShares(network, optimizer, shares);
    }
    const [loss, right] = await result.data();
    result.dispose();
    losses.push(loss);
    correct.push(right);
  }
  const weights = await readSpecNetworkValues(network);
  optimizer.dispose();
  disposeSpecNetwork(network);
  return { losses, correct, weights };
}

function relativeDifference(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(diff / norm);
}

describe('a data-parallel step on the wasm backend', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
  });
  afterAll(() => tf.disposeVariables());

  it('gives the one-worker losses, accuracy and weights with 1, 2, 3 and 4 shards, dropout on', async () => {
    const single = await train(0);
    for (const shards of [1, 2, 3, 4]) {
      const split = await train(shards);
      split.losses.forEach((loss, step) => expect(Math.abs(loss - single.losses[step]), `${shards} shards, step ${step + 1}`).toBeLessThan(1e-5));
      expect(split.correct).toEqual(single.correct);
      for (const [name, weights] of single.weights) {
        expect(relativeDifference(split.weights.get(name) as Float32Array, weights), `${shards} shards, ${name}`).toBeLessThan(1e-5);
      }
    }
  });

  it('leaves no tensor behind', async () => {
    const before = tf.memory().numTensors;
    await train(3);
    expect(tf.memory().numTensors).toBe(before);
  });
});
