/**
 * Number formats of the page, the seed's where it prints one (loss 4 decimals, % 2, LR 6).
 *
 * Counts and percentages follow the page's language (Intl, 'en-US' or 'zh-CN'); the `locale`
 * parameter defaults to English so callers that have no locale yet keep their output. Components
 * should take the bound versions from `useI18n()`. Loss, learning rate and durations are written the
 * same in both languages (both use "." for decimals), and `seedPrintout` never changes with the
 * language: it reproduces the seed's program output.
 */
import type { EpochMetrics } from '../shared/protocol';
import { intlLocale, type Locale } from './i18n/locale';

const formatters = new Map<string, Intl.NumberFormat>();

/** Intl.NumberFormat for the page's locale, cached per locale and options. */
export function formatNumber(value: number, locale: Locale = 'en', options?: Intl.NumberFormatOptions): string {
  const key = `${locale}|${options ? JSON.stringify(options) : ''}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(intlLocale(locale), options);
    formatters.set(key, formatter);
  }
  return formatter.format(value);
}

/** A value already in percent (98.1 → "98.10%"), with `digits` decimals. */
export const formatPercent = (percent: number, digits = 2, locale: Locale = 'en'): string =>
  formatNumber(percent / 100, locale, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Rounded to an integer, with the locale's grouping: 60000 → "60,000". */
export const formatInteger = (n: number, locale: Locale = 'en'): string =>
  formatNumber(Math.round(n), locale, { maximumFractionDigits: 0 });

/** A fixed number of decimals, no grouping: 11.55 → "11.6" with 1. */
export const formatDecimal = (value: number, digits: number, locale: Locale = 'en'): string =>
  formatNumber(value, locale, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false });

/** Bytes in decimal units with one decimal past a megabyte: 4,704,523 → "4.7 MB", 1.2e9 → "1.2 GB". */
export function formatBytes(bytes: number, locale: Locale = 'en'): string {
  const units: [number, string][] = [
    [1e12, 'TB'],
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'kB'],
  ];
  for (const [size, unit] of units) if (bytes >= size) return `${formatNumber(bytes / size, locale, { maximumFractionDigits: 1 })} ${unit}`;
  return `${formatInteger(bytes, locale)} B`;
}

export const formatLoss = (loss: number) => loss.toFixed(4);

/** A loss in a sentence, from 0.31 to a blown-up 3.6E22: four significant digits, scientific past a million. */
export const formatLossValue = (loss: number, locale: Locale = 'en'): string =>
  loss < 1e6
    ? formatNumber(loss, locale, { maximumSignificantDigits: 4 })
    : formatNumber(loss, locale, { notation: 'scientific', maximumFractionDigits: 1 });
export const formatRate = (lr: number) => lr.toFixed(6);

/** A learning rate short enough for a slider label: 0.001, 0.00025, 1e-5. */
export function formatLearningRate(lr: number): string {
  return lr >= 1e-4 ? String(Number(lr.toPrecision(3))) : lr.toExponential(2).replace(/\.?0+e/, 'e');
}

/** m:ss, or h:mm:ss past an hour; an em dash while unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * The seed's console output, line for line, so a learner can hold it against their own terminal.
 * The same bytes in every page language: it is the program's output (partly Chinese already), not a
 * label, so it uses its own Python-style formats rather than the locale's.
 */
export function seedPrintout(device: string, paramCount: number | null, history: EpochMetrics[], finalTestAccuracy: number | null): string {
  const percent = (p: number) => `${p.toFixed(2)}%`;
  const lines = [`Using device: ${device}`];
  if (paramCount !== null) lines.push(`模型参数量: ${groupThousands(paramCount)}`);
  for (const m of history) {
    lines.push(`Epoch ${m.epoch}/${m.epochs}`);
    lines.push(` Loss: ${formatLoss(m.loss)}, Train Acc: ${percent(m.trainAccuracy)}, Test Acc: ${percent(m.testAccuracy)}`);
    lines.push(` Learning Rate: ${formatRate(m.learningRate)}`);
  }
  if (finalTestAccuracy !== null) lines.push('', `最终测试准确率: ${percent(finalTestAccuracy)}`);
  return lines.join('\n');
}

/** Python's `f"{n:,}"`: an integer with commas every three digits, whatever the page's language. */
function groupThousands(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
