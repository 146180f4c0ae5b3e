/**
 * Adam with PyTorch's semantics (torch.optim.Adam, 1.13), which tf.train.adam does not have:
 * L2 weight decay added to the gradient before the moments (that is what makes it Adam and not AdamW),
 * eps added to the bias-corrected √v (tfjs adds it elsewhere and defaults to 1e-7), and a learning rate
 * that may change between steps without touching the moments (StepLR, the live slider).
 *
 *   g ← ∇ + λ·p
 *   m ← β₁·m + (1−β₁)·g          v ← β₂·v + (1−β₂)·g²
 *   p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerState } from './optimizer';

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const TORCH_ADAM_DEFAULTS: Readonly<Omit<AdamOptions, 'lr' | 'weightDecay'>> = {
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
};

/** The step's scalar factors; pure, so the bias correction can be checked without tensors. */
export function adamStepFactors(step: number, options: AdamOptions): { stepSize: number; sqrtBiasCorrection2: number } {
  const biasCorrection1 = 1 - options.beta1 ** step;
  const biasCorrection2 = 1 - options.beta2 ** step;
  return { stepSize: options.lr / biasCorrection1, sqrtBiasCorrection2: Math.sqrt(biasCorrection2) };
}

/**
 * What Adam and AdamW share: the two moment slots per parameter, the step count, and the update
 * p ← from − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε) once the moments have taken `grad`. The two
 * differ only in what `grad` and `from` are (see TorchAdam and TorchAdamW).
 */
export abstract class AdamMoments<Name extends string = string> {
  /** Steps taken so far (PyTorch's `state['step']`). */
  step = 0;
  private readonly moments = new Map<Name, { m: tf.Variable; v: tf.Variable }>();

  constructor(
    protected readonly params: ReadonlyMap<Name, tf.Variable>,
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
  abstract applyGradients(grads: Readonly<Record<Name, tf.Tensor>>): void;

  /** Moments take `grad`; the parameter becomes `from` minus the bias-corrected step. Call inside a tidy. */
  protected adamUpdate(name: Name, param: tf.Variable, grad: tf.Tensor, from: tf.Tensor, factors: ReturnType<typeof adamStepFactors>): void {
    const { beta1, beta2, eps } = this.options;
    const { m, v } = this.moments.get(name) as { m: tf.Variable; v: tf.Variable };
    m.assign(tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1)));
    v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2)));
    const denom = tf.add(tf.div(tf.sqrt(v), factors.sqrtBiasCorrection2), eps);
    param.assign(tf.sub(from, tf.mul(tf.div(m, denom), factors.stepSize)));
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

/** PyTorch's Adam: L2 decay in the gradient, so the moments (and the √v normalization) see it. */
export class TorchAdam<Name extends string = string> extends AdamMoments<Name> {
  applyGradients(grads: Readonly<Record<Name, tf.Tensor>>): void {
    this.step += 1;
    const { weightDecay } = this.options;
    const factors = adamStepFactors(this.step, this.options);
    tf.tidy(() => {
      for (const [name, param] of this.params) {
        const grad = weightDecay === 0 ? grads[name] : tf.add(grads[name], tf.mul(param, weightDecay));
        this.adamUpdate(name, param, grad, param, factors);
      }
    });
  }
}
