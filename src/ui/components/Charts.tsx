/**
 * The seed's two-panel figure, live and for several runs: the training loss (per batch, smoothed, and
 * per epoch) and train/test accuracy per epoch. The current run keeps the seed's colours; other runs
 * overlay in a palette colour each. The x axis spans the configured epochs from the start, so the
 * curves fill in from left to right. What is drawn is decided in ../charts (pure, unit-tested); this
 * component renders it and exports PNGs through its ref. Every word on it (titles, axes, legend,
 * tooltips, accessible names) is the page language's `t.charts`; the datasets are rebuilt only when the
 * runs or the language change, a panel is redrawn only when what it draws changed, and each redraw is a
 * task of its own (../charts/panelUpdates.ts), so the page stays responsive while a run trains.
 *
 * A click or a tap on an epoch point (a run's loss per epoch, its train or test accuracy) opens a small
 * menu there (`pointMenu`: "Branch from epoch k" …); the keyboard reaches the same epochs through the
 * epoch log's rows.
 */
import { forwardRef, useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState, type ReactNode } from 'react';
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
  type ChartEvent,
  type ChartOptions,
} from 'chart.js';
import { Line } from 'react-chartjs-2';
import type { ChartRun, ChartsHandle, XY } from '../charts/chartTypes';
import { buildAccuracyDatasets, buildLossDatasets, buildMarkerLines, showLossLegend, xRange } from '../charts/datasets';
import { legendItems } from '../charts/legendGlyphs';
import { markerLinesPlugin } from '../charts/markerPlugin';
import { accuracyOptions, lossOptions, type PanelText } from '../charts/options';
import { useInOwnTask, useSameData } from '../charts/panelUpdates';
import { epochPointRun, nearestEpochPoint, type EpochPoint } from '../charts/pointPicking';
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

/** Every drawn epoch point of the chart's visible runs, in canvas pixels. */
function epochPoints(chart: LineChart, joins: ReadonlyMap<string, number | null>): EpochPoint[] {
  const points: EpochPoint[] = [];
  chart.data.datasets.forEach((dataset, i) => {
    const runId = epochPointRun((dataset as { id?: string }).id ?? '');
    if (!runId || !chart.isDatasetVisible(i)) return;
    chart.getDatasetMeta(i).data.forEach((element, j) => {
      const epoch = dataset.data[j]?.x;
      if (typeof epoch === 'number') points.push({ runId, epoch, x: element.x, y: element.y, joined: joins.get(runId) === epoch });
    });
  });
  return points;
}

type Panel = 'loss' | 'accuracy';

/** The point whose menu is open, and where (CSS pixels in its chart's box). */
interface Picked {
  panel: Panel;
  runId: string;
  epoch: number;
  left: number;
  top: number;
  /** Near the right edge the menu opens leftwards. */
  leftwards: boolean;
}

interface ChartsProps {
  runs: ChartRun[];
  epochs: number;
  /** The actions of a picked epoch point (null: none); `close` closes the menu. Without it points are not picked. */
  pointMenu?: (point: { runId: string; epoch: number }, close: () => void) => ReactNode;
}

export const Charts = forwardRef<ChartsHandle, ChartsProps>(function Charts({ runs, epochs, pointMenu }, ref) {
  const lossChart = useRef<LineChart | null>(null);
  const accuracyChart = useRef<LineChart | null>(null);
  const [picked, setPicked] = useState<Picked | null>(null);
  const menu = useRef<HTMLDivElement | null>(null);
  // Chart.js keeps the handlers of the options it was given: they read the runs through a ref, so the
  // options stay the same objects while the runs change.
  const joins = useRef(new Map<string, number | null>());
  const picking = pointMenu !== undefined;
  useEffect(() => {
    joins.current = new Map(runs.map((run) => [run.id, run.joinedAt ?? null]));
  }, [runs]);

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

  // The runs change with every progress report while training (a new batch loss), but only the loss
  // panel's data does: the accuracy datasets (per epoch), the marker lines and the x range are kept the
  // same objects while their content is, so the accuracy panel is not redrawn ten times a second.
  const lossData = useMemo<ChartData<'line', XY[]>>(() => ({ datasets: buildLossDatasets(runs, labels) }), [runs, labels]);
  const accuracyDatasets = useSameData(useMemo(() => buildAccuracyDatasets(runs, labels), [runs, labels]));
  const accuracyData = useMemo<ChartData<'line', XY[]>>(() => ({ datasets: accuracyDatasets }), [accuracyDatasets]);
  const markers = useSameData(useMemo(() => buildMarkerLines(runs), [runs]));
  // xRange reads every batch point: once per change of the runs, not in each panel's own render.
  const { min, max } = useMemo(() => xRange(runs, epochs), [runs, epochs]);
  const range = useMemo(() => ({ min, max }), [min, max]);
  const legend = showLossLegend(runs);
  const pointAt = useCallback((chart: LineChart, event: ChartEvent) => (event.x === null || event.y === null ? null : nearestEpochPoint(epochPoints(chart, joins.current), { x: event.x, y: event.y })), []);
  const handlers = useCallback(
    (panel: Panel): Pick<ChartOptions<'line'>, 'onClick' | 'onHover'> => ({
      // A tap ends in a click too: mouse and touch pick the same way.
      onClick: (event, _active, chart) => {
        const point = pointAt(chart as LineChart, event);
        const canvas = chart.canvas;
        setPicked(
          point && {
            panel,
            runId: point.runId,
            epoch: point.epoch,
            left: canvas.offsetLeft + point.x,
            top: canvas.offsetTop + point.y,
            leftwards: point.x > chart.width / 2,
          },
        );
      },
      onHover: (event, _active, chart) => {
        chart.canvas.style.cursor = pointAt(chart as LineChart, event) ? 'pointer' : '';
      },
    }),
    [pointAt],
  );
  const lossOpts = useMemo(
    () => ({ ...lossOptions(text, range, legend, markers, legendItems), ...(picking ? handlers('loss') : {}) }),
    [text, range, legend, markers, picking, handlers],
  );
  const accuracyOpts = useMemo(
    () => ({ ...accuracyOptions(text, range, markers, legendItems), ...(picking ? handlers('accuracy') : {}) }),
    [text, range, markers, picking, handlers],
  );
  // Each panel is redrawn in a task of its own, after the one that changed its data (panelUpdates.ts).
  const loss = useInOwnTask(useMemo(() => ({ data: lossData, options: lossOpts }), [lossData, lossOpts]));
  const accuracy = useInOwnTask(useMemo(() => ({ data: accuracyData, options: accuracyOpts }), [accuracyData, accuracyOpts]));

  const close = useCallback(() => setPicked(null), []);
  // The menu takes the focus when it opens; a press outside it (not on a chart, which picks again) closes it.
  useEffect(() => {
    if (!picked) return;
    (menu.current?.querySelector<HTMLElement>('.point-menu-actions button:not(:disabled)') ?? menu.current?.querySelector<HTMLElement>('button'))?.focus();
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!menu.current?.contains(target) && !(target instanceof HTMLCanvasElement)) setPicked(null);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [picked]);

  const pickedRun = picked && runs.find((run) => run.id === picked.runId);
  const content = picked && pickedRun && pointMenu ? pointMenu({ runId: picked.runId, epoch: picked.epoch }, close) : null;
  const menuOf = (panel: Panel) =>
    picked?.panel === panel && pickedRun && content ? (
      <div
        ref={menu}
        className={`point-menu${picked.leftwards ? ' leftwards' : ''}`}
        role="dialog"
        aria-label={labels.pointMenu(pickedRun.label, picked.epoch)}
        style={{ left: picked.left, top: picked.top }}
        onKeyDown={(event) => {
          if (event.key === 'Escape') close();
        }}
      >
        <div className="point-menu-title">
          <strong>{labels.pointMenu(pickedRun.label, picked.epoch)}</strong>
          <button type="button" className="dismiss" aria-label={labels.closeMenu} onClick={close}>
            ×
          </button>
        </div>
        <div className="point-menu-actions">{content}</div>
      </div>
    ) : null;

  return (
    <section className="charts" aria-label={labels.region}>
      <div className="chart">
        <Line ref={lossChart} aria-label={labels.lossTitle} datasetIdKey="id" data={loss.data} options={loss.options} plugins={PLUGINS} />
        {menuOf('loss')}
      </div>
      <div className="chart">
        <Line ref={accuracyChart} aria-label={labels.accuracyTitle} datasetIdKey="id" data={accuracy.data} options={accuracy.options} plugins={PLUGINS} />
        {menuOf('accuracy')}
      </div>
    </section>
  );
});
