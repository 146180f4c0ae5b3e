/**
 * The training configuration: one typed object shared by the UI (controls, URL hash) and the worker
 * (the training loop). Defaults are the seed's recipe; every field's valid range lives here too, so
 * clamping means the same thing everywhere.
 */

import { SIMPLE_CNN_SPEC, archSpecsEqual, type ArchSpec } from './arch/archSpec';
import { OPTIMIZER_KINDS, type OptimizerKind } from './optimizers';

export const BACKEND_CHOICES = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
/** A concrete TensorFlow.js backend (what `auto` resolves to). */
export type BackendName = Exclude<BackendChoice, 'auto'>;

export interface TrainConfig {
  /** The network: conv blocks, head, dense layers (src/shared/arch). The seed's SimpleCNN by default. */
  arch: ArchSpec;
  /** Passes over the training subset. */
  epochs: number;
  /** Base learning rate, before StepLR's decay. */
  lr: number;
  /** Adam (L2 decay in the gradient, the seed's), AdamW (decoupled decay) or SGD with momentum 0.9. */
  optimizer: OptimizerKind;
  /** Mini-batch size; the last partial batch of an epoch is kept, as in PyTorch's DataLoader. */
  batch: number;
  backend: BackendChoice;
  /**
   * CPU workers that share each batch on the wasm backend (data-parallel, the same results as one):
   * 0 is `auto`, every logical core the browser reports (`navigator.hardwareConcurrency`).
   */
  workers: number;
  /** Seeds weight initialization, the per-epoch shuffle and dropout masks. */
  seed: number;
  /** Use only the first N training images. */
  trainSize: number;
  /** Evaluate on only the first N test images. */
  testSize: number;
  /** Weight decay: L2 added to the gradient for Adam and SGD, decoupled `p ← p − lr·wd·p` for AdamW. */
  weightDecay: number;
  /** StepLR: multiply the learning rate by `lrGamma` every `lrStep` epochs. */
  lrStep: number;
  lrGamma: number;
  /** Dropout probability of both dropout layers (training only). */
  dropout: number;
}

/** The seed's program, exactly. */
export const DEFAULT_CONFIG: Readonly<TrainConfig> = Object.freeze({
  arch: SIMPLE_CNN_SPEC,
  epochs: 10,
  lr: 1e-3,
  optimizer: 'adam',
  batch: 128,
  backend: 'auto',
  workers: 0,
  seed: 0,
  trainSize: 60000,
  testSize: 10000,
  weightDecay: 1e-4,
  lrStep: 7,
  lrGamma: 0.5,
  dropout: 0.25,
});

/** The most CPU workers a pool may have: past this, shards of a batch of 128 get too small to pay. */
export const MAX_WORKERS = 16;

type NumericKey = { [K in keyof TrainConfig]: TrainConfig[K] extends number ? K : never }[keyof TrainConfig];

interface NumberSpec {
  kind: 'int' | 'float' | 'pow2';
  min: number;
  max: number;
  /** The smallest value above zero, where zero is allowed but the scale is logarithmic above it. */
  minPositive?: number;
}

/** Valid ranges, keyed by config field. `pow2` fields snap to the nearest power of two. */
export const NUMBER_SPECS: Readonly<Record<NumericKey, NumberSpec>> = {
  epochs: { kind: 'int', min: 1, max: 50 },
  // The slider spans 1e-5 … 0.1; the URL may go further, to watch a run diverge (SGD at lr ≥ 1).
  lr: { kind: 'float', min: 1e-5, max: 10 },
  batch: { kind: 'pow2', min: 16, max: 1024 },
  seed: { kind: 'int', min: 0, max: 2 ** 32 - 1 },
  workers: { kind: 'int', min: 0, max: MAX_WORKERS },
  trainSize: { kind: 'int', min: 1, max: 60000 },
  testSize: { kind: 'int', min: 1, max: 10000 },
  weightDecay: { kind: 'float', min: 0, max: 1e-1, minPositive: 1e-6 },
  lrStep: { kind: 'int', min: 1, max: 50 },
  lrGamma: { kind: 'float', min: 0.01, max: 1 },
  dropout: { kind: 'float', min: 0, max: 0.9 },
};

/**
 * When a change to each field reaches a running run: `now` (the epoch count), `batch` (from the next
 * training batch, the optimizer's state kept), `epoch` (from the next epoch), or `reset` (the next run:
 * a new network, optimizer and data order).
 */
export type FieldTiming = 'now' | 'batch' | 'epoch' | 'reset';
export const FIELD_TIMING: Readonly<Record<keyof TrainConfig, FieldTiming>> = {
  epochs: 'now',
  lr: 'batch',
  weightDecay: 'batch',
  lrStep: 'batch',
  lrGamma: 'batch',
  dropout: 'batch',
  batch: 'epoch',
  optimizer: 'reset',
  arch: 'reset',
  seed: 'reset',
  trainSize: 'reset',
  testSize: 'reset',
  backend: 'reset',
  workers: 'reset',
};

/** The fields a running run picks up between batches or epochs (the others wait for Reset). */
export type LiveField = 'lr' | 'weightDecay' | 'lrStep' | 'lrGamma' | 'dropout' | 'batch';

/** Brings a finite number into its field's range; returns the value to use. */
export function clampField(key: NumericKey, value: number): number {
  const spec = NUMBER_SPECS[key];
  let v = Math.min(spec.max, Math.max(spec.min, value));
  if (spec.kind === 'int') v = Math.round(v);
  if (spec.kind === 'pow2') v = 2 ** Math.round(Math.log2(v));
  if (spec.minPositive !== undefined && v > 0 && v < spec.minPositive) v = v < spec.minPositive / 2 ? 0 : spec.minPositive;
  return v;
}

export { OPTIMIZER_KINDS, type OptimizerKind };

/** Whether two configs agree on `field` (the network by what it is, not by object identity). */
export function sameFieldValue<K extends keyof TrainConfig>(field: K, a: TrainConfig, b: TrainConfig): boolean {
  return field === 'arch' ? archSpecsEqual(a.arch, b.arch) : a[field] === b[field];
}

export function isBackendChoice(value: string): value is BackendChoice {
  return (BACKEND_CHOICES as readonly string[]).includes(value);
}
