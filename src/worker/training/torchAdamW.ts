/**
 * AdamW with PyTorch's semantics (torch.optim.AdamW, 1.13): weight decay decoupled from the gradient
 * and applied to the weights before the Adam step, moments of the raw gradient, eps added to the
 * bias-corrected √v, and a learning rate that may change between steps without touching the moments.
 *
 *   p ← p·(1 − lr·λ)
 *   m ← β₁·m + (1−β₁)·∇          v ← β₂·v + (1−β₂)·∇²
 *   p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)
 *
 * Note the decay is scaled by lr (so StepLR decays it too) but not by the Adam normalization: with a
 * zero gradient a weight shrinks by lr·λ·p per step, not by about lr as in TorchAdam.
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerState } from './optimizer';
import { adamStepFactors, type AdamOptions } from './torchAdam';

interface AdamSlots {
  m: tf.Variable;
  v: tf.Variable;
}

export class TorchAdamW<Name extends string = string> {
  /** Steps taken so far (PyTorch's `state['step']`). */
  step = 0;
  private readonly moments = new Map<Name, AdamSlots>();

  constructor(
    private readonly params: ReadonlyMap<Name, tf.Variable>,
    /** Read at every step: `lr` and `weightDecay` may be changed between steps. */
    public options: AdamOptions,
  ) {
    for (const [name, param] of params) {
      this.moments.set(
        name,
        tf.tidy(() => ({ m: tf.variable(tf.zerosLike(param), false), v: tf.variable(tf.zerosLike(param), false) })),
      );
    }
  }

  /** One update from gradients keyed like the parameters. The gradients are not disposed here. */
  applyGradients(grads: Readonly<Record<Name, tf.Tensor>>): void {
    this.step += 1;
    const { lr, beta1, beta2, eps, weightDecay } = this.options;
    const { stepSize, sqrtBiasCorrection2 } = adamStepFactors(this.step, this.options);
    const decay = 1 - lr * weightDecay;
    tf.tidy(() => {
      for (const [name, param] of this.params) {
        const { m, v } = this.moments.get(name) as AdamSlots;
        const grad = grads[name];
        // Decoupled decay first, from the weights as they were before this step (PyTorch's order).
        const decayed = decay === 1 ? param : tf.mul(param, decay);
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2)));
        const denom = tf.add(tf.div(tf.sqrt(v), sqrtBiasCorrection2), eps);
        param.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), stepSize)));
      }
    });
  }

  /**
   * The optimizer's state, named as in PyTorch's `optimizer.state[p]`. The tensors are the live slots:
   * read them (e.g. to checkpoint), do not dispose or keep them past the next step.
   */
  getState(): OptimizerState<Name> {
    const slots = {} as Record<Name, Readonly<Record<string, tf.Variable>>>;
    for (const [name, { m, v }] of this.moments) slots[name] = { exp_avg: m, exp_avg_sq: v };
    return { step: this.step, slots };
  }

  dispose(): void {
    for (const { m, v } of this.moments.values()) {
      m.dispose();
      v.dispose();
    }
    this.moments.clear();
  }
}
