/**
 * A training run as the page keeps it: the configuration it started with and everything it reported,
 * so finished runs can be compared, persisted and exported after the worker has moved on.
 */
import type { TrainConfig } from '../../shared/config';
import type { BatchLossPoint, EpochMetrics, LiveChange } from '../../shared/protocol';

export type { BatchLossPoint, LiveChange };

export type RunStatus = 'running' | 'done' | 'stopped';

/** Where a branch came from ("Branch from epoch k"): the parent run and the epochs of it done then. */
export interface RunParent {
  runId: string;
  /** The epochs of the parent done at the branch point: 0 is its initial weights. */
  epoch: number;
  /**
   * Set when the parent was deleted: its display name then, and its settings at `epoch` (the label's
   * difference is taken against them), so the branch still reads `Run 1 @3 · lr=1e-2`.
   */
  deleted?: { name: string; config: TrainConfig };
}

export interface RunRecord {
  id: string;
  /** The user's rename; when absent the UI shows an automatic label. */
  name?: string;
  /** Milliseconds since the epoch (Date.now()). */
  createdAt: number;
  config: TrainConfig;
  epochs: EpochMetrics[];
  batchLoss: BatchLossPoint[];
  /** The settings changed while it ran, where they took effect (the loss chart's markers). */
  liveChanges: LiveChange[];
  hidden: boolean;
  status: RunStatus;
  /**
   * A branch's origin; absent for a run that started from fresh weights. A branch's `epochs`,
   * `batchLoss` and `liveChanges` begin with its parent's up to the branch point (its checkpoint held
   * them), so a branch is complete on its own; the charts draw it from the branch point on.
   */
  parent?: RunParent;
}
