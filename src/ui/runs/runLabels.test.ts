import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig } from '../../shared/config';
import { ARCH_PRESETS } from '../../shared/arch/presets';
import { formatConfigNumber, labelRuns, runDisplayName, runDisplayNames } from './runLabels';
import type { RunRecord } from './runTypes';

/** Overrides may name fields TrainConfig does not have yet (the optimizer). */
const config = (overrides: Record<string, unknown> = {}) => ({ ...DEFAULT_CONFIG, ...overrides }) as TrainConfig;

describe('labelRuns', () => {
  it('names two runs by optimizer and weight decay only', () => {
    const labels = labelRuns([config({ optimizer: 'adam', weightDecay: 1e-4 }), config({ optimizer: 'adamw', weightDecay: 1e-2 })]);
    expect(labels).toEqual(['Adam wd=1e-4', 'AdamW wd=1e-2']);
  });

  it('shows every field that varies across three runs, in the fixed order', () => {
    const labels = labelRuns([
      config({ optimizer: 'sgd', lr: 0.05, batch: 64 }),
      config({ optimizer: 'adam', lr: 1e-3, batch: 128 }),
      config({ optimizer: 'adam', lr: 2.5e-4, batch: 128, lrGamma: 0.1 }),
    ]);
    expect(labels).toEqual(['SGD lr=5e-2 batch=64 γ=0.5', 'Adam lr=1e-3 batch=128 γ=0.5', 'Adam lr=2.5e-4 batch=128 γ=0.1']);
  });

  it('orders keys and shortens them', () => {
    const a = config({ trainSize: 60000, testSize: 10000, lrStep: 7, dropout: 0.25, seed: 0, backend: 'auto', epochs: 10 });
    const b = config({ trainSize: 6000, testSize: 1000, lrStep: 3, dropout: 0.5, seed: 1, backend: 'wasm', epochs: 20 });
    expect(labelRuns([a, b])).toEqual([
      'epochs=10 step=7 dropout=0.25 seed=0 train=60000 test=10000 backend=auto',
      'epochs=20 step=3 dropout=0.5 seed=1 train=6000 test=1000 backend=wasm',
    ]);
  });

  it('falls back to Run n for a single run or identical configs', () => {
    expect(labelRuns([config()])).toEqual(['Run 1']);
    expect(labelRuns([config(), config(), config()])).toEqual(['Run 1', 'Run 2', 'Run 3']);
    expect(labelRuns([])).toEqual([]);
  });

  it('numbers identical configs among differing ones', () => {
    expect(labelRuns([config({ lr: 1e-3 }), config({ lr: 1e-2 }), config({ lr: 1e-3 })])).toEqual(['lr=1e-3 #1', 'lr=1e-2', 'lr=1e-3 #2']);
  });

  it('adds digits only when three would hide a difference', () => {
    expect(labelRuns([config({ lr: 1e-3 }), config({ lr: 1.0004e-3 })])).toEqual(['lr=1e-3', 'lr=1.0004e-3']);
  });

  it('labels fields it has no rule for under their own name', () => {
    expect(labelRuns([config({ momentum: 0.9 }), config({ momentum: 0.99 })])).toEqual(['momentum=0.9', 'momentum=0.99']);
  });
});

describe('formatConfigNumber', () => {
  it('writes ints plainly and small floats as exponents', () => {
    expect(formatConfigNumber(60000)).toBe('60000');
    expect(formatConfigNumber(0)).toBe('0');
    expect(formatConfigNumber(1e-3)).toBe('1e-3');
    expect(formatConfigNumber(3e-4)).toBe('3e-4');
    expect(formatConfigNumber(0.00125)).toBe('1.25e-3');
    expect(formatConfigNumber(0.25)).toBe('0.25');
    expect(formatConfigNumber(0.05)).toBe('5e-2');
    expect(formatConfigNumber(0.1)).toBe('0.1');
  });
});

describe('runDisplayName', () => {
  it("prefers the user's name, ignoring a blank one", () => {
    expect(runDisplayName({ name: 'baseline' }, 'Adam')).toBe('baseline');
    expect(runDisplayName({ name: '  ' }, 'Adam')).toBe('Adam');
    expect(runDisplayName({}, 'Adam')).toBe('Adam');
  });

  it('labels records against each other', () => {
    const run = (id: string, overrides: Record<string, unknown>, name?: string): RunRecord => ({
      id,
      ...(name ? { name } : {}),
      createdAt: 0,
      config: config(overrides),
      epochs: [],
      batchLoss: [],
      liveChanges: [],
      hidden: false,
      status: 'done',
    });
    expect(runDisplayNames([run('a', { seed: 1 }), run('b', { seed: 2 }, 'mine')])).toEqual(['seed=1', 'mine']);
  });
});

describe('runs of different networks', () => {
  it('are labelled by what sets each network apart from the seed’s', () => {
    const labels = labelRuns([DEFAULT_CONFIG, { ...DEFAULT_CONFIG, arch: ARCH_PRESETS.constant32 }, { ...DEFAULT_CONFIG, arch: ARCH_PRESETS.globalAvgPool }]);
    expect(labels).toEqual(['SimpleCNN', '32-32-32', 'GAP']);
  });
});
