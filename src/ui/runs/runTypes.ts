/**
 * A training run as the page keeps it: the configuration it started with and everything it reported,
 * so finished runs can be compared, persisted and exported after the worker has moved on.
 */
import type { TrainConfig } from '../../shared/config';
import type { EpochMetrics } from '../../shared/protocol';

export type RunStatus = 'running' | 'done' | 'stopped';

export interface BatchLossPoint {
  /** Global step index across the whole run (not reset per epoch), so curves of runs line up. */
  step: number;
  loss: number;
}

export interface LrMarker {
  step: number;
  label: string;
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
  lrMarkers: LrMarker[];
  hidden: boolean;
  status: RunStatus;
}
