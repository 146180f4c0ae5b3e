/**
 * SGD with momentum and PyTorch's semantics (torch.optim.SGD(lr, momentum, weight_decay), dampening 0,
 * nesterov false). L2 weight decay is added to the gradient; the momentum buffer starts as the first
 * step's gradient (PyTorch clones it; it does not decay a zero buffer), and the learning rate may change
 * between steps without touching the buffer (it multiplies the buffer, it is not folded into it).
 *
 *   g ← ∇ + λ·p
 *   b ← g                  on the first step
 *   b ← μ·b + g            afterwards
 *   p ← p − lr·b
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerState } from './optimizer';

export interface SgdOptions {
  lr: number;
  momentum: number;
  weightDecay: number;
}

/** The momentum the trainer's SGD uses (torch.optim.SGD's own default is 0, plain SGD). */
export const TORCH_SGD_MOMENTUM = 0.9;

export const TORCH_SGD_DEFAULTS: Readonly<Omit<SgdOptions, 'lr' | 'weightDecay'>> = {
  momentum: TORCH_SGD_MOMENTUM,
};

export class TorchSgd<Name extends string = string> {
  /** Steps taken so far (PyTorch keeps no counter for SGD; the buffer exists once this is ≥ 1). */
  step = 0;
  private readonly buffers = new Map<Name, tf.Variable>();

  constructor(
    private readonly params: ReadonlyMap<Name, tf.Variable>,
    /** Read at every step: `lr`, `momentum` and `weightDecay` may be changed between steps. */
    public options: SgdOptions,
  ) {
    for (const [name, param] of params) {
      this.buffers.set(name, tf.tidy(() => tf.variable(tf.zerosLike(param), false)));
    }
  }

  /** One update from gradients keyed like the parameters. The gradients are not disposed here. */
  applyGradients(grads: Readonly<Record<Name, tf.Tensor>>): void {
    this.step += 1;
    const first = this.step === 1;
    const { lr, momentum, weightDecay } = this.options;
    tf.tidy(() => {
      for (const [name, param] of this.params) {
        const buf = this.buffers.get(name) as tf.Variable;
        const grad = weightDecay === 0 ? grads[name] : tf.add(grads[name], tf.mul(param, weightDecay));
        buf.assign(first ? grad : tf.add(tf.mul(buf, momentum), grad));
        param.assign(tf.sub(param, tf.mul(buf, lr)));
      }
    });
  }

  /**
   * The optimizer's state, named as in PyTorch's `optimizer.state[p]`. `momentum_buffer` is zeros until
   * the first step (PyTorch has none then). The tensors are the live slots: read them (e.g. to
   * checkpoint), do not dispose or keep them past the next step.
   */
  getState(): OptimizerState<Name> {
    const slots = {} as Record<Name, Readonly<Record<string, tf.Variable>>>;
    for (const [name, buf] of this.buffers) slots[name] = { momentum_buffer: buf };
    return { step: this.step, slots };
  }

  dispose(): void {
    for (const buf of this.buffers.values()) buf.dispose();
    this.buffers.clear();
  }
}
