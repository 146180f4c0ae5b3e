/**
 * Legend glyphs that look like what each dataset draws: a line (dashed for a dashed dataset), with a
 * dot when the dataset has points, or a dot alone for points-only data such as the per-epoch loss.
 * Chart.js's own point styles cannot do this (a legend either stretches every glyph to one width or
 * sizes lines and dots alike), so each glyph is a small image, drawn at the device pixel ratio and
 * shown at CSS size. Browser-only: Charts.tsx passes `legendItems` to the options builders.
 */
import { Chart, type LegendItem } from 'chart.js';
import { LEGEND_GLYPH_WIDTH } from './options';

const WIDTH = LEGEND_GLYPH_WIDTH;
const HEIGHT = 10;
const cache = new Map<string, HTMLImageElement>();

interface GlyphDataset {
  borderColor?: unknown;
  backgroundColor?: unknown;
  borderDash?: unknown;
  borderWidth?: unknown;
  showLine?: boolean;
  pointRadius?: unknown;
}

function glyph(dataset: GlyphDataset, onLoad: () => void): HTMLImageElement | undefined {
  const stroke = typeof dataset.borderColor === 'string' ? dataset.borderColor : '#666';
  const fill = typeof dataset.backgroundColor === 'string' ? dataset.backgroundColor : stroke;
  const dash = Array.isArray(dataset.borderDash) ? (dataset.borderDash as number[]) : [];
  const lineWidth = typeof dataset.borderWidth === 'number' ? Math.max(1, dataset.borderWidth) : 2;
  const line = dataset.showLine !== false;
  const dot = typeof dataset.pointRadius === 'number' && dataset.pointRadius > 0;
  const key = JSON.stringify([stroke, fill, dash, lineWidth, line, dot]);
  const cached = cache.get(key);
  if (cached) {
    if (!cached.complete) cached.addEventListener('load', onLoad, { once: true });
    return cached;
  }
  if (typeof document === 'undefined') return undefined;
  const ratio = Math.max(1, Math.ceil(globalThis.devicePixelRatio || 1));
  const canvas = document.createElement('canvas');
  canvas.width = WIDTH * ratio;
  canvas.height = HEIGHT * ratio;
  const ctx = canvas.getContext('2d');
  if (!ctx) return undefined;
  ctx.scale(ratio, ratio);
  if (line) {
    ctx.strokeStyle = stroke;
    ctx.lineWidth = lineWidth;
    ctx.setLineDash(dash.map((d) => d * 0.8));
    ctx.beginPath();
    ctx.moveTo(1, HEIGHT / 2);
    ctx.lineTo(WIDTH - 1, HEIGHT / 2);
    ctx.stroke();
  }
  if (dot) {
    ctx.fillStyle = fill;
    ctx.beginPath();
    ctx.arc(WIDTH / 2, HEIGHT / 2, 3.5, 0, 2 * Math.PI);
    ctx.fill();
  }
  const image = new Image(WIDTH, HEIGHT);
  image.addEventListener('load', onLoad, { once: true });
  image.src = canvas.toDataURL('image/png');
  cache.set(key, image);
  return image;
}

/** Chart.js's legend items with a glyph image each (its plain line or dot until the image has loaded). */
export function legendItems(chart: Chart): LegendItem[] {
  const redraw = () => {
    if (chart.ctx) chart.draw();
  };
  return Chart.defaults.plugins.legend.labels.generateLabels(chart).map((item) => {
    const dataset = chart.data.datasets[item.datasetIndex ?? -1] as GlyphDataset | undefined;
    const image = dataset && glyph(dataset, redraw);
    return { ...item, pointStyle: image ?? (dataset?.showLine === false ? 'circle' : 'line') };
  });
}
