/**
 * Automatic run labels: each run is named by what sets it apart from the runs shown beside it
 * ("AdamW wd=1e-2"), so a legend reads as the experiment's variables rather than as opaque ids.
 */
import type { ArchSpec } from '../../shared/arch/archSpec';
import { archLabel } from '../../shared/arch/archLabel';
import type { TrainConfig } from '../../shared/config';
import type { RunRecord } from './runTypes';

/**
 * Fields in the order they appear in a label, with their short keys. Written as plain strings, not
 * `keyof TrainConfig`, so fields that do not exist yet (or any more) cost nothing; fields missing
 * here still appear, after these, under their own name.
 */
const FIELD_ORDER: readonly (readonly [field: string, short: string])[] = [
  ['arch', ''],
  ['optimizer', ''],
  ['lr', 'lr'],
  ['weightDecay', 'wd'],
  ['batch', 'batch'],
  ['epochs', 'epochs'],
  ['lrStep', 'step'],
  ['lrGamma', 'γ'],
  ['dropout', 'dropout'],
  ['seed', 'seed'],
  ['trainSize', 'train'],
  ['testSize', 'test'],
  ['backend', 'backend'],
  ['workers', 'workers'],
];

const OPTIMIZER_NAMES: Readonly<Record<string, string>> = { adam: 'Adam', adamw: 'AdamW', sgd: 'SGD' };

/** One label per config, in the same order; labels are distinct even when configs are not. */
export function labelRuns(configs: readonly TrainConfig[], fallback: (n: number) => string = (n) => `Run ${n}`): string[] {
  const records = configs.map((config) => config as unknown as Readonly<Record<string, unknown>>);
  const fields = orderedFields(records).filter((field) => !records.every((r) => sameValue(r[field], records[0][field])));
  if (fields.length === 0) return records.map((_, i) => fallback(i + 1));

  const columns = fields.map((field) => ({ field, short: shortKey(field), format: fieldFormatter(field, records.map((r) => r[field])) }));
  const labels = records.map((record) =>
    columns
      .map(({ field, short, format }) => {
        const value = format(record[field]);
        return short ? `${short}=${value}` : value;
      })
      .join(' '),
  );
  return disambiguate(labels);
}

/** The user's name when there is one, otherwise the automatic label. */
export function runDisplayName(run: Pick<RunRecord, 'name'>, autoLabel: string): string {
  const name = run.name?.trim();
  return name ? name : autoLabel;
}

/**
 * Compact numbers: integers plainly, floats below 0.1 as 1e-2 / 2.5e-4 (learning rates and decays
 * span decades, so exponents compare at a glance), others with few digits (0.25).
 */
export function formatConfigNumber(value: number, significantDigits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  if (Math.abs(value) < 0.1) {
    const [mantissa, exponent] = value.toExponential(significantDigits - 1).split('e');
    return `${trimZeros(mantissa)}e${exponent.replace('+', '')}`;
  }
  return String(Number(value.toPrecision(significantDigits)));
}

function trimZeros(mantissa: string): string {
  return mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
}

function orderedFields(records: readonly Readonly<Record<string, unknown>>[]): string[] {
  const known = FIELD_ORDER.map(([field]) => field);
  const extra = new Set<string>();
  for (const record of records) for (const field of Object.keys(record)) if (!known.includes(field)) extra.add(field);
  return [...known, ...[...extra].sort()];
}

function shortKey(field: string): string {
  const entry = FIELD_ORDER.find(([name]) => name === field);
  return entry ? entry[1] : field;
}

function sameValue(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b));
}

/**
 * A formatter for one field, given every run's value of it. Numbers start at three significant
 * digits and get more only when that would print two different values the same (lr 1e-3 vs
 * 1.0004e-3), so labels stay short but never lie about a difference.
 */
function fieldFormatter(field: string, values: readonly unknown[]): (value: unknown) => string {
  const numbers = [...new Set(values.filter((v): v is number => typeof v === 'number'))];
  let digits = 3;
  while (digits < 17 && new Set(numbers.map((n) => formatConfigNumber(n, digits))).size < numbers.length) digits++;
  return (value) => {
    if (typeof value === 'number') return formatConfigNumber(value, digits);
    if (typeof value === 'string') return (field === 'optimizer' ? OPTIMIZER_NAMES[value] : undefined) ?? value;
    if (field === 'arch' && typeof value === 'object' && value !== null) return archLabel(value as ArchSpec);
    if (value === undefined) return '—';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  };
}

/** Labels that coincide (identical configs beside differing ones, twin branches) get #1, #2, … in order. */
export function disambiguate(labels: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  const seen = new Map<string, number>();
  return labels.map((label) => {
    if ((counts.get(label) ?? 0) < 2) return label;
    const n = (seen.get(label) ?? 0) + 1;
    seen.set(label, n);
    return `${label} #${n}`;
  });
}

/** Every run's display name, labelled against the others in `runs`. */
export function runDisplayNames(runs: readonly RunRecord[]): string[] {
  const labels = labelRuns(runs.map((run) => run.config));
  return runs.map((run, i) => runDisplayName(run, labels[i]));
}
