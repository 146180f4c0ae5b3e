import { describe, expect, it } from 'vitest';
import type { EpochMetrics } from '../../shared/protocol';
import { en } from '../i18n/messages';
import { zh } from '../i18n/zh';
import type { ChartRun } from './chartTypes';
import {
  BLUE,
  ORANGE,
  PALETTE,
  RAW_ALPHA,
  buildAccuracyDatasets,
  buildLossDatasets,
  buildMarkerLines,
  WARNING_RED,
  paletteColor,
  showLossLegend,
  withAlpha,
  xRange,
} from './datasets';
import { smoothLoss } from './smoothing';

const L = en.charts;

function metrics(epoch: number, epochs: number, loss: number, trainAccuracy: number, testAccuracy: number): EpochMetrics {
  return { epoch, epochs, loss, trainAccuracy, testAccuracy, learningRate: 1e-3, trainSeconds: 1, evalSeconds: 0.1, samplesPerSecond: 1000, stepMilliseconds: 2 };
}

/** A run of `epochs` epochs of `batches` batches, loss decaying with noise. */
function run(id: string, opts: Partial<ChartRun> & { epochCount?: number; batches?: number } = {}): ChartRun {
  const epochCount = opts.epochCount ?? 2;
  const batches = opts.batches ?? 4;
  const batchLoss: ChartRun['batchLoss'] = [];
  for (let e = 1; e <= epochCount; e++) for (let b = 1; b <= batches; b++) batchLoss.push({ x: e - 1 + b / batches, loss: 2 / (e + b / batches) + 0.05 * Math.sin(e * 31 + b) });
  return {
    id,
    label: opts.label ?? id,
    current: opts.current ?? false,
    epochs: opts.epochs ?? Array.from({ length: epochCount }, (_, i) => metrics(i + 1, epochCount, 1 / (i + 1), 80 + i, 82 + i)),
    batchLoss: opts.batchLoss ?? batchLoss,
    markers: opts.markers ?? [],
  };
}

describe('colours', () => {
  it('keeps the seed blue/orange out of the palette', () => {
    expect(PALETTE).not.toContain(BLUE);
    expect(PALETTE).not.toContain(ORANGE);
    expect(new Set(PALETTE).size).toBe(PALETTE.length);
    expect(paletteColor(PALETTE.length + 1)).toBe(PALETTE[1]);
  });

  it('converts hex to rgba', () => {
    expect(withAlpha('#1f77b4', 0.25)).toBe('rgba(31, 119, 180, 0.25)');
  });
});

describe('buildLossDatasets', () => {
  it('draws the current run in blue: translucent raw, smoothed, epoch points', () => {
    const sets = buildLossDatasets([run('a', { current: true, label: 'current run' })], L);
    expect(sets.map((s) => s.id)).toEqual(['a:raw', 'a:smoothed', 'a:epoch']);
    expect(sets.map((s) => s.label)).toEqual([L.batchLoss, L.smoothedLoss, L.epochLoss]);
    const [raw, smoothed, epoch] = sets;
    expect(raw.borderColor).toBe(withAlpha(BLUE, RAW_ALPHA));
    expect(raw.pointRadius).toBe(0);
    expect(raw.borderWidth).toBeLessThanOrEqual(1);
    expect(smoothed.borderColor).toBe(BLUE);
    expect(smoothed.pointRadius).toBe(0);
    expect(epoch.borderColor).toBe(BLUE);
    expect(epoch.backgroundColor).toBe(BLUE);
    expect(epoch.pointRadius).toBeGreaterThan(0);
    expect(epoch.showLine).toBe(false);
    // Drawn on top: epoch points, then smoothed, then raw (lower order is drawn later).
    expect(epoch.order).toBeLessThan(smoothed.order);
    expect(smoothed.order).toBeLessThan(raw.order);
  });

  it('puts batch points at fractional epochs and epoch points at 1..N', () => {
    const r = run('a', { current: true, epochCount: 3, batches: 4 });
    const [raw, smoothed, epoch] = buildLossDatasets([r], L);
    expect(raw.data.map((p) => p.x)).toEqual([0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75, 3]);
    expect(raw.data.map((p) => p.y)).toEqual(r.batchLoss.map((b) => b.loss));
    expect(smoothed.data.map((p) => p.x)).toEqual(raw.data.map((p) => p.x));
    expect(smoothed.data.map((p) => p.y)).toEqual(smoothLoss(r.batchLoss.map((b) => b.loss), 0.9));
    expect(smoothed.data[0].y).toBe(r.batchLoss[0].loss);
    expect(epoch.data).toEqual([
      { x: 1, y: 1 },
      { x: 2, y: 0.5 },
      { x: 3, y: 1 / 3 },
    ]);
  });

  it('gives other runs a palette colour by position, labelled, without the raw layer', () => {
    const runs = [run('old1', { label: 'AdamW wd=1e-2' }), run('cur', { current: true, label: 'current run' }), run('old2', { label: 'SGD' })];
    const sets = buildLossDatasets(runs, L);
    expect(sets.map((s) => s.id)).toEqual(['old1:smoothed', 'old1:epoch', 'cur:raw', 'cur:smoothed', 'cur:epoch', 'old2:smoothed', 'old2:epoch']);
    expect(sets.map((s) => s.label)).toEqual([
      'AdamW wd=1e-2 · smoothed',
      'AdamW wd=1e-2 · per epoch',
      L.batchLoss,
      L.smoothedLoss,
      L.epochLoss,
      'SGD · smoothed',
      'SGD · per epoch',
    ]);
    const color = (id: string) => sets.find((s) => s.id === id)?.borderColor;
    expect(color('old1:smoothed')).toBe(PALETTE[0]);
    expect(color('old1:epoch')).toBe(PALETTE[0]);
    expect(color('old2:smoothed')).toBe(PALETTE[2]);
    expect(color('cur:smoothed')).toBe(BLUE);
    for (const s of sets.filter((s) => !s.id.startsWith('cur:'))) expect([BLUE, ORANGE]).not.toContain(s.borderColor);
    // The current run is drawn over the others, layer by layer.
    const order = (id: string) => sets.find((s) => s.id === id)?.order ?? NaN;
    expect(order('cur:smoothed')).toBeLessThan(order('old1:smoothed'));
    expect(order('old2:epoch')).toBeLessThan(order('cur:smoothed'));
    expect(sets.filter((s) => !s.inLegend).map((s) => s.id)).toEqual(['old1:epoch', 'old2:epoch']);
    // Ids are unique (react-chartjs-2 matches datasets by them).
    expect(new Set(sets.map((s) => s.id)).size).toBe(sets.length);
  });

  it("draws a branch's batches from its branch point, its smoothed curve continuing its parent's", () => {
    const parent = run('p', { label: 'Run 1' });
    const same = { ...parent, id: 'b', label: 'Run 1 @1', batchesFrom: 1 };
    const [parentSmoothed, , branchRaw, branchSmoothed] = buildLossDatasets([parent, { ...same, current: true }], L);
    expect(parentSmoothed.id).toBe('p:smoothed');
    expect(branchRaw.data.every((p) => p.x > 1)).toBe(true);
    expect(branchRaw.data.length).toBeGreaterThan(0);
    // Identical batches: the branch's smoothed points are the parent's after epoch 1, not a restarted average.
    expect(branchSmoothed.data).toEqual(parentSmoothed.data.filter((p) => p.x > 1));
  });

  it('shows the raw layer of a lone finished run', () => {
    expect(buildLossDatasets([run('x', { label: 'Run 1' })], L).map((s) => s.id)).toEqual(['x:raw', 'x:smoothed', 'x:epoch']);
  });

  it('joins the epoch points with a line when a run has no per-batch data', () => {
    const sets = buildLossDatasets([run('a', { current: true, batchLoss: [] })], L);
    expect(sets.map((s) => s.id)).toEqual(['a:epoch']);
    expect(sets[0].showLine).toBe(true);
    expect(sets[0].inLegend).toBe(true);
    expect(sets[0].borderColor).toBe(BLUE);
  });

  it('handles an empty run and no runs', () => {
    expect(buildLossDatasets([], L)).toEqual([]);
    const sets = buildLossDatasets([run('a', { current: true, epochs: [], batchLoss: [] })], L);
    expect(sets).toHaveLength(1);
    expect(sets[0].data).toEqual([]);
  });

  it('drops non-finite points and sorts unsorted input (parsing: false needs sorted numbers)', () => {
    const batchLoss = [
      { x: 0.5, loss: 2 },
      { x: 0.25, loss: 2.2 },
      { x: 0.75, loss: Number.NaN },
      { x: 1, loss: 1.8 },
    ];
    const [raw, smoothed] = buildLossDatasets([run('a', { current: true, batchLoss })], L);
    expect(raw.data).toEqual([
      { x: 0.25, y: 2.2 },
      { x: 0.5, y: 2 },
      { x: 1, y: 1.8 },
    ]);
    expect(smoothed.data.map((p) => p.x)).toEqual([0.25, 0.5, 1]);
    expect(smoothed.data.every((p) => Number.isFinite(p.y))).toBe(true);
    expect(batchLoss[0].x).toBe(0.5); // input untouched
  });

  it('builds a 25,000-batch run quickly, full resolution, sorted, ready for LTTB decimation', () => {
    const n = 25_000;
    const perEpoch = 2_500;
    const batchLoss = Array.from({ length: n }, (_, i) => {
      const e = Math.floor(i / perEpoch) + 1;
      const b = (i % perEpoch) + 1;
      return { x: e - 1 + b / perEpoch, loss: 2.3 * Math.exp(-i / 5000) + 0.1 * Math.random() };
    });
    const big = run('big', { current: true, batchLoss, epochCount: 10 });
    const other = run('other', { batchLoss: batchLoss.map((b) => ({ x: b.x, loss: b.loss * 1.1 })), epochCount: 10 });
    const start = performance.now();
    const sets = buildLossDatasets([big, other], L);
    const elapsed = performance.now() - start;
    expect(elapsed).toBeLessThan(500);
    const [raw, smoothed] = sets;
    expect(raw.data).toHaveLength(n);
    expect(smoothed.data).toHaveLength(n);
    for (const s of sets) {
      expect(s.data.every((p, i) => i === 0 || p.x > s.data[i - 1].x)).toBe(true);
      expect(s.data.every((p) => typeof p.x === 'number' && Number.isFinite(p.y))).toBe(true);
    }
    expect(raw.data[0].x).toBeCloseTo(1 / perEpoch, 12);
    expect(raw.data[n - 1].x).toBe(10);
    // The smoothed curve is much less noisy than the raw one.
    const roughness = (ys: number[]) => ys.slice(1).reduce((sum, y, i) => sum + Math.abs(y - ys[i]), 0);
    expect(roughness(smoothed.data.map((p) => p.y))).toBeLessThan(roughness(raw.data.map((p) => p.y)) / 5);
    expect(xRange([big, other], 10)).toEqual({ min: 0, max: 10 });
  });
});

describe('buildAccuracyDatasets', () => {
  it('draws the current run train blue, test orange, solid, with the seed labels', () => {
    const sets = buildAccuracyDatasets([run('a', { current: true })], L);
    expect(sets.map((s) => [s.label, s.borderColor, s.borderDash])).toEqual([
      [L.trainAccuracy, BLUE, []],
      [L.testAccuracy, ORANGE, []],
    ]);
    expect(sets[0].data).toEqual([
      { x: 1, y: 80 },
      { x: 2, y: 81 },
    ]);
    expect(sets[1].data).toEqual([
      { x: 1, y: 82 },
      { x: 2, y: 83 },
    ]);
    expect(sets.every((s) => s.pointRadius > 0 && s.showLine)).toBe(true);
  });

  it('draws other runs in their palette colour, train dashed, test solid', () => {
    const sets = buildAccuracyDatasets([run('cur', { current: true }), run('b', { label: 'lr=3e-3' })], L);
    expect(sets.map((s) => s.label)).toEqual([L.trainAccuracy, L.testAccuracy, 'lr=3e-3 · train', 'lr=3e-3 · test']);
    const [, , train, test] = sets;
    expect(train.borderColor).toBe(PALETTE[1]);
    expect(test.borderColor).toBe(PALETTE[1]);
    expect(train.borderDash.length).toBeGreaterThan(0);
    expect(test.borderDash).toEqual([]);
    expect(sets[0].order).toBeLessThan(train.order);
  });
});

describe('labels', () => {
  it('are the English ones of the seed with en.charts', () => {
    const runs = [run('cur', { current: true }), run('b', { label: 'SGD' })];
    expect(buildLossDatasets(runs, L).map((s) => s.label)).toEqual(['Training loss (per batch)', 'Training loss (smoothed)', 'Training loss (per epoch)', 'SGD · smoothed', 'SGD · per epoch']);
    expect(buildAccuracyDatasets(runs, L).map((s) => s.label)).toEqual(['Train Accuracy', 'Test Accuracy', 'SGD · train', 'SGD · test']);
  });

  it('follow the language passed in', () => {
    const runs = [run('cur', { current: true }), run('b', { label: 'SGD' }), run('c', { label: 'AdamW', batchLoss: [] })];
    expect(buildLossDatasets(runs, zh.charts).map((s) => s.label)).toEqual([
      zh.charts.batchLoss,
      zh.charts.smoothedLoss,
      zh.charts.epochLoss,
      zh.charts.runSeries('SGD', zh.charts.smoothed),
      zh.charts.runSeries('SGD', zh.charts.perEpoch),
      zh.charts.runSeries('AdamW', zh.charts.perEpoch),
    ]);
    expect(buildAccuracyDatasets(runs, zh.charts).map((s) => s.label)).toEqual([
      zh.charts.trainAccuracy,
      zh.charts.testAccuracy,
      zh.charts.runSeries('SGD', zh.charts.train),
      zh.charts.runSeries('SGD', zh.charts.test),
      zh.charts.runSeries('AdamW', zh.charts.train),
      zh.charts.runSeries('AdamW', zh.charts.test),
    ]);
    // Only the words change: ids, colours and data stay.
    const strip = (sets: { label: string }[]) => sets.map((s) => ({ ...s, label: '' }));
    expect(strip(buildLossDatasets(runs, zh.charts))).toEqual(strip(buildLossDatasets(runs, L)));
    expect(strip(buildAccuracyDatasets(runs, zh.charts))).toEqual(strip(buildAccuracyDatasets(runs, L)));
  });
});

describe('buildMarkerLines', () => {
  it('colours markers by run, loss spikes in the warning red, and sorts them by x', () => {
    const lines = buildMarkerLines([
      run('a', { markers: [{ x: 1.5, label: 'lr 1e-3' }, { x: 1.6, label: '⚠ loss 40', warning: true }] }),
      run('cur', { current: true, markers: [{ x: 0.75, label: 'lr 3e-3' }, { x: Number.NaN, label: 'bad' }, { x: 1.1, label: '⚠ loss 1,040', warning: true }] }),
    ]);
    expect(lines).toEqual([
      { x: 0.75, label: 'lr 3e-3', color: BLUE, current: true, warning: false },
      { x: 1.1, label: '⚠ loss 1,040', color: WARNING_RED, current: true, warning: true },
      { x: 1.5, label: 'lr 1e-3', color: PALETTE[0], current: false, warning: false },
      { x: 1.6, label: '⚠ loss 40', color: WARNING_RED, current: false, warning: true },
    ]);
  });
});

describe('xRange and the loss legend', () => {
  it('spans 0..max(2, epochs, last epochs) with batch data, from 1 without', () => {
    expect(xRange([], 0)).toEqual({ min: 1, max: 2 });
    expect(xRange([], 5)).toEqual({ min: 1, max: 5 });
    expect(xRange([run('a', { current: true, batchLoss: [] })], 1)).toEqual({ min: 1, max: 2 });
    expect(xRange([run('a', { current: true, epochCount: 3 })], 2)).toEqual({ min: 0, max: 3 });
    expect(xRange([run('a', { current: true, epochCount: 1 }), run('b', { epochCount: 7, batchLoss: [] })], 4)).toEqual({ min: 0, max: 7 });
    // A run part-way into an epoch not yet reported.
    expect(xRange([run('a', { current: true, epochs: [], batchLoss: [{ x: 2.5, loss: 1 }] })], 2)).toEqual({ min: 0, max: 3 });
  });

  it('shows the loss legend for several runs or per-batch data only', () => {
    expect(showLossLegend([])).toBe(false);
    expect(showLossLegend([run('a', { current: true, batchLoss: [] })])).toBe(false);
    expect(showLossLegend([run('a', { current: true })])).toBe(true);
    expect(showLossLegend([run('a', { current: true, batchLoss: [] }), run('b', { batchLoss: [] })])).toBe(true);
  });
});
