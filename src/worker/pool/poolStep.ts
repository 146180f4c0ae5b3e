/**
 * A training step and a classification spread over a pool: the coordinator takes the first shard and
 * the pool workers the others, in order. With no pool (one worker) they are the plain single-worker
 * computations, so callers have one code path.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE } from '../data/batches';
import { PARAM_NAMES, type ParamName, type Params } from '../model/simpleCnn';
import type { TrainingOptimizer } from '../training/optimizer';
import { trainStep } from '../training/trainStep';
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

/** From the pool's next request on, its workers compute with these weights (copies of them). */
export async function shareWeights(pool: WorkerPool, params: Params): Promise<void> {
  pool.setWeights(await Promise.all(PARAM_NAMES.map(async (name) => Float32Array.from((await (params.get(name) as tf.Variable).data()) as Float32Array))));
}

const imagesOf = (images: Float32Array, range: ShardRange) => images.subarray(range.start * IMAGE_SIZE, range.end * IMAGE_SIZE);

/**
 * One optimizer step on the batch; returns [loss, correct] still on the device, as `trainStep` does.
 * On a pool, this worker computes the first shard's gradient share while the pool workers compute the
 * others; the shares are added in shard order and this worker's optimizer takes the one step (the pool
 * workers get the new weights with their next request).
 */
export async function trainStepOnPool(pool: WorkerPool | null, params: Params, optimizer: TrainingOptimizer<ParamName>, batch: ArrayBatch): Promise<tf.Tensor1D> {
  const rows = batch.labels.length;
  const { dropoutRate, dropoutSeed } = batch;
  if (!pool) {
    const images = tf.tensor4d(batch.images, [rows, 28, 28, 1]);
    const labels = tf.tensor1d(batch.labels, 'int32');
    try {
      return trainStep(params, optimizer, { images, labels, dropoutRate, dropoutSeed });
    } finally {
      tf.dispose([images, labels]);
    }
  }
  await shareWeights(pool, params);
  const [own, ...others] = shardRanges(0, rows, pool.size);
  // Copies (slice), since the pool's are moved to its workers.
  const remote = pool.shares(
    others.map((range) => ({
      images: imagesOf(batch.images, range).slice(),
      labels: batch.labels.slice(range.start, range.end),
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
    local = shardShare(params, { images, labels, offset: 0, total: rows, dropoutRate, dropoutSeed });
  } catch (error) {
    remote.catch(() => undefined); // this step has failed already; the pool's answer no longer matters
    throw error;
  } finally {
    tf.dispose([images, labels]);
  }
  let shares;
  try {
    shares = (await remote).map(shareFromArrays);
  } catch (error) {
    tf.dispose([...local.grads, local.loss, local.correct]);
    throw error;
  }
  return applyShares(optimizer, [local, ...shares]);
}

/**
 * Eval-mode predictions for `rows` normalized images, split over the pool in order when there is one;
 * the pool's workers compute with the weights last shared (`shareWeights`), which must be `params`.
 */
export async function classifyOnPool(pool: WorkerPool | null, params: Params, images: Float32Array, rows: number): Promise<Classified> {
  if (!pool) return classifyBlock(params, images, rows);
  const [own, ...others] = shardRanges(0, rows, pool.size);
  const remote = pool.classify(others.map((range) => imagesOf(images, range).slice()));
  const [mine, theirs] = await Promise.all([classifyBlock(params, imagesOf(images, own), own.end - own.start), remote]);
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
