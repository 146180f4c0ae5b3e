import { describe, expect, it } from 'vitest';
import { en, type Messages } from './messages';
import { ALL_TEXT_SAMPLES } from './textSamples';
import { zh } from './zh';

/** True when T holds a message function somewhere below it. */
type HasFunctions<T> = T extends string
  ? false
  : T extends (...args: never[]) => string
    ? true
    : [{ [K in keyof T]: HasFunctions<T[K]> extends true ? K : never }[keyof T]] extends [never]
      ? false
      : true;

/** For every message function, the argument lists to call it with (the compiler asks for a new function's). */
type Samples<T> = {
  [K in keyof T as HasFunctions<T[K]> extends true ? K : never]: T[K] extends (...args: infer A) => string
    ? readonly A[]
    : Samples<T[K]>;
};

const SAMPLES: Samples<Messages> = {
  app: { subtitle: [[128]], insightHeading: [[3]] },
  status: { backend: [['wasm', 1], ['wasm', 4]], paramsPrefix: [[null], ['c32p-c32p-c32p-f256']], dataVerified: [[60000, 10000, 11.594]], tensorCounts: [[[31, 31]], [[12]]] },
  progress: {
    epoch: [[3, 10]],
    evaluating: [[10000]],
    batch: [[120, 469]],
    samplesPerSecond: [[1234.5]],
    msPerStep: [[41.7]],
    epochEta: [['1:05']],
    runEta: [['1:02:03']],
    runningLoss: [['0.2123']],
  },
  drawing: { testImageCaption: [[1234, 7]] },
  prediction: { probability: [[7, 0.931], [0, 0]], noProbability: [[3]] },
  featureMaps: { shape: [[32, 28, 28]], layer: [[3, 1, 1, 32, 'ReLU'], [5, 2, 32, 64, 'tanh']], pool: [['max', 14], ['avg', 5]], readout: [[5, 32, 1.23456]] },
  confusion: { caption: [[10000]], cell: [[3, 3, 980, 1010], [3, 5, 1, 1010], [4, 9, 0, 0]] },
  gallery: {
    note: [
      [190, 10000, 64, null],
      [190, 10000, 64, { shown: 5, label: 4, predicted: 9 }],
    ],
    item: [[1234, 4, 9, 0.987]],
    confidence: [[0.5]],
  },
  controls: {
    effectiveFormula: [['0.001', 0.5, 7]],
    cpuWorkersAuto: [[8]],
    notANumber: [['Epochs', 'abc', 10]],
    outOfRange: [['Training images', '99999', 1, 60000, 60000]],
    moreSettingsValues: [[{ weightDecay: '0.0001', lrStep: 7, lrGamma: '0.5', dropout: '0.25', seed: 0, trainSize: '60,000', testSize: '10,000' }]],
  },
  charts: { tooltipEpoch: [[3], [2.25]], runSeries: [['AdamW wd=1e-2', 'smoothed']], pointMenu: [['Run 1 @3 · lr=1e-2', 4]] },
  epochLog: { branchFrom: [[0], [3]], compareFrom: [[2]], inherited: [['Run 1']] },
  liveChanges: {
    entry: [[2, 100, 'lr 1e-3→3e-3', '0.003']],
    spike: [['1,040', 2, 5, '0.3123', '0.1']],
    rollBackTo: [['epoch 1']],
    spikeMarker: [['1,040']],
  },
  runs: {
    defaultLabel: [[2]],
    renameRun: [['AdamW']],
    hideRun: [['AdamW']],
    showRun: [['AdamW']],
    deleteRun: [['AdamW']],
    nameField: [['AdamW']],
    confirmDelete: [['AdamW']],
    checkpoints: [['14.1 MB', '0–3']],
    midEpochOnly: [['4.7 MB']],
    dropCheckpointsOf: [['AdamW']],
    confirmDrop: [['AdamW']],
    storageCheckpoints: [['52.6 MB']],
    storageQuota: [['60.1 MB', '1.2 GB']],
    evicted: [['Run 1 and Run 2']],
    joinNames: [[['Run 1']], [['Run 1', 'Run 2', 'Adam wd=1e-4']]],
  },
  compare: { buttonHint: [['1e-4', '1e-2']] },
  recovery: {
    restarted: [['WASM (CPU)', true], ['WebGPU', false]],
    diverged: [['+∞', 3, 120, '0.1']], // ('NaN' is a real loss text too, but the check below looks for NaN)
    rollBackHint: [['epoch 1']],
    where: [[0, 0], [1, 0], [1, 30]],
    saved: [[0, 10, 0, '12/1/2025, 11:54:00', '60,000'], [4, 10, 0, '12/1/2025, 11:54:00', '60,000'], [4, 10, 200, '12/1/2025, 11:54:00', '60,000']],
    checkpointsOff: [['IndexedDB is unavailable']],
  },
  diagnostics: { idleValue: [[21, 10], [0, 22]], poolWorker: [[1]], poolWorkerFigures: [['12', '41.9 MB', '12, 12']], lastCheckpointValue: [['4.7 MB', 38.4, 'epoch 3']] },
  modelFiles: {
    refused: [['model.json is not valid JSON.']],
    imported: [['model.json, w.bin']],
    exported: [['model.json, w.bin']],
    pytorchExported: [['run-1.safetensors', 'run-1.py']],
    pytorchRefused: [['The file is not a safetensors file: it has 3 bytes, fewer than the 8 of the header length.']],
    importedName: [['trained']],
    initialName: [[0], [4294967295]],
  },
  texts: { render: ALL_TEXT_SAMPLES.map((text) => [text] as const) },
};

/**
 * Keys whose Chinese text rightly has no Chinese character: technical names kept as they are, formulas,
 * numbers and punctuation.
 */
const NO_CJK_EXPECTED = new Set([
  'status.reasonSeparator',
  'prediction.probability',
  'prediction.noProbability',
  'gallery.confidence',
  'controls.optimizers.adam',
  'controls.optimizers.adamw',
  'controls.optimizers.sgd',
  'controls.backends.webgpu',
  'controls.backends.webgl',
  'charts.runSeries',
  'liveChanges.fields.lrGamma',
  'liveChanges.fields.dropout',
  'compare.adamRule',
  // Run names joined by punctuation.
  'runs.joinNames',
  // Some texts render the browser's own message; texts.test.ts checks each kind's Chinese.
  'texts.render',
]);

type Tree = { readonly [key: string]: string | ((...args: never[]) => string) | Tree };

interface Leaf {
  path: string;
  /** The message's text, or one text per sample argument list. */
  texts: string[];
  params: number | null;
}

function samplesAt(path: string): unknown[][] {
  let node: unknown = SAMPLES;
  for (const key of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[key];
  if (!Array.isArray(node) || node.length === 0) throw new Error(`no sample arguments for ${path}`);
  return node as unknown[][];
}

function leaves(tree: Tree, prefix = ''): Leaf[] {
  return Object.entries(tree).flatMap(([key, value]): Leaf[] => {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') return [{ path, texts: [value], params: null }];
    if (typeof value === 'function') {
      const fn = value as (...args: unknown[]) => unknown;
      return [{ path, texts: samplesAt(path).map((args) => fn(...args) as string), params: fn.length }];
    }
    return leaves(value, path);
  });
}

const enLeaves = leaves(en as Tree);
const zhLeaves = leaves(zh as Tree);
const CJK = /[\u3400-\u9fff]/;

describe('messages', () => {
  it('Chinese has exactly the English keys, each a string or a function of as many parameters', () => {
    expect(zhLeaves.map((l) => l.path)).toEqual(enLeaves.map((l) => l.path));
    expect(zhLeaves.map((l) => [l.path, l.params])).toEqual(enLeaves.map((l) => [l.path, l.params]));
  });

  it('every message, in both languages and for every sample, is a non-empty text without undefined, NaN or [object', () => {
    for (const { path, texts } of [...enLeaves, ...zhLeaves]) {
      for (const text of texts) {
        expect(typeof text, path).toBe('string');
        expect(text.trim().length, path).toBeGreaterThan(0);
        expect(text, path).not.toMatch(/undefined|NaN|\[object|null/);
      }
    }
  });

  it('Chinese labels are written in Chinese (bar technical names, formulas and numbers)', () => {
    for (const { path, texts } of zhLeaves) {
      for (const text of texts) {
        if (NO_CJK_EXPECTED.has(path)) continue;
        expect(text, `${path} should contain Chinese`).toMatch(CJK);
      }
    }
  });

  it('the keys without Chinese are still used: none is stale', () => {
    const paths = new Set(zhLeaves.map((l) => l.path));
    for (const path of NO_CJK_EXPECTED) expect(paths.has(path), path).toBe(true);
  });

  it('English has no Chinese characters', () => {
    for (const { path, texts } of enLeaves) for (const text of texts) expect(text, path).not.toMatch(CJK);
  });

  it('keeps the accessible names the tests and users rely on', () => {
    expect(en.drawing.pad).toBe('Drawing pad');
    expect(en.drawing.clear).toBe('Clear');
    expect(en.prediction.probabilities).toBe('Probabilities');
    expect(en.prediction.probability(7, 0.931)).toBe('7: 93.1%');
    expect(en.confusion.table).toBe('Confusion matrix');
    expect(en.gallery.region).toBe('Misclassified examples');
    expect(en.featureMaps.region).toBe('Feature maps');
    expect(en.featureMaps.shape(32, 28, 28)).toBe('32 maps of 28×28');
    expect(en.epochLog.caption).toBe('Epoch log');
    expect(en.epochLog.branchFrom(3)).toBe('Branch from epoch 3');
    expect(en.runs.joinNames(['Run 1', 'Run 2', 'Run 3'])).toBe('Run 1, Run 2 and Run 3');
    expect(en.notices.list).toBe('Notices');
    expect(en.modelFiles.exportPytorch).toBe('Export for PyTorch');
    expect(en.modelFiles.importPytorch).toBe('Import PyTorch weights');
    expect(en.status.dataVerified(60000, 10000, 11.594)).toBe(
      'MNIST verified (SHA-256, IDX headers): 60,000 training and 10,000 test images, 11.6 MB downloaded.',
    );
    expect(en.confusion.cell(3, 3, 980, 1010)).toBe('True 3, predicted 3: 980 images (97.0% of the 1010 3s)');
    expect(en.confusion.cell(3, 5, 1, 1010)).toBe('True 3, predicted 5: 1 image (0.1% of the 1010 3s)');
    expect(en.gallery.item(1234, 4, 9, 0.987)).toBe('Test image 1234: true 4, predicted 9 with 99% confidence');
    expect(en.controls.outOfRange('Training images', '99999', 1, 60000, 60000)).toBe(
      'Training images: 99999 is outside 1–60,000; using 60,000.',
    );
  });

  it('writes Chinese numbers with the zh-CN grouping', () => {
    expect(zh.status.dataVerified(60000, 10000, 11.594)).toContain('60,000 张训练图像');
    expect(zh.prediction.probability(7, 0.931)).toBe('7：93.1%');
    expect(zh.progress.epoch(3, 10)).toBe('第 3/10 轮 · ');
  });
});
