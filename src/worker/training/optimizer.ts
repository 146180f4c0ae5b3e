/**
 * What the training loop needs from an optimizer, and a factory over the kinds the UI offers
 * (shared/optimizers.ts). All three implementations follow PyTorch 1.13 exactly; see their files.
 */
import type * as tf from '@tensorflow/tfjs';
import { OPTIMIZER_KINDS, type OptimizerKind } from '../../shared/optimizers';
import { TORCH_ADAM_DEFAULTS, TorchAdam } from './torchAdam';
import { TorchAdamW } from './torchAdamW';
import { TORCH_SGD_DEFAULTS, TorchSgd } from './torchSgd';

export { OPTIMIZER_KINDS, isOptimizerKind, type OptimizerKind } from '../../shared/optimizers';

/**
 * An optimizer's state for checkpointing: the step count and, per parameter, its slots named as in
 * PyTorch's `optimizer.state[p]` (`exp_avg`/`exp_avg_sq` for Adam and AdamW, `momentum_buffer` for SGD).
 * The tensors are the optimizer's live variables: read, do not dispose.
 */
export interface OptimizerState<Name extends string = string> {
  step: number;
  slots: Readonly<Record<Name, Readonly<Record<string, tf.Variable>>>>;
}

/** TorchAdam, TorchAdamW and TorchSgd all satisfy this (structurally). */
export interface TrainingOptimizer<Name extends string = string> {
  /** Steps taken so far. */
  step: number;
  /** Read at every step: change `lr` (StepLR, the live slider) or `weightDecay` between steps. */
  options: { lr: number; weightDecay: number };
  /** One update from gradients keyed like the parameters; the gradients are not disposed. */
  applyGradients(grads: Readonly<Record<Name, tf.Tensor>>): void;
  getState(): OptimizerState<Name>;
  /** Frees the optimizer's slots (not the parameters). */
  dispose(): void;
}

export interface OptimizerHyperparameters {
  lr: number;
  weightDecay: number;
}

/** The class each kind builds (extending the Record makes tsc check each satisfies TrainingOptimizer). */
export interface OptimizerByKind<Name extends string = string>
  extends Record<OptimizerKind, TrainingOptimizer<Name>> {
  adam: TorchAdam<Name>;
  adamw: TorchAdamW<Name>;
  sgd: TorchSgd<Name>;
}

/**
 * A new optimizer over `params` with PyTorch's defaults for everything but lr and weight decay
 * (Adam/AdamW: betas (0.9, 0.999), eps 1e-8; SGD: momentum 0.9, dampening 0, not Nesterov).
 * `weightDecay` is L2 in the gradient for `adam` and `sgd`, decoupled for `adamw`.
 */
export function createOptimizer<Name extends string, K extends OptimizerKind>(
  kind: K,
  params: ReadonlyMap<Name, tf.Variable>,
  { lr, weightDecay }: OptimizerHyperparameters,
): OptimizerByKind<Name>[K] {
  const kindName: OptimizerKind = kind;
  switch (kindName) {
    case 'adam':
      return new TorchAdam<Name>(params, { ...TORCH_ADAM_DEFAULTS, lr, weightDecay }) as OptimizerByKind<Name>[K];
    case 'adamw':
      return new TorchAdamW<Name>(params, { ...TORCH_ADAM_DEFAULTS, lr, weightDecay }) as OptimizerByKind<Name>[K];
    case 'sgd':
      return new TorchSgd<Name>(params, { ...TORCH_SGD_DEFAULTS, lr, weightDecay }) as OptimizerByKind<Name>[K];
    default:
      throw new Error(`unknown optimizer kind ${String(kindName)}; expected one of ${OPTIMIZER_KINDS.join(', ')}`);
  }
}
