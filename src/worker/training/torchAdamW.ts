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
import { AdamMoments, adamStepFactors } from './torchAdam';

export class TorchAdamW<Name extends string = string> extends AdamMoments<Name> {
  applyGradients(grads: Readonly<Record<Name, tf.Tensor>>): void {
    this.step += 1;
    const { lr, weightDecay } = this.options;
    const factors = adamStepFactors(this.step, this.options);
    const decay = 1 - lr * weightDecay;
    tf.tidy(() => {
      for (const [name, param] of this.params) {
        // Decoupled decay first, from the weights as they were before this step (PyTorch's order);
        // the moments see the raw gradient.
        const decayed = decay === 1 ? param : tf.mul(param, decay);
        this.adamUpdate(name, param, grads[name], decayed, factors);
      }
    });
  }
}
