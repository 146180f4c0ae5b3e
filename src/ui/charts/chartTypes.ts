/**
 * The types the two-panel chart figure takes and gives: the runs to draw, the handle for PNG export,
 * and the marker lines its inline plugin draws (declared on Chart.js's plugin options here).
 */
import type { ChartType } from 'chart.js';
import type { EpochMetrics } from '../../shared/protocol';

export interface ChartRun {
  id: string;
  /** Legend label: what differs from the other shown runs, e.g. "AdamW wd=1e-2"; the current run may be "current run". */
  label: string;
  /** True for the run being trained now (or just finished): drawn in the seed's colours. */
  current: boolean;
  epochs: EpochMetrics[];
  /** Per-batch training loss; x is in epochs, fractional: batch b (1-based) of n in epoch e (1-based) is at e - 1 + b / n. */
  batchLoss: { x: number; loss: number }[];
  /** Live changes (learning rate etc.) at the batch where they took effect, and loss spikes (`warning`); x as above. */
  markers: { x: number; label: string; warning?: boolean }[];
  /** For a branch: the epoch of its first point, its parent's, where it is joined to the parent (runTree.ts). */
  joinedAt?: number | null;
  /**
   * For a branch: the per-batch loss is drawn after this x (its branch point). The batches before it
   * are its parent's: drawn in the parent's colour, they still feed the branch's smoothed curve, so a
   * branch that repeats its parent draws the parent's very line.
   */
  batchesFrom?: number | null;
}

export interface ChartsHandle {
  /** PNG data URLs of both panels, white background (not transparent). */
  pngs(): { name: 'loss' | 'accuracy'; dataUrl: string }[];
}

/** A point as Chart.js reads it with `parsing: false`. */
export interface XY {
  x: number;
  y: number;
}

/** One vertical line: dashed for a live change, in the colour of its run; solid red for a loss spike. */
export interface MarkerLine {
  x: number;
  label: string;
  color: string;
  current: boolean;
  warning: boolean;
}

export interface MarkerLinesOptions {
  lines: MarkerLine[];
  /** Draw each line's label near the top of the plot area (the loss panel); lines only when false. */
  labels: boolean;
}

declare module 'chart.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the type parameter must match Chart.js's declaration
  interface PluginOptionsByType<TType extends ChartType> {
    markerLines?: Partial<MarkerLinesOptions>;
  }
}
