/**
 * Runs out of the page: JSON that keeps everything (to archive or re-load), CSV for a spreadsheet or
 * pandas. Pure functions returning text; the caller makes the Blob and the download.
 */
import { DEFAULT_CONFIG } from '../../shared/config';
import type { EpochMetrics } from '../../shared/protocol';
import { runDisplayNames } from './runLabels';
import type { RunRecord } from './runTypes';

export const EXPORT_APP = 'mnist-lab';
/** Bumped when the JSON's shape changes incompatibly, so a future importer can tell versions apart. */
export const EXPORT_FORMAT_VERSION = 1;

export interface RunsExport {
  app: typeof EXPORT_APP;
  kind: 'runs';
  formatVersion: typeof EXPORT_FORMAT_VERSION;
  runs: (RunRecord & { label: string })[];
}

/**
 * `labels` defaults to labelling the exported runs against each other; pass the UI's labels to keep
 * the names the user saw when exporting a subset. Non-finite numbers become null, as in JSON.stringify.
 */
export function runsToJson(runs: readonly RunRecord[], labels: readonly string[] = runDisplayNames(runs)): string {
  const doc: RunsExport = {
    app: EXPORT_APP,
    kind: 'runs',
    formatVersion: EXPORT_FORMAT_VERSION,
    runs: runs.map((run, i) => ({ label: labels[i] ?? run.id, ...run })),
  };
  return `${prettyJson(doc, '')}\n`;
}

/**
 * Metric columns, keyed by EpochMetrics field: typed as a full record so a new metric fails to
 * compile until it gets a column. Names are snake_case, which keeps them apart from the camelCase
 * config columns (`lr` is the configured base rate, `learning_rate` the epoch's decayed one).
 */
const METRIC_COLUMNS: { readonly [K in keyof EpochMetrics]-?: string } = {
  epoch: 'epoch',
  epochs: 'epochs_total',
  loss: 'train_loss',
  trainAccuracy: 'train_acc',
  testAccuracy: 'test_acc',
  learningRate: 'learning_rate',
  trainSeconds: 'train_seconds',
  evalSeconds: 'eval_seconds',
  samplesPerSecond: 'samples_per_second',
  stepMilliseconds: 'step_ms',
};

/** One row per epoch per run (a run with no finished epoch has no rows), RFC 4180, CRLF line ends. */
export function runsToCsv(runs: readonly RunRecord[], labels: readonly string[] = runDisplayNames(runs)): string {
  const metricKeys = Object.keys(METRIC_COLUMNS) as (keyof EpochMetrics)[];
  const metricNames = metricKeys.map((key) => METRIC_COLUMNS[key]);
  const reserved = new Set(['run_id', 'run_label', ...metricNames]);
  const configFields = configFieldsOf(runs);
  const header = [
    'run_id',
    'run_label',
    // A config field named like a fixed column would make the header ambiguous; prefix only then.
    ...configFields.map((field) => (reserved.has(field) ? `config_${field}` : field)),
    ...metricNames,
  ];
  const rows: unknown[][] = [header];
  runs.forEach((run, i) => {
    const config = run.config as unknown as Readonly<Record<string, unknown>>;
    const fixed = [run.id, labels[i] ?? run.id, ...configFields.map((field) => config[field])];
    for (const metrics of run.epochs) rows.push([...fixed, ...metricKeys.map((key) => metrics[key])]);
  });
  return toCsv(rows);
}

/** Every batch loss of every run, long format: run_id, step, epoch (fractional: where the chart plots it), loss. */
export function batchLossToCsv(runs: readonly RunRecord[]): string {
  const rows: unknown[][] = [['run_id', 'step', 'epoch', 'loss']];
  for (const run of runs) for (const point of run.batchLoss) rows.push([run.id, point.step, point.x, point.loss]);
  return toCsv(rows);
}

export function toCsv(rows: readonly (readonly unknown[])[]): string {
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/** One field, quoted only when it holds a comma, a quote or a line break (RFC 4180). */
export function csvField(value: unknown): string {
  const text = csvText(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') {
    // Empty is what spreadsheets and pandas read as missing; "inf" is what pandas and numpy parse.
    if (Number.isNaN(value)) return '';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
    return String(value);
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The defaults' fields in their declared order, then any others the runs carry, as first seen. */
function configFieldsOf(runs: readonly RunRecord[]): string[] {
  const fields = new Set(Object.keys(DEFAULT_CONFIG));
  for (const run of runs) for (const field of Object.keys(run.config)) fields.add(field);
  return [...fields];
}

/**
 * JSON.stringify(value, null, 2) would spend a line on every number: ~100k lines for one run's batch
 * losses. Here objects nest over lines as usual, but an array's flat elements (primitives, objects
 * of primitives: an epoch, a loss point) take one line each, so the file stays readable and diffable.
 */
function prettyJson(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = `${indent}  `;
    const items = value.map((item) => (isFlat(item) ? jsonPrimitive(item) : prettyJson(item, inner)));
    return `[\n${items.map((item) => `${inner}${item}`).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const inner = `${indent}  `;
    const lines = entries.map(([key, v]) => `${inner}${JSON.stringify(key)}: ${prettyJson(v, inner)}`);
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return jsonPrimitive(value);
}

function jsonPrimitive(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

function isFlat(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return value.every((v) => typeof v !== 'object' || v === null);
  return Object.values(value).every((v) => typeof v !== 'object' || v === null);
}
