import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../../shared/config';
import type { EpochMetrics, LiveChange } from '../../shared/protocol';
import { buildAccuracyDatasets } from '../charts/datasets';
import { en } from '../i18n/messages';
import {
  BRANCH_FIELDS,
  branchChartData,
  branchConfig,
  branchPointOwner,
  deleteFromTree,
  runTreeLabels,
  runTreeRows,
  settingsAtEpoch,
  type RunParent,
  type TreeRun,
} from './runTree';

const config = (overrides: Partial<TrainConfig> = {}): TrainConfig => ({ ...DEFAULT_CONFIG, ...overrides });

const metrics = (epoch: number, testAccuracy: number): EpochMetrics => ({
  epoch,
  epochs: 5,
  loss: 1 / epoch,
  trainAccuracy: testAccuracy - 1,
  testAccuracy,
  learningRate: 1e-3,
  trainSeconds: 1,
  evalSeconds: 1,
  samplesPerSecond: 100,
  stepMilliseconds: 10,
});

function run(id: string, createdAt: number, more: Partial<TreeRun> = {}): TreeRun {
  return { id, createdAt, config: config(), epochs: [], batchLoss: [], liveChanges: [], hidden: false, status: 'done', ...more };
}

const branch = (id: string, createdAt: number, parent: RunParent, overrides: Partial<TrainConfig> = {}, more: Partial<TreeRun> = {}) =>
  run(id, createdAt, { parent, config: config(overrides), ...more });

const lrChange = (epoch: number, batch: number, to: number): LiveChange => ({ step: 0, x: epoch - 1 + batch / 10, epoch, batch, changes: [{ field: 'lr', from: 1e-3, to }], learningRate: to });

describe('runTreeRows', () => {
  it('lists each root followed by its branches, depth-first, siblings in creation order', () => {
    const runs = [
      branch('b2', 40, { runId: 'a', epoch: 1 }),
      run('c', 30),
      branch('b1', 20, { runId: 'a', epoch: 3 }),
      branch('b1x', 50, { runId: 'b1', epoch: 4 }),
      run('a', 10),
    ];
    expect(runTreeRows(runs).map(({ run, depth }) => `${'  '.repeat(depth)}${run.id}`)).toEqual(['a', '  b1', '    b1x', '  b2', 'c']);
  });

  it('shows a branch whose parent is gone as a root, marked, and survives a parent chain that loops', () => {
    const rows = runTreeRows([branch('lost', 5, { runId: 'gone', epoch: 2 }), branch('x', 1, { runId: 'y', epoch: 1 }), branch('y', 2, { runId: 'x', epoch: 1 })]);
    expect(rows.map(({ run, depth, orphan }) => [run.id, depth, orphan])).toEqual([
      ['x', 0, true],
      ['y', 1, false],
      ['lost', 0, true],
    ]);
  });
});

describe('runTreeLabels', () => {
  it("names a branch by its parent's name, the epoch and what it changed, as labelRuns writes it", () => {
    const runs = [
      run('a', 1),
      branch('lr', 2, { runId: 'a', epoch: 3 }, { lr: 1e-2 }),
      branch('same', 3, { runId: 'a', epoch: 0 }),
      branch('two', 4, { runId: 'a', epoch: 3 }, { optimizer: 'adamw', weightDecay: 1e-2 }),
      branch('deep', 5, { runId: 'lr', epoch: 5 }, { lr: 1e-2, dropout: 0.5 }),
    ];
    const labels = runTreeLabels(runs);
    expect(Object.fromEntries(labels)).toEqual({
      a: 'Run 1',
      lr: 'Run 1 @3 · lr=1e-2',
      same: 'Run 1 @0',
      two: 'Run 1 @3 · AdamW wd=1e-2',
      deep: 'Run 1 @3 · lr=1e-2 @5 · dropout=0.5',
    });
  });

  it("takes the parent's settings at the branch epoch, its live changes included", () => {
    // The parent went to lr 1e-2 during epoch 2: a branch at 3 with 1e-2 changed nothing; one at 1 did.
    const parent = run('a', 1, { liveChanges: [lrChange(2, 5, 1e-2)] });
    const labels = runTreeLabels([parent, branch('at3', 2, { runId: 'a', epoch: 3 }, { lr: 1e-2 }), branch('at1', 3, { runId: 'a', epoch: 1 }, { lr: 1e-2 })]);
    expect(labels.get('at3')).toBe('Run 1 @3');
    expect(labels.get('at1')).toBe('Run 1 @1 · lr=1e-2');
  });

  it('labels roots among roots only, keeps user names, and numbers twin branches', () => {
    const runs = [
      run('a', 1, { config: config({ optimizer: 'adam' }) }),
      run('b', 2, { config: config({ optimizer: 'sgd' }), name: 'baseline' }),
      branch('t1', 3, { runId: 'b', epoch: 2 }, { optimizer: 'sgd', lr: 0.05 }),
      branch('t2', 4, { runId: 'b', epoch: 2 }, { optimizer: 'sgd', lr: 0.05 }),
      branch('mine', 5, { runId: 'b', epoch: 2 }, { optimizer: 'sgd', lr: 0.05 }, { name: 'my try' }),
    ];
    const labels = runTreeLabels(runs, (n) => `运行 ${n}`);
    expect([...labels.values()]).toEqual(['Adam', 'baseline', 'baseline @2 · lr=5e-2 #1', 'baseline @2 · lr=5e-2 #2', 'my try']);
    expect(runTreeLabels([run('a', 1), run('b', 2)], (n) => `运行 ${n}`).get('b')).toBe('运行 2');
  });
});

describe('deleteFromTree', () => {
  const parent = run('a', 1, { config: config({ lr: 1e-3 }), liveChanges: [lrChange(1, 2, 3e-3)] });
  const runs = [
    run('root', 0, { config: config({ seed: 7 }) }),
    parent,
    branch('b', 2, { runId: 'a', epoch: 3 }, { lr: 1e-2 }),
    branch('c', 3, { runId: 'b', epoch: 5 }, { lr: 1e-2, dropout: 0.5 }),
  ];

  it('keeps the branches, which still read where they came from', () => {
    const before = runTreeLabels(runs);
    const { runs: left, changed } = deleteFromTree(runs, 'a');
    expect(left.map((r) => r.id)).toEqual(['root', 'b', 'c']);
    expect(changed).toEqual([{ ...runs[2], parent: { runId: 'a', epoch: 3, deleted: { name: before.get('a'), config: config({ lr: 3e-3 }) } } }]);
    const after = runTreeLabels(left);
    expect(after.get('b')).toBe(before.get('b'));
    expect(after.get('c')).toBe(before.get('c'));
    expect(after.get('b')).toBe('seed=0 @3 · lr=1e-2');
    expect(runTreeRows(left).map(({ run, depth, orphan }) => [run.id, depth, orphan])).toEqual([
      ['root', 0, false],
      ['b', 0, true],
      ['c', 1, false],
    ]);
  });

  it('leaves everything as it was for an unknown id', () => {
    expect(deleteFromTree(runs, 'nope')).toEqual({ runs, changed: [] });
  });
});

describe('settings and configuration of a branch', () => {
  it('applies the live changes that took effect by the end of the epoch', () => {
    const batchNext: LiveChange = { step: 9, x: 2, epoch: 3, batch: 0, changes: [{ field: 'batch', from: 128, to: 64 }], learningRate: 1e-3 };
    const parent = run('a', 1, { liveChanges: [lrChange(1, 4, 2e-3), lrChange(2, 10, 5e-3), batchNext] });
    expect(settingsAtEpoch(parent, 0)).toEqual(config());
    expect(settingsAtEpoch(parent, 1)).toEqual(config({ lr: 2e-3 }));
    expect(settingsAtEpoch(parent, 2)).toEqual(config({ lr: 5e-3 }));
    expect(settingsAtEpoch(parent, 3)).toEqual(config({ lr: 5e-3, batch: 64 }));
  });

  it("leaves out a branch's inherited live changes: it started with its own settings at its branch point", () => {
    // Inherited from the parent: lr 2e-3 in epoch 1 (before the branch point 2); its own: dropout in epoch 3.
    const own: LiveChange = { step: 20, x: 2.5, epoch: 3, batch: 5, changes: [{ field: 'dropout', from: 0.25, to: 0.5 }], learningRate: 1e-3 };
    const child = branch('b', 2, { runId: 'a', epoch: 2 }, { lr: 1e-4 }, { liveChanges: [lrChange(1, 4, 2e-3), own] });
    expect(settingsAtEpoch(child, 2)).toEqual(config({ lr: 1e-4 }));
    expect(settingsAtEpoch(child, 3)).toEqual(config({ lr: 1e-4, dropout: 0.5 }));
    const labels = runTreeLabels([run('a', 1), child, branch('bb', 3, { runId: 'b', epoch: 3 }, { lr: 1e-4, dropout: 0.5 })]);
    expect(labels.get('bb')).toBe('Run 1 @2 · lr=1e-4 @3');
  });

  it("takes the live fields, the epoch count and the optimizer from the controls, the rest from the parent", () => {
    expect([...BRANCH_FIELDS].sort()).toEqual(['batch', 'dropout', 'epochs', 'lr', 'lrGamma', 'lrStep', 'optimizer', 'weightDecay']);
    const parent = config({ seed: 3, trainSize: 2048, backend: 'wasm' });
    const controls = config({ seed: 9, trainSize: 60000, backend: 'auto', lr: 1e-2, optimizer: 'adamw', batch: 64, epochs: 12 });
    expect(branchConfig(parent, controls)).toEqual(config({ seed: 3, trainSize: 2048, backend: 'wasm', lr: 1e-2, optimizer: 'adamw', batch: 64, epochs: 12 }));
  });
});

describe('branchChartData', () => {
  const parentEpochs = [1, 2, 3, 4].map((e) => metrics(e, 90 + e));
  const parent = run('a', 1, { epochs: parentEpochs });
  // The branch's history starts with the parent's (from the checkpoint at 2), then its own epochs.
  const source = {
    epochs: [...parentEpochs.slice(0, 2), metrics(3, 80), metrics(4, 85)],
    batchLoss: [1, 2, 3, 4].flatMap((e) => [{ step: 2 * e - 1, x: e - 0.5, loss: 1 }, { step: 2 * e, x: e, loss: 1 }]),
    liveChanges: [lrChange(2, 3, 1e-2), lrChange(3, 0, 1e-2)],
  };

  it('draws a branch from its branch epoch on, joined to the parent at that point', () => {
    const data = branchChartData(source, { runId: 'a', epoch: 2 }, [parent]);
    expect(data.joinedAt).toBe(2);
    expect(data.epochs.map((m) => [m.epoch, m.testAccuracy])).toEqual([
      [2, 92],
      [3, 80],
      [4, 85],
    ]);
    expect(data.batchesFrom).toBe(2);
    expect(data.batchLoss).toBe(source.batchLoss);
    expect(data.liveChanges.map((c) => c.epoch)).toEqual([3]);
    // What the accuracy panel draws of it: a line from the parent's point at 2 on.
    const [, test] = buildAccuracyDatasets([{ id: 'b', label: 'b', current: false, markers: [], ...data }], en.charts);
    expect(test.data).toEqual([
      { x: 2, y: 92 },
      { x: 3, y: 80 },
      { x: 4, y: 85 },
    ]);
  });

  it("joins at the branch's own copy of the point when the parent is gone, and not at all from epoch 0", () => {
    expect(branchChartData(source, { runId: 'gone', epoch: 2 }, []).epochs[0]).toEqual(parentEpochs[1]);
    const fromStart = branchChartData({ ...source, epochs: [metrics(1, 70)] }, { runId: 'a', epoch: 0 }, [parent]);
    expect(fromStart).toMatchObject({ joinedAt: null, epochs: [metrics(1, 70)], batchesFrom: 0 });
    expect(fromStart.batchLoss).toHaveLength(8);
  });

  it('draws a root whole', () => {
    expect(branchChartData(source, undefined, [parent])).toEqual({ ...source, joinedAt: null, batchesFrom: null });
  });
});

describe('branchPointOwner', () => {
  const runs = [run('a', 1), branch('b', 2, { runId: 'a', epoch: 3 }), branch('c', 3, { runId: 'b', epoch: 5 }), branch('orphan', 4, { runId: 'gone', epoch: 2 })];

  it("sends a branch's epochs up to its branch point to the ancestor that trained them", () => {
    expect(branchPointOwner(runs, 'c', 6)).toEqual({ runId: 'c', epoch: 6 });
    expect(branchPointOwner(runs, 'c', 5)).toEqual({ runId: 'b', epoch: 5 });
    expect(branchPointOwner(runs, 'c', 4)).toEqual({ runId: 'b', epoch: 4 });
    expect(branchPointOwner(runs, 'c', 3)).toEqual({ runId: 'a', epoch: 3 });
    expect(branchPointOwner(runs, 'c', 1)).toEqual({ runId: 'a', epoch: 1 });
  });

  it("falls back on an orphan's own copy of its branch point; the epochs before it are gone", () => {
    expect(branchPointOwner(runs, 'orphan', 1)).toBeNull();
    expect(branchPointOwner(runs, 'orphan', 2)).toEqual({ runId: 'orphan', epoch: 2 });
    expect(branchPointOwner(runs, 'orphan', 3)).toEqual({ runId: 'orphan', epoch: 3 });
    expect(branchPointOwner(runs, 'nope', 1)).toBeNull();
  });
});
