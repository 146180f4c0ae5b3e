/** One training step and the evaluation, with the seed's loss and accuracy definitions. */
import * as tf from '@tensorflow/tfjs';
import { applyRunningStats, specForward, type RunningStatUpdate, type SpecNetwork } from '../model/specNetwork';
import type { TrainingOptimizer } from './optimizer';

/** nn.CrossEntropyLoss(): softmax cross-entropy of integer labels, averaged over the batch. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logProbOfLabel = tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(labels, logits.shape[1])), 1);
    return tf.neg(tf.mean(logProbOfLabel) as tf.Scalar);
  });
}

/** How many rows of `logits` have their maximum at the label (`(out.argmax(1) == y).sum()`). */
export function countCorrect(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')));
}

export interface StepInput {
  images: tf.Tensor4D;
  labels: tf.Tensor1D;
  dropoutRate: number;
  dropoutSeed: number;
}

/**
 * Forward in training mode, backward, one optimizer update, then BatchNorm's running statistics (which
 * the forward returns, since a variable cannot be assigned inside `tf.variableGrads`). Returns [loss,
 * correct] as one small tensor the caller reads asynchronously (and disposes), so nothing here waits for
 * the device.
 */
export function trainStep(network: SpecNetwork, optimizer: TrainingOptimizer<string>, input: StepInput): tf.Tensor1D {
  return tf.tidy(() => {
    let correct: tf.Scalar | undefined;
    let runningStats: RunningStatUpdate[] = [];
    const { value: loss, grads } = tf.variableGrads(() => {
      const forward = specForward(network, input.images, {
        training: true,
        dropoutRate: input.dropoutRate,
        dropoutSeed: input.dropoutSeed,
      });
      // Kept past variableGrads' inner scope; applyRunningStats and the dispose below free them.
      runningStats = forward.runningStats.map(({ name, value }) => ({ name, value: tf.keep(value) }));
      // The seed counts train accuracy on the same training-mode outputs the loss is computed from.
      correct = tf.keep(countCorrect(forward.logits, input.labels));
      return crossEntropy(forward.logits, input.labels);
    }, [...network.params.values()]);
    optimizer.applyGradients(Object.fromEntries([...network.params].map(([name, variable]) => [name, grads[variable.name]])));
    applyRunningStats(network, runningStats);
    const counted = correct as tf.Scalar;
    const result = tf.stack([loss, counted]) as tf.Tensor1D;
    counted.dispose(); // kept past variableGrads' inner scope, so tidy would not free it
    return result;
  });
}
