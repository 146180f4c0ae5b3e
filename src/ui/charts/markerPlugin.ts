/**
 * An inline Chart.js plugin: a vertical dashed line across the plot area at each live change (a new
 * learning rate …), a solid one at each loss spike, with its label small and rotated near the top. Configure it per chart through
 * `options.plugins.markerLines` ({ lines, labels }); pass it in the chart's `plugins` prop.
 */
import type { Chart, Plugin } from 'chart.js';
import type { MarkerLinesOptions } from './chartTypes';
import { layoutMarkerLabels } from './markerLayout';

const FONT = '10px system-ui, sans-serif';

export const markerLinesPlugin: Plugin<'line', MarkerLinesOptions> = {
  id: 'markerLines',
  defaults: { lines: [], labels: true },
  afterDatasetsDraw(chart: Chart, _args, options) {
    const lines = options.lines ?? [];
    if (lines.length === 0) return;
    const { ctx, chartArea } = chart;
    const scale = chart.scales.x;
    if (!scale) return;
    const visible = lines
      .map((line) => ({ line, px: scale.getPixelForValue(line.x) }))
      .filter(({ px }) => Number.isFinite(px) && px >= chartArea.left - 0.5 && px <= chartArea.right + 0.5);
    if (visible.length === 0) return;

    ctx.save();
    ctx.beginPath();
    ctx.rect(chartArea.left, chartArea.top, chartArea.right - chartArea.left, chartArea.bottom - chartArea.top);
    ctx.clip();
    for (const { line, px } of visible) {
      const x = Math.round(px) + 0.5;
      // A warning stands out from the changes around it: solid and thicker.
      ctx.lineWidth = line.warning ? 2 : 1;
      ctx.setLineDash(line.warning ? [] : [4, 4]);
      ctx.strokeStyle = line.color;
      // Fainter on a panel without labels (the accuracy panel), where they are only a guide.
      ctx.globalAlpha = (line.current ? 0.9 : 0.6) * (options.labels === false ? 0.5 : 1);
      ctx.beginPath();
      ctx.moveTo(x, chartArea.top);
      ctx.lineTo(x, chartArea.bottom);
      ctx.stroke();
    }
    ctx.setLineDash([]);

    if (options.labels !== false) {
      ctx.font = FONT;
      const boxes = visible.map(({ line, px }) => ({ px, length: ctx.measureText(line.label).width }));
      const starts = layoutMarkerLabels(boxes, chartArea.top + 4);
      visible.forEach(({ line, px }, i) => {
        // Right of the line, or left of it near the right edge; reading downwards from the top.
        const right = px + 14 <= chartArea.right;
        ctx.save();
        ctx.translate(right ? px + 3 : px - 3, starts[i]);
        ctx.rotate(Math.PI / 2);
        ctx.fillStyle = line.color;
        ctx.globalAlpha = line.current ? 1 : 0.8;
        ctx.textAlign = 'left';
        ctx.textBaseline = right ? 'bottom' : 'top';
        ctx.fillText(line.label, 0, 0);
        ctx.restore();
      });
    }
    ctx.restore();
  },
};
