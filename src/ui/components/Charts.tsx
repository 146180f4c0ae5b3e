/**
 * The seed's two-panel figure, live and for several runs: the training loss (per batch, smoothed, and
 * per epoch) and train/test accuracy per epoch. The current run keeps the seed's colours; other runs
 * overlay in a palette colour each. The x axis spans the configured epochs from the start, so the
 * curves fill in from left to right. What is drawn is decided in ../charts (pure, unit-tested); this
 * component renders it and exports PNGs through its ref. Every word on it (titles, axes, legend,
 * tooltips, accessible names) is the page language's `t.charts`; the datasets are rebuilt only when the
 * runs or the language change.
 */
import { forwardRef, useImperativeHandle, useMemo, useRef } from 'react';
import {
  Chart as ChartJS,
  Decimation,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Title,
  Tooltip,
  type ChartData,
} from 'chart.js';
import { Line } from 'react-chartjs-2';
import type { ChartRun, ChartsHandle, XY } from '../charts/chartTypes';
import { buildAccuracyDatasets, buildLossDatasets, buildMarkerLines, showLossLegend, xRange } from '../charts/datasets';
import { legendItems } from '../charts/legendGlyphs';
import { markerLinesPlugin } from '../charts/markerPlugin';
import { accuracyOptions, lossOptions, type PanelText } from '../charts/options';
import { intlLocale } from '../i18n/locale';
import { useI18n } from '../i18n/useI18n';

ChartJS.register(LineController, LineElement, PointElement, LinearScale, Title, Tooltip, Legend, Decimation);

const PLUGINS = [markerLinesPlugin];

type LineChart = ChartJS<'line', XY[]>;

/** The chart's pixels over white (the canvas itself is transparent), as a PNG data URL. */
function whitePng(chart: LineChart): string {
  const source = chart.canvas;
  const copy = document.createElement('canvas');
  copy.width = source.width;
  copy.height = source.height;
  const ctx = copy.getContext('2d');
  if (!ctx) return chart.toBase64Image('image/png');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, copy.width, copy.height);
  ctx.drawImage(source, 0, 0);
  return copy.toDataURL('image/png');
}

export const Charts = forwardRef<ChartsHandle, { runs: ChartRun[]; epochs: number }>(function Charts({ runs, epochs }, ref) {
  const lossChart = useRef<LineChart | null>(null);
  const accuracyChart = useRef<LineChart | null>(null);

  useImperativeHandle(
    ref,
    () => ({
      pngs() {
        const out: ReturnType<ChartsHandle['pngs']> = [];
        if (lossChart.current) out.push({ name: 'loss', dataUrl: whitePng(lossChart.current) });
        if (accuracyChart.current) out.push({ name: 'accuracy', dataUrl: whitePng(accuracyChart.current) });
        return out;
      },
    }),
    [],
  );

  const { locale, t, formatNumber } = useI18n();
  // `t.charts` is one object per language (and `formatNumber` one function per language), so these
  // change only when the language does.
  const labels = t.charts;
  const text = useMemo<PanelText>(() => ({ labels, formatNumber, locale: intlLocale(locale) }), [labels, formatNumber, locale]);

  const lossData = useMemo<ChartData<'line', XY[]>>(() => ({ datasets: buildLossDatasets(runs, labels) }), [runs, labels]);
  const accuracyData = useMemo<ChartData<'line', XY[]>>(() => ({ datasets: buildAccuracyDatasets(runs, labels) }), [runs, labels]);
  const markers = useMemo(() => buildMarkerLines(runs), [runs]);
  const range = useMemo(() => xRange(runs, epochs), [runs, epochs]);
  const legend = showLossLegend(runs);
  const lossOpts = useMemo(() => lossOptions(text, range, legend, markers, legendItems), [text, range, legend, markers]);
  const accuracyOpts = useMemo(() => accuracyOptions(text, range, markers, legendItems), [text, range, markers]);

  return (
    <section className="charts" aria-label={labels.region}>
      <div className="chart">
        <Line ref={lossChart} aria-label={labels.lossTitle} datasetIdKey="id" data={lossData} options={lossOpts} plugins={PLUGINS} />
      </div>
      <div className="chart">
        <Line ref={accuracyChart} aria-label={labels.accuracyTitle} datasetIdKey="id" data={accuracyData} options={accuracyOpts} plugins={PLUGINS} />
      </div>
    </section>
  );
});
