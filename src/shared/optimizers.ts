/**
 * The optimizers the trainer offers, by name. Shared by the UI (a select, the URL hash) and the worker
 * (`createOptimizer` in worker/training/optimizer.ts), so it imports nothing, tfjs least of all.
 *
 * - `adam`:  torch.optim.Adam, L2 weight decay added to the gradient (the seed's optimizer).
 * - `adamw`: torch.optim.AdamW, decoupled weight decay p ← p·(1 − lr·λ) before the Adam step.
 * - `sgd`:   torch.optim.SGD with momentum 0.9 (dampening 0, not Nesterov), L2 weight decay.
 */
export const OPTIMIZER_KINDS = ['adam', 'adamw', 'sgd'] as const;
export type OptimizerKind = (typeof OPTIMIZER_KINDS)[number];

export function isOptimizerKind(value: unknown): value is OptimizerKind {
  return typeof value === 'string' && (OPTIMIZER_KINDS as readonly string[]).includes(value);
}
