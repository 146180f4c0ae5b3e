/**
 * A training step and a classification spread over a pool: the coordinator takes the first shard and
 * the pool workers the others, in order. With no pool (one worker) they are the plain single-worker
 * computations, so callers have one code path.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE } from '../data/batches';
import type { SpecNetwork } from '../model/specNetwork';
import type { TrainingOptimizer } from '../training/optimizer';
import { trainStep } from '../training/trainStep';
import { readFlat } from './flatValues';
import { shardRanges, type ShardRange } from './shards';
import { applyShares, classifyBlock, shardShare, shareFromArrays } from './shardStep';
import type { Classified, WorkerPool } from './workerPool';

/** A batch as plain arrays: normalized pixels [rows, 28, 28, 1], labels, and its dropout. */
export interface ArrayBatch {
  images: Float32Array;
  labels: Int32Array;
  dropoutRate: number;
  dropoutSeed: number;
}

/** From the pool's next request on, its workers compute with this network (copies of its state). */
export async function shareWeights(pool: WorkerPool, network: SpecNetwork): Promise<void> {
  const tensors = network.layouts.map((layout) => (network.params.get(layout.name) ?? network.buffers.get(layout.name)) as tf.Variable);
  const values = pool.weightBuffer(tensors.reduce((n, t) => n + t.size, 0));
  await readFlat(tensors, values);
  pool.setWeights({ spec: network.spec, values });
}

/** BatchNorm normalizes by the whole batch's statistics, which no shard of it has: such a network trains on one worker. */
export function trainsOnPool(network: SpecNetwork): boolean {
  return !network.spec.convBlocks.some((block) => block.batchNorm);
}

const imagesOf = (images: Float32Array, range: ShardRange) => images.subarray(range.start * IMAGE_SIZE, range.end * IMAGE_SIZE);

/**
 * One optimizer step on the batch; returns [loss, correct] still on the device, as `trainStep` does.
 * On a pool, this worker computes the first shard's gradient share while the pool workers compute the
 * others; the shares are added in shard order and this worker's optimizer takes the one step (the pool
 * workers get the new weights with their next request). A network with BatchNorm trains here alone (`trainsOnPool`).
 */
export async function trainStepOnPool(pool: WorkerPool | null, network: SpecNetwork, optimizer: TrainingOptimizer<string>, batch: ArrayBatch): Promise<tf.Tensor1D> {
  const rows = batch.labels.length;
  const { dropoutRate, dropoutSeed } = batch;
  if (!pool || !trainsOnPool(network)) {
    const images = tf.tensor4d(batch.images, [rows, 28, 28, 1]);
    const labels = tf.tensor1d(batch.labels, 'int32');
    try {
      return trainStep(network, optimizer, { images, labels, dropoutRate, dropoutSeed });
    } finally {
      tf.dispose([images, labels]);
    }
  }
  await shareWeights(pool, network);
  const [own, ...others] = shardRanges(0, rows, pool.size);
  const remote = pool.shares(
    others.map((range) => ({
      images: imagesOf(batch.images, range),
      labels: batch.labels.subarray(range.start, range.end),
      offset: range.start,
      total: rows,
      dropoutRate,
      dropoutSeed,
    })),
  );
  const images = tf.tensor4d(imagesOf(batch.images, own), [own.end - own.start, 28, 28, 1]);
  const labels = tf.tensor1d(batch.labels.subarray(own.start, own.end), 'int32');
  let local;
  try {
    local = shardShare(network, { images, labels, offset: 0, total: rows, dropoutRate, dropoutSeed });
  } catch (error) {
    remote.catch(() => undefined); // this step has failed already; the pool's answer no longer matters
    throw error;
  } finally {
    tf.dispose([images, labels]);
  }
  let shares;
  try {
    shares = (await remote).map((arrays, i) => {
      const share = shareFromArrays(network, arrays);
      pool.giveBack(i, arrays.grads);
      return share;
    });
  } catch (error) {
    tf.dispose([...local.grads, local.loss, local.correct]);
    throw error;
  }
  return applyShares(network, optimizer, [local, ...shares]);
}

/**
 * Eval-mode predictions for `rows` normalized images, split over the pool in order when there is one;
 * the pool's workers compute with the weights last shared (`shareWeights`), which must be `network`'s.
 */
export async function classifyOnPool(pool: WorkerPool | null, network: SpecNetwork, images: Float32Array, rows: number): Promise<Classified> {
  if (!pool) return classifyBlock(network, images, rows);
  const [own, ...others] = shardRanges(0, rows, pool.size);
  const remote = pool.classify(others.map((range) => imagesOf(images, range)));
  const [mine, theirs] = await Promise.all([classifyBlock(network, imagesOf(images, own), own.end - own.start), remote]);
  const blocks = [mine, ...theirs];
  return {
    predicted: concatenated(blocks.map((block) => block.predicted), Int32Array),
    confidence: concatenated(blocks.map((block) => block.confidence), Float32Array),
  };
}

function concatenated<T extends Int32Array | Float32Array>(parts: T[], Type: { new (length: number): T }): T {
  const out = new Type(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
