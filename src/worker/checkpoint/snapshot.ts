/** Reading a run's tensors into a checkpoint (asynchronously, never a sync read) and writing them back. */
import * as tf from '@tensorflow/tfjs';
import { readSpecNetworkValues, type SpecNetwork } from '../model/specNetwork';
import type { TrainingOptimizer } from '../training/optimizer';
import { CHECKPOINT_VERSION, type TrainingCheckpoint } from './checkpoint';

export type CheckpointPosition = Pick<TrainingCheckpoint, 'epoch' | 'batch' | 'step' | 'order' | 'lossSum' | 'correct' | 'randomState'>;

type RunFields = Omit<TrainingCheckpoint, 'version' | 'savedAt' | 'params' | 'optimizer'>;

async function read(variable: tf.Variable): Promise<Float32Array> {
  // A copy: the checkpoint outlives the variable's next update.
  return Float32Array.from((await variable.data()) as Float32Array);
}

export async function snapshot(network: SpecNetwork, optimizer: TrainingOptimizer<string>, fields: RunFields): Promise<TrainingCheckpoint> {
  const state = optimizer.getState();
  const slots: Record<string, Record<string, Float32Array>> = {};
  for (const name of network.params.keys()) {
    slots[name] = {};
    for (const [slot, slotVariable] of Object.entries(state.slots[name])) slots[name][slot] = await read(slotVariable);
  }
  // Copies: the checkpoint outlives the variables' next update.
  const paramValues = Object.fromEntries(await readSpecNetworkValues(network));
  return {
    version: CHECKPOINT_VERSION,
    savedAt: Date.now(),
    ...fields,
    // The run keeps appending to these; the checkpoint keeps what they held now.
    history: [...fields.history],
    batchLoss: [...fields.batchLoss],
    liveChanges: [...fields.liveChanges],
    lossSpikes: [...fields.lossSpikes],
    order: fields.order ? Uint32Array.from(fields.order) : null,
    params: paramValues,
    optimizer: { step: state.step, slots },
  };
}

/** Puts saved moments (or momentum buffers) and the step count into a fresh optimizer of the same kind. */
export function restoreOptimizerState(optimizer: TrainingOptimizer<string>, saved: TrainingCheckpoint['optimizer']): void {
  const state = optimizer.getState();
  for (const [name, slotVariables] of Object.entries(state.slots)) {
    for (const [slot, variable] of Object.entries(slotVariables)) {
      const values = saved.slots[name]?.[slot];
      if (!values) throw new Error(`checkpoint has no optimizer state ${name}.${slot}`);
      tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
    }
  }
  optimizer.step = saved.step;
}
