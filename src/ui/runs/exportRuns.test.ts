import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../../shared/config';
import type { EpochMetrics } from '../../shared/protocol';
import { batchLossToCsv, csvField, EXPORT_FORMAT_VERSION, runsToCsv, runsToJson, type RunsExport } from './exportRuns';
import type { RunRecord } from './runTypes';

const metrics = (epoch: number, overrides: Partial<EpochMetrics> = {}): EpochMetrics => ({
  epoch,
  epochs: 3,
  loss: 1 / epoch,
  trainAccuracy: 90 + epoch,
  testAccuracy: 95 + epoch / 10,
  learningRate: 1e-3,
  trainSeconds: 10,
  evalSeconds: 1,
  samplesPerSecond: 6000,
  stepMilliseconds: 4.25,
  ...overrides,
});

function makeRun(id: string, epochs: number, config: Record<string, unknown>, name?: string): RunRecord {
  return {
    id,
    ...(name === undefined ? {} : { name }),
    createdAt: 1_700_000_000_000,
    config: { ...DEFAULT_CONFIG, ...config } as TrainConfig,
    epochs: Array.from({ length: epochs }, (_, i) => metrics(i + 1)),
    batchLoss: Array.from({ length: epochs * 4 }, (_, step) => ({ step, x: step / 4, loss: 2.3 / (step + 1) })),
    liveChanges: [{ step: 1, x: 0.5, epoch: 1, batch: 2, changes: [{ field: 'lr', from: 1e-3, to: 3e-3 }], learningRate: 3e-3 }],
    hidden: false,
    status: 'done',
  };
}

const tricky = 'best, so far "v2"\nsecond line';
const runs = [
  makeRun('r1', 3, { optimizer: 'adam', weightDecay: 1e-4 }, tricky),
  makeRun('r2', 2, { optimizer: 'adamw', weightDecay: 1e-2 }),
  makeRun('r3', 0, { optimizer: 'sgd', weightDecay: 0 }),
];

/** RFC 4180: fields split by commas, records by CRLF; quoted fields may hold both, "" is a quote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      if (c === '"' || c === '\n' || c === '\r') throw new Error(`unquoted ${JSON.stringify(c)} at ${i}`);
      field += c;
      i++;
    }
  }
  if (quoted) throw new Error('unterminated quote');
  if (field !== '' || row.length > 0) throw new Error('last record lacks its CRLF');
  return rows;
}

describe('csvField', () => {
  it('quotes only fields with a comma, quote or line break, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(1e-4)).toBe('0.0001');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(Number.POSITIVE_INFINITY)).toBe('inf');
    expect(csvField(undefined)).toBe('');
  });
});

describe('runsToCsv', () => {
  const rows = parseCsv(runsToCsv(runs));
  const [header, ...body] = rows;
  const column = (name: string) => header.indexOf(name);

  it('writes one row per epoch per run, every row as wide as the header', () => {
    expect(body).toHaveLength(3 + 2);
    for (const row of body) expect(row).toHaveLength(header.length);
  });

  it('has the run, every config field, then the metrics', () => {
    expect(header.slice(0, 2)).toEqual(['run_id', 'run_label']);
    for (const field of [...Object.keys(DEFAULT_CONFIG), 'optimizer']) expect(header).toContain(field);
    expect(header.slice(-10)).toEqual([
      'epoch',
      'epochs_total',
      'train_loss',
      'train_acc',
      'test_acc',
      'learning_rate',
      'train_seconds',
      'eval_seconds',
      'samples_per_second',
      'step_ms',
    ]);
    expect(new Set(header).size).toBe(header.length);
  });

  it("round-trips a user's name with a comma, quotes and a newline, and the auto labels", () => {
    expect(body.slice(0, 3).map((row) => row[column('run_label')])).toEqual([tricky, tricky, tricky]);
    expect(body[3][column('run_label')]).toBe('AdamW wd=1e-2');
  });

  it('keeps the numbers exact', () => {
    expect(body[2][column('epoch')]).toBe('3');
    expect(Number(body[2][column('train_loss')])).toBe(1 / 3);
    expect(body[3][column('weightDecay')]).toBe('0.01');
    expect(body[3][column('optimizer')]).toBe('adamw');
  });

  it('takes the labels the caller shows', () => {
    const custom = parseCsv(runsToCsv(runs.slice(1, 2), ['shown label']));
    expect(custom[1][column('run_label')]).toBe('shown label');
  });
});

describe('batchLossToCsv', () => {
  it('writes run_id, step, epoch, loss for every point', () => {
    const [header, ...body] = parseCsv(batchLossToCsv(runs));
    expect(header).toEqual(['run_id', 'step', 'epoch', 'loss']);
    expect(body).toHaveLength(12 + 8);
    expect(body[13]).toEqual(['r2', '1', '0.25', String(2.3 / 2)]);
  });
});

describe('runsToJson', () => {
  it('parses back to the runs, with the app, a format version and labels', () => {
    const text = runsToJson(runs);
    const doc = JSON.parse(text) as RunsExport;
    expect(doc.app).toBe('mnist-lab');
    expect(doc.formatVersion).toBe(EXPORT_FORMAT_VERSION);
    expect(doc.runs.map(({ label: _label, ...run }) => run)).toEqual(runs);
    expect(doc.runs.map((run) => run.label)).toEqual([tricky, 'AdamW wd=1e-2', 'SGD wd=0']);
  });

  it('is pretty but spends one line per batch-loss point, not per number', () => {
    const text = runsToJson(runs);
    expect(text).toContain('\n  "runs": [');
    expect(text).toContain('\n        {"step":1,"x":0.25,"loss":1.15},');
    expect(text.split('\n').length).toBeLessThan(200);
  });
});
