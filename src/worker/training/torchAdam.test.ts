import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TORCH_ADAM_DEFAULTS, TorchAdam, adamStepFactors } from './torchAdam';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Element-wise Adam in plain double-precision JS, written from PyTorch's documented algorithm. */
function referenceAdam(p0: number[], gradsPerStep: number[][], lrs: number[], weightDecay: number): number[] {
  const { beta1, beta2, eps } = TORCH_ADAM_DEFAULTS;
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  gradsPerStep.forEach((grad, s) => {
    const t = s + 1;
    for (let i = 0; i < p.length; i++) {
      const g = grad[i] + weightDecay * p[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      const mHat = m[i] / (1 - beta1 ** t);
      const vHat = v[i] / (1 - beta2 ** t);
      p[i] -= (lrs[s] * mHat) / (Math.sqrt(vHat) + eps);
    }
  });
  return p;
}

describe('TorchAdam', () => {
  it('matches the PyTorch Adam algorithm, L2 decay in the gradient, across learning-rate changes', () => {
    const p0 = [0.5, -0.25, 1e-3, 0, 2];
    const grads = [
      [0.1, -0.2, 0.3, 1e-6, -0.5],
      [0.05, 0.2, -0.3, 0, 0.5],
      [-0.1, 0.1, 0.2, 1e-3, 0.01],
    ];
    const lrs = [1e-2, 1e-2, 5e-3];
    const weightDecay = 0.1;
    const param = tf.variable(tf.tensor1d(p0));
    const adam = new TorchAdam(new Map([['p', param]]), { ...TORCH_ADAM_DEFAULTS, lr: lrs[0], weightDecay });
    grads.forEach((g, s) => {
      adam.options.lr = lrs[s];
      const grad = tf.tensor1d(g);
      adam.applyGradients({ p: grad });
      grad.dispose();
    });
    const expected = referenceAdam(p0, grads, lrs, weightDecay);
    const actual = Array.from(param.dataSync());
    actual.forEach((x, i) => expect(x).toBeCloseTo(expected[i], 6));
    expect(adam.step).toBe(3);
    adam.dispose();
    param.dispose();
  });

  it('is not AdamW: with zero gradient, decay moves weights by about lr per step, not lr·λ·p', () => {
    const param = tf.variable(tf.tensor1d([1]));
    const adam = new TorchAdam(new Map([['p', param]]), { ...TORCH_ADAM_DEFAULTS, lr: 0.01, weightDecay: 1e-4 });
    const zero = tf.zeros([1]);
    adam.applyGradients({ p: zero });
    // Adam normalizes the decay term: the first step is lr·sign(λp) = 0.01 (AdamW would move 1e-6).
    expect(param.dataSync()[0]).toBeCloseTo(0.99, 5);
    tf.dispose([zero, param]);
    adam.dispose();
  });

  it('bias-corrects from the first step', () => {
    const f = adamStepFactors(1, { ...TORCH_ADAM_DEFAULTS, lr: 1e-3, weightDecay: 0 });
    expect(f.stepSize).toBeCloseTo(1e-3 / 0.1, 12);
    expect(f.sqrtBiasCorrection2).toBeCloseTo(Math.sqrt(0.001), 12);
  });

  it('creates no tensors per step', () => {
    const param = tf.variable(tf.randomNormal([4, 4]));
    const adam = new TorchAdam(new Map([['p', param]]), { ...TORCH_ADAM_DEFAULTS, lr: 1e-3, weightDecay: 1e-4 });
    const grad = tf.randomNormal([4, 4]);
    adam.applyGradients({ p: grad });
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) adam.applyGradients({ p: grad });
    expect(tf.memory().numTensors).toBe(after1);
    tf.dispose([grad, param]);
    adam.dispose();
  });
});
