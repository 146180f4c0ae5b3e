/**
 * A data-parallel training step, in two halves: each worker computes its shard's share of the batch's
 * gradient, and the coordinator adds the shares in shard order and takes the one optimizer step. The
 * shares add up to the one-worker step's gradient (the batch mean's) because each is the gradient of the
 * shard's loss *sum* over the whole batch's size, and the dropout masks are the whole batch's rows.
 * (A network with BatchNorm cannot be split so: its batch statistics are the whole batch's.)
 */
import * as tf from '@tensorflow/tfjs';
import { specForward, type SpecNetwork } from '../model/specNetwork';
import type { TrainingOptimizer } from '../training/optimizer';
import { readFlat, tensorsFromFlat } from './flatValues';
import type { ShareArrays } from './poolProtocol';
import type { Classified } from './workerPool';

export interface ShardInput {
  /** Normalized pixels of the shard's images, [rows, 28, 28, 1]. */
  images: tf.Tensor4D;
  labels: tf.Tensor1D;
  /** The shard's first row within its batch, and the batch's size. */
  offset: number;
  total: number;
  dropoutRate: number;
  dropoutSeed: number;
}

/** A shard's share: gradients in the network's parameter order, its loss sum over the batch size, its correct count. */
export interface ShardShare {
  grads: tf.Tensor[];
  loss: tf.Scalar;
  correct: tf.Scalar;
}

/** The shard's share of the batch's gradient, loss and accuracy (tensors the caller disposes). */
export function shardShare(network: SpecNetwork, shard: ShardInput): ShardShare {
  return tf.tidy(() => {
    let correct: tf.Scalar | undefined;
    const variables = [...network.params.values()];
    const { value: loss, grads } = tf.variableGrads(() => {
      const { logits } = specForward(network, shard.images, {
        training: true,
        dropoutRate: shard.dropoutRate,
        dropoutSeed: shard.dropoutSeed,
        batchRows: { offset: shard.offset, total: shard.total },
      });
      correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), shard.labels), 'float32')) as tf.Scalar);
      const logProbOfLabel = tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(shard.labels, logits.shape[1])), 1);
      return tf.div(tf.neg(tf.sum(logProbOfLabel)), shard.total) as tf.Scalar;
    }, variables);
    const counted = correct as tf.Scalar;
    const share = { grads: variables.map((variable) => grads[variable.name]), loss, correct: tf.clone(counted) };
    counted.dispose(); // kept past variableGrads' inner scope, so tidy would not free it
    return share;
  });
}

/** How many values a share's gradients have: the network's trainable parameters. */
export function gradientLength(network: SpecNetwork): number {
  return [...network.params.values()].reduce((n, variable) => n + variable.size, 0);
}

/** A share as plain values, its gradients written into `grads` (`gradientLength` long); the tensors are disposed. */
export async function readShare(share: ShardShare, grads: Float32Array): Promise<ShareArrays> {
  try {
    await readFlat(share.grads, grads);
    const [loss] = await share.loss.data();
    const [correct] = await share.correct.data();
    return { grads, loss, correct };
  } finally {
    tf.dispose([...share.grads, share.loss, share.correct]);
  }
}

/** A share read back from another worker, as tensors on this one (`arrays` may be reused at once). */
export function shareFromArrays(network: SpecNetwork, arrays: ShareArrays): ShardShare {
  return {
    grads: tensorsFromFlat(arrays.grads, [...network.params.values()].map((variable) => variable.shape)),
    loss: tf.scalar(arrays.loss),
    correct: tf.scalar(arrays.correct),
  };
}

/**
 * Adds the shares in the order given (always shard order, so a run is reproducible) and takes one
 * optimizer step with the sum. Returns [loss, correct] of the whole batch, still on the device, as
 * the one-worker step does; the shares are disposed.
 */
export function applyShares(network: SpecNetwork, optimizer: TrainingOptimizer<string>, shares: ShardShare[]): tf.Tensor1D {
  try {
    return tf.tidy(() => {
      const sum = (tensors: tf.Tensor[]) => tensors.slice(1).reduce((total, t) => tf.add(total, t), tensors[0]);
      const names = [...network.params.keys()];
      optimizer.applyGradients(Object.fromEntries(names.map((name, i) => [name, sum(shares.map((share) => share.grads[i]))])));
      return tf.stack([sum(shares.map((share) => share.loss)), sum(shares.map((share) => share.correct))]) as tf.Tensor1D;
    });
  } finally {
    for (const share of shares) tf.dispose([...share.grads, share.loss, share.correct]);
  }
}

/** Eval-mode predictions for a block of normalized images: each one's digit and its probability. */
export async function classifyBlock(network: SpecNetwork, images: Float32Array, rows: number): Promise<Classified> {
  const [predicted, confidence] = tf.tidy(() => {
    const { logits } = specForward(network, tf.tensor4d(images, [rows, 28, 28, 1]), { training: false, dropoutRate: 0 });
    const probabilities = tf.softmax(logits);
    return [tf.argMax(probabilities, 1), tf.max(probabilities, 1)];
  });
  try {
    const [predictedValues, confidenceValues] = await Promise.all([predicted.data(), confidence.data()]);
    return { predicted: Int32Array.from(predictedValues), confidence: Float32Array.from(confidenceValues) };
  } finally {
    tf.dispose([predicted, confidence]);
  }
}
