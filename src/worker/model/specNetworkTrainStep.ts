/**
 * One training step of a spec network: `trainStep` (training/trainStep.ts) for any architecture, plus the
 * BatchNorm running statistics, which the forward pass returns and this step sets after the optimizer's
 * update (a variable cannot be assigned inside `tf.variableGrads`).
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainingOptimizer } from '../training/optimizer';
import { countCorrect, crossEntropy, type StepInput } from '../training/trainStep';
import { applyRunningStats, specForward, type RunningStatUpdate, type SpecNetwork } from './specNetwork';

/**
 * Forward in training mode, backward, one optimizer update, then the running statistics. Returns
 * [loss, correct] as one small tensor the caller reads asynchronously (and disposes).
 */
export function specTrainStep(network: SpecNetwork, optimizer: TrainingOptimizer<string>, input: StepInput): tf.Tensor1D {
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
    const gradsByParam = Object.fromEntries([...network.params].map(([name, variable]) => [name, grads[variable.name]]));
    optimizer.applyGradients(gradsByParam);
    applyRunningStats(network, runningStats);
    const counted = correct as tf.Scalar;
    const result = tf.stack([loss, counted]) as tf.Tensor1D;
    counted.dispose();
    return result;
  });
}
