/**
 * The Chart.js options of the two panels. Both are built for large data: `parsing: false` (the
 * datasets are already `{x, y}` points sorted by x, see datasets.ts), `normalized: true`, no
 * animation, and the built-in decimation plugin set to LTTB, which thins any dataset of more than
 * `DECIMATION.threshold` points in view to `DECIMATION.samples` before drawing; the chart keeps the full
 * data and decimates again on every update and resize. Decimation needs the `Decimation` plugin registered, a
 * linear x axis and line datasets; all three hold here.
 *
 * Titles, axis titles and the tooltip's epoch come from `text.labels` (the page language's
 * `t.charts`); numbers from `text.formatNumber` and, for the ticks, Chart.js's `locale` option.
 */
import type { Chart, ChartOptions, LegendItem, TooltipItem } from 'chart.js';
import { formatNumber as formatNumberIn } from '../format';
import type { Messages } from '../i18n/messages';
import type { MarkerLine } from './chartTypes';

/** Width of the legend glyph images (legendGlyphs.ts), CSS pixels. */
export const LEGEND_GLYPH_WIDTH = 24;

/** How long a panel waits after a resize before it lays itself out again (Chart.js's `resizeDelay`): short enough not to be seen. */
const RESIZE_DELAY_MS = 20;

export const DECIMATION = { enabled: true, algorithm: 'lttb', samples: 800, threshold: 1000 } as const;

/** The panels' words, from `t.charts`. */
export type PanelLabels = Pick<Messages['charts'], 'lossTitle' | 'accuracyTitle' | 'epochAxis' | 'lossAxis' | 'accuracyAxis' | 'tooltipEpoch'>;

export interface PanelText {
  labels: PanelLabels;
  /** Formats the tooltip's numbers for the page's language (`useI18n().formatNumber`); English when absent. */
  formatNumber?: (value: number, options?: Intl.NumberFormatOptions) => string;
  /** The Intl locale Chart.js formats tick labels with ('en-US', 'zh-CN'); Chart.js's default when absent. */
  locale?: string;
}

export interface PanelOptionsInput {
  title: string;
  xTitle: string;
  yTitle: string;
  /** The tooltip's title at x (in epochs, fractional on the per-batch curve). */
  formatX: (x: number) => string;
  /** The Intl locale of the tick labels. */
  locale?: string;
  range: { min: number; max: number };
  legend: boolean;
  markers: MarkerLine[];
  /** Draw the markers' labels (the loss panel) or just their lines. */
  markerLabels: boolean;
  /** Formats a y value in the tooltip. */
  formatY: (y: number) => string;
  /** The legend's items (Charts.tsx passes glyph images, legendGlyphs.ts); Chart.js's own when absent. */
  legendItems?: (chart: Chart) => LegendItem[];
}

export function panelOptions(input: PanelOptionsInput): ChartOptions<'line'> {
  const { min, max } = input.range;
  return {
    responsive: true,
    maintainAspectRatio: false,
    // A resize (the window, or the one-screen layout giving the charts another height when a line above
    // them wraps or appears) redraws each panel in a timer task of its own, instead of both in the same
    // animation frame: two full Chart.js layouts in one task are a long task on a busy machine.
    resizeDelay: RESIZE_DELAY_MS,
    animation: false,
    ...(input.locale ? { locale: input.locale } : {}),
    parsing: false,
    normalized: true,
    // Nearest point along x, from any dataset, without having to hit it (ties, such as a run's raw and
    // smoothed loss at the same batch, all show).
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    plugins: {
      title: { display: true, text: input.title, font: { size: 15 } },
      legend: {
        display: input.legend,
        position: 'bottom',
        // Legend in dataset order (run by run), not in drawing order.
        labels: {
          font: { size: 11 },
          ...(input.legendItems ? { usePointStyle: true, pointStyleWidth: LEGEND_GLYPH_WIDTH, generateLabels: input.legendItems } : { boxWidth: 14 }),
          sort: (a, b) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0),
          filter: (item, data) => (data.datasets[item.datasetIndex ?? -1] as { inLegend?: boolean } | undefined)?.inLegend !== false,
        },
      },
      tooltip: {
        mode: 'nearest',
        axis: 'x',
        intersect: false,
        itemSort: (a, b) => a.datasetIndex - b.datasetIndex,
        callbacks: {
          title: (items: TooltipItem<'line'>[]) => (items.length > 0 ? input.formatX(items[0].parsed.x ?? 0) : ''),
          label: (item: TooltipItem<'line'>) => `${item.dataset.label ?? ''}: ${input.formatY(item.parsed.y ?? Number.NaN)}`,
        },
      },
      decimation: { ...DECIMATION },
      markerLines: { lines: input.markers, labels: input.markerLabels },
    },
    scales: {
      x: {
        type: 'linear',
        min,
        max,
        title: { display: true, text: input.xTitle },
        ticks: max - min <= 20 ? { stepSize: 1, precision: 0 } : { precision: 0 },
      },
      y: { type: 'linear', title: { display: true, text: input.yTitle } },
    },
  };
}

type LegendItems = PanelOptionsInput['legendItems'];

const englishNumber = (value: number, options?: Intl.NumberFormatOptions) => formatNumberIn(value, 'en', options);

/** What both panels share of `text`: the x axis, the tooltip's epoch, the tick locale. */
function common(text: PanelText) {
  return { xTitle: text.labels.epochAxis, formatX: text.labels.tooltipEpoch, locale: text.locale };
}

/** Loss with the seed's 4 decimals (no grouping, as formatLoss). */
const LOSS_FORMAT: Intl.NumberFormatOptions = { minimumFractionDigits: 4, maximumFractionDigits: 4, useGrouping: false };
/** Accuracy, a value already in percent, with 2 decimals: 98.1 → "98.10%". */
const PERCENT_FORMAT: Intl.NumberFormatOptions = { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 };

export function lossOptions(text: PanelText, range: { min: number; max: number }, legend: boolean, markers: MarkerLine[], legendItems?: LegendItems): ChartOptions<'line'> {
  const format = text.formatNumber ?? englishNumber;
  return panelOptions({
    ...common(text),
    title: text.labels.lossTitle,
    yTitle: text.labels.lossAxis,
    range,
    legend,
    markers,
    markerLabels: true,
    formatY: (y) => format(y, LOSS_FORMAT),
    legendItems,
  });
}

export function accuracyOptions(text: PanelText, range: { min: number; max: number }, markers: MarkerLine[], legendItems?: LegendItems): ChartOptions<'line'> {
  const format = text.formatNumber ?? englishNumber;
  return panelOptions({
    ...common(text),
    title: text.labels.accuracyTitle,
    yTitle: text.labels.accuracyAxis,
    range,
    legend: true,
    markers,
    markerLabels: false,
    formatY: (y) => format(y / 100, PERCENT_FORMAT),
    legendItems,
  });
}
