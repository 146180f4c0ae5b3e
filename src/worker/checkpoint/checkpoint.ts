/**
 * A run's complete state at an epoch's end or at a pause: enough to continue it after a reload and get
 * the same numbers as if it had never stopped (same backend). Plain data (typed arrays, numbers), so
 * IndexedDB stores it by structured clone, and `parseCheckpoint` checks a stored one before it is used.
 */
import { DEFAULT_CONFIG, type LiveField, type TrainConfig } from '../../shared/config';
import type { BatchLossPoint, CheckpointSummary, EpochMetrics, LiveChange, LossSpike, RollBackPoint } from '../../shared/protocol';
import { englishText, type CheckpointProblem } from '../../shared/texts';
import { checkArchSpec } from '../../shared/arch/validate';
import { paramLayouts } from '../../shared/arch/paramLayouts';
import { elementCount } from '../../shared/paramLayout';

export const CHECKPOINT_VERSION = 1;

export interface TrainingCheckpoint {
  version: typeof CHECKPOINT_VERSION;
  /** The UI's run record this continues. */
  runId: string;
  savedAt: number;
  reason: CheckpointSummary['reason'];
  /** The configuration the run started with (its optimizer, seed, data sizes). */
  config: TrainConfig;
  /** The live settings in effect (learning rate, decay, StepLR, dropout, batch size) and the epoch count. */
  applied: Record<LiveField, number>;
  epochs: number;
  /** The epoch in progress (0-based) and the batches of it already trained; `batch` 0 at an epoch's start. */
  epoch: number;
  batch: number;
  /** Steps since the run started. */
  step: number;
  /** That epoch's data order (null at an epoch's start: it is drawn from `randomState` then). */
  order: Uint32Array | null;
  /** The epoch's sums so far: the mean loss and train accuracy are computed from them at its end. */
  lossSum: number;
  correct: number;
  /** The run's generator, where the stream stands (shuffles and dropout seeds to come). */
  randomState: number;
  /** Every tensor of the network's state by PyTorch name (`paramLayouts(config.arch)`), running statistics included. */
  params: Record<string, Float32Array>;
  /** The optimizer's step count and its slots for each trained tensor. */
  optimizer: { step: number; slots: Record<string, Record<string, Float32Array>> };
  history: EpochMetrics[];
  batchLoss: BatchLossPoint[];
  liveChanges: LiveChange[];
  /** The loss spikes warned about so far (absent in checkpoints saved before spikes were reported). */
  lossSpikes: LossSpike[];
}

export function positionOf(checkpoint: TrainingCheckpoint): RollBackPoint {
  return { epoch: checkpoint.epoch, batch: checkpoint.batch };
}

export function summarize(checkpoint: TrainingCheckpoint): CheckpointSummary {
  return {
    runId: checkpoint.runId,
    savedAt: checkpoint.savedAt,
    reason: checkpoint.reason,
    epoch: checkpoint.epoch,
    batch: checkpoint.batch,
    epochs: checkpoint.epochs,
    config: checkpoint.config,
  };
}

const SLOT_NAMES: Readonly<Record<TrainConfig['optimizer'], readonly string[]>> = {
  adam: ['exp_avg', 'exp_avg_sq'],
  adamw: ['exp_avg', 'exp_avg_sq'],
  sgd: ['momentum_buffer'],
};

/**
 * The stored value as a checkpoint, or a sentence saying why it cannot be one (another version, a
 * missing or mis-sized tensor, a non-finite weight). Nothing is trusted before this.
 */
export function parseCheckpoint(value: unknown): { ok: true; checkpoint: TrainingCheckpoint } | { ok: false; error: string; problem: CheckpointProblem } {
  const fail = (problem: CheckpointProblem) => ({
    ok: false as const,
    error: englishText({ key: 'checkpoint.unusable', problem, deleted: false }),
    problem,
  });
  if (typeof value !== 'object' || value === null) return fail({ kind: 'notCheckpoint' });
  const c = value as Partial<TrainingCheckpoint>;
  if (c.version !== CHECKPOINT_VERSION) return fail({ kind: 'version', version: String(c.version), expected: CHECKPOINT_VERSION });
  if (typeof c.runId !== 'string' || typeof c.config !== 'object' || c.config === null) return fail({ kind: 'noRun' });
  // Checkpoints from before architectures were configurable are SimpleCNN's, the default.
  const config = { ...DEFAULT_CONFIG, ...c.config };
  const arch = checkArchSpec(config.arch);
  if (!arch.ok) return fail({ kind: 'arch', problems: arch.problems });
  config.arch = arch.spec;
  const numbers = [c.savedAt, c.epochs, c.epoch, c.batch, c.step, c.lossSum, c.correct, c.randomState];
  if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n))) return fail({ kind: 'position' });
  if (!c.params || !c.optimizer || !c.applied || !Array.isArray(c.history)) return fail({ kind: 'noWeights' });
  // Every tensor of the architecture's state (BatchNorm's running statistics too); optimizer slots for the trained ones.
  for (const layout of paramLayouts(config.arch)) {
    const { name } = layout;
    const expected = elementCount(layout.shape);
    const values = c.params[name];
    if (!(values instanceof Float32Array) || values.length !== expected) return fail({ kind: 'weightSize', name });
    if (!values.every(Number.isFinite)) return fail({ kind: 'weightNonFinite', name });
    if (!layout.trainable) continue;
    for (const slot of SLOT_NAMES[config.optimizer]) {
      const slotValues = c.optimizer.slots?.[name]?.[slot];
      if (!(slotValues instanceof Float32Array) || slotValues.length !== expected) return fail({ kind: 'optimizerSize', name, slot });
    }
  }
  if (c.order !== null && !(c.order instanceof Uint32Array)) return fail({ kind: 'order' });
  return {
    ok: true,
    checkpoint: {
      ...(c as TrainingCheckpoint),
      config,
      batchLoss: Array.isArray(c.batchLoss) ? c.batchLoss : [],
      liveChanges: Array.isArray(c.liveChanges) ? c.liveChanges : [],
      lossSpikes: Array.isArray(c.lossSpikes) ? c.lossSpikes : [],
    },
  };
}
