/** Checkpoints for tests: every tensor at SimpleCNN's real size, under Adam, without training anything. */
import { SIMPLE_CNN_SPEC } from '../../../shared/arch/archSpec';
import { paramLayouts } from '../../../shared/arch/paramLayouts';
import { DEFAULT_CONFIG } from '../../../shared/config';
import { elementCount } from '../../../shared/paramLayout';
import { CHECKPOINT_VERSION, type TrainingCheckpoint } from '../checkpoint';

export interface At {
  runId: string;
  /** Epochs finished; with `batch` 0 and no order, an epoch's boundary. */
  epoch: number;
  batch?: number;
  step?: number;
  savedAt?: number;
  reason?: TrainingCheckpoint['reason'];
  /** Every weight's value, so two checkpoints are told apart after a round trip. */
  value?: number;
}

/** A SimpleCNN checkpoint under Adam, four steps an epoch. */
export function fakeCheckpoint({ runId, epoch, batch = 0, step = epoch * 4 + batch, savedAt = 1000 + step, reason = batch ? 'pause' : 'epoch', value = step / 100 }: At): TrainingCheckpoint {
  const params: Record<string, Float32Array> = {};
  const slots: Record<string, Record<string, Float32Array>> = {};
  for (const { name, shape } of paramLayouts(SIMPLE_CNN_SPEC)) {
    const size = elementCount(shape);
    params[name] = new Float32Array(size).fill(value);
    slots[name] = { exp_avg: new Float32Array(size).fill(value / 10), exp_avg_sq: new Float32Array(size).fill(value / 100) };
  }
  const history = Array.from({ length: epoch }, (_, i) => ({
    epoch: i + 1,
    epochs: 3,
    loss: 1 / (i + 1),
    trainAccuracy: 90,
    testAccuracy: 91,
    learningRate: 1e-3,
    trainSeconds: 1,
    evalSeconds: 1,
    samplesPerSecond: 100,
    stepMilliseconds: 10,
  }));
  return {
    version: CHECKPOINT_VERSION,
    runId,
    savedAt,
    reason,
    config: { ...DEFAULT_CONFIG, epochs: 3, trainSize: 128, batch: 32 },
    applied: { lr: 1e-3, weightDecay: 1e-4, lrStep: 7, lrGamma: 0.5, dropout: 0.25, batch: 32 },
    epochs: 3,
    epoch,
    batch,
    step,
    order: batch ? Uint32Array.from({ length: 128 }, (_, i) => 127 - i) : null,
    lossSum: batch * 2,
    correct: batch * 3,
    randomState: 12345 + step,
    params,
    optimizer: { step, slots },
    history,
    batchLoss: Array.from({ length: step }, (_, i) => ({ step: i + 1, x: (i + 1) / 4, loss: 2.3 - i / 100 })),
    liveChanges: [],
    lossSpikes: [],
  };
}
