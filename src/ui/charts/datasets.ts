/**
 * What the two panels draw, decided without a canvas: the runs become Chart.js line datasets
 * (`parsing: false` points, sorted by x), marker lines and the x range. Charts.tsx only renders these.
 *
 * Colours: the current run keeps the seed's matplotlib blue (loss, train accuracy) and orange (test
 * accuracy); every other run gets one colour from the rest of matplotlib's tab10, by its position in
 * `runs` (so a run keeps its colour while runs before it stay put), reused for all its series.
 *
 * Loss panel, per run: the raw per-batch loss (thin, translucent, no points), its debiased EMA
 * (`smoothLoss`), and the per-epoch mean loss as points at x = epoch. To keep overlays readable the
 * raw layer is drawn only for the current run, or for the only run shown; the other runs show their
 * smoothed curve and epoch points. The epoch points are joined by a line only for a run without
 * per-batch data (then they are the whole curve, as in the seed's figure).
 *
 * Accuracy panel, per run: train and test accuracy per epoch; other runs draw train dashed, test solid.
 *
 * Every label comes from `labels`, the page language's `t.charts` (or a subset of it), so the builders
 * stay pure: Charts.tsx passes `useI18n().t.charts`, the tests pass `en.charts`.
 */
import type { Messages } from '../i18n/messages';
import type { ChartRun, MarkerLine, XY } from './chartTypes';
import { smoothLoss } from './smoothing';

/** matplotlib's first two default colours, as in the seed's figure. */
export const BLUE = '#1f77b4';
export const ORANGE = '#ff7f0e';
/** The rest of matplotlib's tab10, for runs other than the current one. */
export const PALETTE: readonly string[] = ['#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** The smoothing weight of the per-batch loss curve. */
export const SMOOTHING_WEIGHT = 0.9;
/** Alpha of the raw per-batch loss line. */
export const RAW_ALPHA = 0.25;

/**
 * The dataset labels, from `t.charts`: the current run's series are named in full ("Training loss
 * (per batch)", "Train Accuracy"), another run's as `runSeries(run label, "smoothed" | "train" …)`.
 */
export type DatasetLabels = Pick<
  Messages['charts'],
  'batchLoss' | 'smoothedLoss' | 'epochLoss' | 'perBatch' | 'smoothed' | 'perEpoch' | 'trainAccuracy' | 'testAccuracy' | 'train' | 'test' | 'runSeries'
>;

/**
 * A line dataset in the subset of Chart.js's options this figure uses. `id` is unique and stable per
 * run and layer (`<run id>:raw` …), the key react-chartjs-2 matches datasets by across updates.
 */
export interface LineSeries {
  id: string;
  label: string;
  data: XY[];
  borderColor: string;
  backgroundColor: string;
  borderWidth: number;
  borderDash: number[];
  pointRadius: number;
  pointHoverRadius: number;
  showLine: boolean;
  fill: false;
  /**
   * Listed in the legend (read by the options' legend filter): all but the other runs' per-epoch
   * points, whose colour their smoothed entry already names (the current run's entry explains the dots).
   */
  inLegend: boolean;
  /** Chart.js draws lower `order` on top: epoch points over smoothed lines over raw lines, the current run over the others. */
  order: number;
}

/** `#rrggbb` as `rgba(r, g, b, alpha)`. */
export function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** The colour of the run at `index` in `runs` when it is not the current run. */
export function paletteColor(index: number): string {
  return PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

const LAYER_ORDER = { epoch: 0, smoothed: 1000, raw: 2000, test: 0, train: 1000 } as const;

/** 0 for a current run (drawn on top), 1 + index for the others. */
const rank = (run: ChartRun, index: number) => (run.current ? 0 : 1 + index);

function sortedByX<T extends { x: number }>(points: readonly T[]): readonly T[] {
  for (let i = 1; i < points.length; i++) if (points[i].x < points[i - 1].x) return [...points].sort((a, b) => a.x - b.x);
  return points;
}

/** Finite points only: Chart.js's LTTB decimation breaks on NaN, and a diverged batch is a gap anyway. */
function finitePoints(xs: readonly number[], ys: readonly number[]): XY[] {
  const out: XY[] = [];
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i]) && Number.isFinite(ys[i])) out.push({ x: xs[i], y: ys[i] });
  return out;
}

function epochSeries(run: ChartRun, pick: (m: ChartRun['epochs'][number]) => number): XY[] {
  const rows = sortedByX(run.epochs.map((m) => ({ x: m.epoch, y: pick(m) })));
  return rows.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
}

/** The loss panel's datasets, run by run: raw (when shown), smoothed, per epoch. */
export function buildLossDatasets(runs: readonly ChartRun[], labels: DatasetLabels): LineSeries[] {
  const full = { raw: labels.batchLoss, smoothed: labels.smoothedLoss, epoch: labels.epochLoss };
  const short = { raw: labels.perBatch, smoothed: labels.smoothed, epoch: labels.perEpoch };
  const out: LineSeries[] = [];
  runs.forEach((run, index) => {
    const color = run.current ? BLUE : paletteColor(index);
    const name = (what: keyof typeof full) => (run.current ? full[what] : labels.runSeries(run.label, short[what]));
    const r = rank(run, index);
    const batches = sortedByX(run.batchLoss);
    const xs = batches.map((b) => b.x);
    const losses = batches.map((b) => b.loss);
    // A branch's inherited batches are smoothed over but not drawn (see ChartRun.batchesFrom).
    const from = run.batchesFrom ?? -Infinity;
    const drawn = (points: XY[]) => (from === -Infinity ? points : points.filter((p) => p.x > from));
    const raw = drawn(finitePoints(xs, losses));
    if (raw.length > 0 && (run.current || runs.length === 1)) {
      out.push({
        id: `${run.id}:raw`,
        label: name('raw'),
        data: raw,
        borderColor: withAlpha(color, RAW_ALPHA),
        backgroundColor: withAlpha(color, RAW_ALPHA),
        borderWidth: 1,
        borderDash: [],
        pointRadius: 0,
        pointHoverRadius: 0,
        showLine: true,
        fill: false,
        inLegend: true,
        order: LAYER_ORDER.raw + r,
      });
    }
    if (raw.length > 0) {
      out.push({
        id: `${run.id}:smoothed`,
        label: name('smoothed'),
        data: drawn(finitePoints(xs, smoothLoss(losses, SMOOTHING_WEIGHT))),
        borderColor: color,
        backgroundColor: color,
        borderWidth: run.current ? 2 : 1.5,
        borderDash: [],
        pointRadius: 0,
        pointHoverRadius: 3,
        showLine: true,
        fill: false,
        inLegend: true,
        order: LAYER_ORDER.smoothed + r,
      });
    }
    out.push({
      id: `${run.id}:epoch`,
      label: name('epoch'),
      data: epochSeries(run, (m) => m.loss),
      borderColor: color,
      backgroundColor: color,
      borderWidth: run.current ? 2 : 1.5,
      borderDash: [],
      pointRadius: run.current ? 3 : 2.5,
      pointHoverRadius: 5,
      showLine: raw.length === 0,
      fill: false,
      // Without per-batch data the epoch line is the run's only entry.
      inLegend: run.current || raw.length === 0,
      order: LAYER_ORDER.epoch + r,
    });
  });
  return out;
}

/** The accuracy panel's datasets, run by run: train, then test. */
export function buildAccuracyDatasets(runs: readonly ChartRun[], labels: DatasetLabels): LineSeries[] {
  const out: LineSeries[] = [];
  runs.forEach((run, index) => {
    const r = rank(run, index);
    const common = { inLegend: true, borderWidth: run.current ? 2 : 1.5, pointRadius: run.current ? 3 : 2.5, pointHoverRadius: 5, showLine: true, fill: false } as const;
    const trainColor = run.current ? BLUE : paletteColor(index);
    const testColor = run.current ? ORANGE : paletteColor(index);
    out.push({
      ...common,
      id: `${run.id}:train`,
      label: run.current ? labels.trainAccuracy : labels.runSeries(run.label, labels.train),
      data: epochSeries(run, (m) => m.trainAccuracy),
      borderColor: trainColor,
      backgroundColor: trainColor,
      borderDash: run.current ? [] : [6, 4],
      order: LAYER_ORDER.train + r,
    });
    out.push({
      ...common,
      id: `${run.id}:test`,
      label: run.current ? labels.testAccuracy : labels.runSeries(run.label, labels.test),
      data: epochSeries(run, (m) => m.testAccuracy),
      borderColor: testColor,
      backgroundColor: testColor,
      borderDash: [],
      order: LAYER_ORDER.test + r,
    });
  });
  return out;
}

/** A loss spike's line: the warning colour, whichever run it belongs to. */
export const WARNING_RED = '#d62728';

/**
 * Every run's markers as vertical lines, sorted by x: a live change in the run's colour (blue for the
 * current run), a loss spike in the warning red.
 */
export function buildMarkerLines(runs: readonly ChartRun[]): MarkerLine[] {
  const lines = runs.flatMap((run, index) =>
    run.markers
      .filter((m) => Number.isFinite(m.x))
      .map((m) => ({
        x: m.x,
        label: m.label,
        color: m.warning ? WARNING_RED : run.current ? BLUE : paletteColor(index),
        current: run.current,
        warning: m.warning === true,
      })),
  );
  return lines.sort((a, b) => a.x - b.x);
}

/**
 * The x axis, in epochs: from 0 when any run has per-batch points (batch 1 of epoch 1 is at 1/n),
 * else from 1; to the largest of 2, the configured `epochs` and every run's last epoch or batch.
 */
export function xRange(runs: readonly ChartRun[], epochs: number): { min: number; max: number } {
  let max = Math.max(2, Number.isFinite(epochs) ? epochs : 0);
  let batches = false;
  for (const run of runs) {
    for (const m of run.epochs) if (Number.isFinite(m.epoch)) max = Math.max(max, m.epoch);
    for (const b of run.batchLoss) {
      if (!Number.isFinite(b.x)) continue;
      batches = true;
      max = Math.max(max, Math.ceil(b.x));
    }
  }
  return { min: batches ? 0 : 1, max };
}

/** The loss panel shows its legend when there is something to tell apart: several runs, or per-batch layers. */
export function showLossLegend(runs: readonly ChartRun[]): boolean {
  return runs.length > 1 || runs.some((run) => run.batchLoss.length > 0);
}
