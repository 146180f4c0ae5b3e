/**
 * A training run as the page keeps it: the configuration it started with and everything it reported,
 * so finished runs can be compared, persisted and exported after the worker has moved on.
 */
import type { TrainConfig } from '../../shared/config';
import type { BatchLossPoint, EpochMetrics, LiveChange } from '../../shared/protocol';

export type { BatchLossPoint, LiveChange };

export type RunStatus = 'running' | 'done' | 'stopped';

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
}
