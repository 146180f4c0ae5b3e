import type { TooltipItem } from 'chart.js';
import { describe, expect, it } from 'vitest';
import { formatNumber } from '../format';
import { en } from '../i18n/messages';
import { zh } from '../i18n/zh';
import { DECIMATION, accuracyOptions, lossOptions, type PanelText } from './options';

const EN: PanelText = { labels: en.charts };

type Callback = (items: unknown) => string;
/** The tooltip's title and label callbacks, called on a point at (x, y). */
function tooltip(o: ReturnType<typeof lossOptions>, x: number, y: number) {
  const callbacks = o.plugins?.tooltip?.callbacks as unknown as { title: Callback; label: Callback };
  const item = { parsed: { x, y }, dataset: { label: 'series' } } as unknown as TooltipItem<'line'>;
  return { title: callbacks.title([item]), label: callbacks.label(item) };
}

describe('panel options', () => {
  const range = { min: 0, max: 10 };
  const markers = [{ x: 2.5, label: 'lr 3e-3', color: '#1f77b4', current: true, warning: false }];

  it('are set up for LTTB decimation of large data', () => {
    expect(DECIMATION.algorithm).toBe('lttb');
    expect(DECIMATION.samples).toBeGreaterThanOrEqual(500);
    expect(DECIMATION.samples).toBeLessThanOrEqual(1000);
    expect(DECIMATION.threshold).toBeLessThan(25_000);
    for (const o of [lossOptions(EN, range, true, markers), accuracyOptions(EN, range, markers)]) {
      expect(o.parsing).toBe(false);
      expect(o.animation).toBe(false);
      expect(o.plugins?.decimation).toMatchObject({ enabled: true, algorithm: 'lttb' });
      expect(o.scales?.x).toMatchObject({ type: 'linear', min: 0, max: 10, title: { display: true, text: 'Epoch' } });
    }
  });

  it('title the panels as the seed did and carry the markers', () => {
    const loss = lossOptions(EN, range, false, markers);
    expect(loss.plugins?.title).toMatchObject({ display: true, text: 'Training Loss Curve' });
    expect(loss.scales?.y).toMatchObject({ title: { display: true, text: 'Loss' } });
    expect(loss.plugins?.legend).toMatchObject({ display: false, position: 'bottom' });
    expect(loss.plugins?.markerLines).toEqual({ lines: markers, labels: true });
    const accuracy = accuracyOptions(EN, range, markers);
    expect(accuracy.plugins?.title).toMatchObject({ text: 'Accuracy Curves' });
    expect(accuracy.scales?.y).toMatchObject({ title: { display: true, text: 'Accuracy (%)' } });
    expect(accuracy.plugins?.legend).toMatchObject({ display: true, position: 'bottom' });
    expect(accuracy.plugins?.markerLines).toEqual({ lines: markers, labels: false });
  });

  it('format the tooltip as the seed printed its numbers', () => {
    expect(tooltip(lossOptions(EN, range, true, markers), 3, 0.12345)).toEqual({ title: 'Epoch 3', label: 'series: 0.1235' });
    expect(tooltip(lossOptions(EN, range, true, markers), 2.5, 1234.5)).toEqual({ title: 'Epoch 2.50', label: 'series: 1234.5000' });
    expect(tooltip(accuracyOptions(EN, range, markers), 2, 98.1)).toEqual({ title: 'Epoch 2', label: 'series: 98.10%' });
  });

  it('follow the language: words from the labels, numbers from its formatter, ticks in its locale', () => {
    const ZH: PanelText = { labels: zh.charts, formatNumber: (v, o) => formatNumber(v, 'zh', o), locale: 'zh-CN' };
    const loss = lossOptions(ZH, range, true, markers);
    const accuracy = accuracyOptions(ZH, range, markers);
    expect(loss.plugins?.title).toMatchObject({ text: zh.charts.lossTitle });
    expect(accuracy.plugins?.title).toMatchObject({ text: zh.charts.accuracyTitle });
    expect(loss.scales?.x).toMatchObject({ title: { text: zh.charts.epochAxis } });
    expect(loss.scales?.y).toMatchObject({ title: { text: zh.charts.lossAxis } });
    expect(accuracy.scales?.y).toMatchObject({ title: { text: zh.charts.accuracyAxis } });
    expect(loss.locale).toBe('zh-CN');
    expect(lossOptions(EN, range, true, markers)).not.toHaveProperty('locale');
    expect(tooltip(loss, 3, 0.5).title).toBe(zh.charts.tooltipEpoch(3));
    expect(tooltip(accuracy, 1.25, 97.5)).toEqual({ title: zh.charts.tooltipEpoch(1.25), label: `series: ${formatNumber(0.975, 'zh', { style: 'percent', minimumFractionDigits: 2 })}` });
  });

  it('step the ticks by whole epochs on short axes', () => {
    expect(lossOptions(EN, { min: 0, max: 5 }, true, []).scales?.x?.ticks).toMatchObject({ stepSize: 1 });
    expect(lossOptions(EN, { min: 0, max: 50 }, true, []).scales?.x?.ticks).not.toHaveProperty('stepSize');
  });
});
