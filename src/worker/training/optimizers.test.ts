/**
 * TorchAdam, TorchAdamW and TorchSgd against PyTorch: fixtures/parity/optimizers.json
 * (tools/parity/make_optimizer_fixture.py) holds two float32 parameter tensors, five steps of given
 * gradients with the learning rate changed between steps, and PyTorch's parameters after every step.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OPTIMIZER_KINDS, isOptimizerKind } from '../../shared/optimizers';
import { createOptimizer, type TrainingOptimizer } from './optimizer';
import { TORCH_ADAM_DEFAULTS, TorchAdam } from './torchAdam';
import { TorchAdamW } from './torchAdamW';
import { TORCH_SGD_DEFAULTS, TORCH_SGD_MOMENTUM, TorchSgd } from './torchSgd';

interface FixtureCase {
  id: string;
  optimizer: 'Adam' | 'AdamW' | 'SGD';
  hyper: {
    weightDecay: number;
    betas?: [number, number];
    eps?: number;
    momentum?: number;
    dampening?: number;
    nesterov?: boolean;
  };
  after: Record<string, number[]>[];
}

interface OptimizerFixture {
  torchVersion: string;
  steps: number;
  lrs: number[];
  params: { name: string; shape: number[]; initial: number[] }[];
  grads: Record<string, number[]>[];
  cases: FixtureCase[];
}

const FIXTURE_PATH = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/parity/optimizers.json');
const fixture = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as OptimizerFixture;

/** |tfjs − PyTorch| ≤ REL·|PyTorch| + ABS, per element. float32 rounding alone is ~2e-7 relative here. */
const REL = 1e-6;
const ABS = 1e-7;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A variable that does not leave its initial tensor behind (tf.variable keeps it alive otherwise). */
function variable(make: () => tf.Tensor): tf.Variable {
  return tf.tidy(() => tf.variable(make()));
}

function fixtureParams(): Map<string, tf.Variable> {
  return new Map(fixture.params.map((p) => [p.name, variable(() => tf.tensor(p.initial, p.shape, 'float32'))]));
}

function disposeParams(params: Map<string, tf.Variable>): void {
  for (const p of params.values()) p.dispose();
}

function optimizerFor(c: FixtureCase, params: Map<string, tf.Variable>, lr: number): TrainingOptimizer {
  const { weightDecay } = c.hyper;
  switch (c.optimizer) {
    case 'Adam':
    case 'AdamW': {
      const [beta1, beta2] = c.hyper.betas as [number, number];
      const options = { lr, beta1, beta2, eps: c.hyper.eps as number, weightDecay };
      return c.optimizer === 'Adam' ? new TorchAdam(params, options) : new TorchAdamW(params, options);
    }
    case 'SGD':
      expect(c.hyper.dampening).toBe(0);
      expect(c.hyper.nesterov).toBe(false);
      return new TorchSgd(params, { lr, momentum: c.hyper.momentum as number, weightDecay });
  }
}

/** Runs the fixture's steps; returns, per step, the largest error measured in units of the tolerance. */
function runFixture(optimizer: TrainingOptimizer, params: Map<string, tf.Variable>, expected: FixtureCase['after']) {
  const worst: number[] = [];
  fixture.grads.forEach((stepGrads, s) => {
    optimizer.options.lr = fixture.lrs[s];
    const grads = Object.fromEntries(
      fixture.params.map((p) => [p.name, tf.tensor(stepGrads[p.name], p.shape, 'float32')]),
    );
    optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
    let w = 0;
    for (const [name, param] of params) {
      const actual = param.dataSync();
      expected[s][name].forEach((e, i) => {
        w = Math.max(w, Math.abs(actual[i] - e) / (REL * Math.abs(e) + ABS));
      });
    }
    worst.push(w);
  });
  return worst;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('optimizer fixture', () => {
  it('holds the cases the tests expect', () => {
    expect(fixture.steps).toBe(5);
    expect(fixture.lrs).toHaveLength(5);
    expect(new Set(fixture.lrs).size).toBeGreaterThan(1); // the lr really changes between steps
    expect(fixture.cases.map((c) => c.id)).toEqual(
      expect.arrayContaining(['adam', 'adamw', 'adamw_strong_decay', 'sgd', 'sgd_strong_decay']),
    );
  });
});

describe.each(fixture.cases.map((c) => [c.id, c] as const))('PyTorch parity: %s', (_id, c) => {
  it('reproduces torch.optim after every step, across learning-rate changes', () => {
    const params = fixtureParams();
    const optimizer = optimizerFor(c, params, fixture.lrs[0]);
    const worst = runFixture(optimizer, params, c.after);
    worst.forEach((w) => expect(w).toBeLessThanOrEqual(1));
    expect(optimizer.step).toBe(fixture.steps);
    optimizer.dispose();
    disposeParams(params);
  });
});

describe('TorchAdamW', () => {
  const decayed = fixture.cases.filter((c) => c.optimizer === 'AdamW');

  it.each(decayed.map((c) => [c.id, c] as const))('%s: L2 Adam with the same decay is far from AdamW', (_id, c) => {
    const params = fixtureParams();
    const adam = optimizerFor({ ...c, optimizer: 'Adam' }, params, fixture.lrs[0]);
    const worst = runFixture(adam, params, c.after);
    expect(Math.max(...worst)).toBeGreaterThan(100);
    adam.dispose();
    disposeParams(params);
  });

  it('differs from TorchAdam when weight decay > 0 and equals it bit for bit when it is 0', () => {
    const results = [0, 1e-2].map((weightDecay) =>
      [TorchAdam, TorchAdamW].map((Optimizer) => {
        const params = fixtureParams();
        const optimizer = new Optimizer(params, { ...TORCH_ADAM_DEFAULTS, lr: 1e-2, weightDecay });
        fixture.grads.forEach((stepGrads) => {
          const grads = Object.fromEntries(fixture.params.map((p) => [p.name, tf.tensor(stepGrads[p.name], p.shape)]));
          optimizer.applyGradients(grads);
          tf.dispose(Object.values(grads));
        });
        const values = [...params.values()].flatMap((p) => Array.from(p.dataSync()));
        optimizer.dispose();
        disposeParams(params);
        return values;
      }),
    );
    const [[adam0, adamW0], [adamDecay, adamWDecay]] = results;
    expect(adamW0).toEqual(adam0);
    expect(maxAbsDiff(adamWDecay, adamDecay)).toBeGreaterThan(1e-4);
  });

  it('with a zero gradient shrinks weights by lr·λ·p, not by about lr', () => {
    const param = variable(() => tf.tensor1d([1, -2]));
    const adamW = new TorchAdamW(new Map([['p', param]]), { ...TORCH_ADAM_DEFAULTS, lr: 0.01, weightDecay: 0.1 });
    const zero = tf.zeros([2]);
    adamW.applyGradients({ p: zero });
    const [a, b] = param.dataSync();
    expect(a).toBeCloseTo(1 * (1 - 0.01 * 0.1), 7);
    expect(b).toBeCloseTo(-2 * (1 - 0.01 * 0.1), 7);
    // the moments saw only the raw (zero) gradient
    const { exp_avg, exp_avg_sq } = adamW.getState().slots.p;
    expect(Array.from(exp_avg.dataSync())).toEqual([0, 0]);
    expect(Array.from(exp_avg_sq.dataSync())).toEqual([0, 0]);
    tf.dispose([zero, param]);
    adamW.dispose();
  });
});

describe('TorchSgd', () => {
  it('exports momentum 0.9 as its default', () => {
    expect(TORCH_SGD_MOMENTUM).toBe(0.9);
    expect(TORCH_SGD_DEFAULTS.momentum).toBe(TORCH_SGD_MOMENTUM);
  });

  it('starts the momentum buffer at the first gradient (plus L2), then b ← μ·b + g', () => {
    const p0 = [0.5, -1, 2];
    const g1 = [0.1, 0.2, -0.3];
    const g2 = [-0.4, 0.05, 0.6];
    const wd = 0.1;
    const lr = 0.1;
    const param = variable(() => tf.tensor1d(p0));
    const sgd = new TorchSgd(new Map([['p', param]]), { ...TORCH_SGD_DEFAULTS, lr, weightDecay: wd });
    const grad1 = tf.tensor1d(g1);
    sgd.applyGradients({ p: grad1 });
    const buf1 = Array.from(sgd.getState().slots.p.momentum_buffer.dataSync());
    buf1.forEach((b, i) => expect(b).toBeCloseTo(g1[i] + wd * p0[i], 6));
    const p1 = Array.from(param.dataSync());
    p1.forEach((p, i) => expect(p).toBeCloseTo(p0[i] - lr * buf1[i], 6));
    const grad2 = tf.tensor1d(g2);
    sgd.applyGradients({ p: grad2 });
    const buf2 = Array.from(sgd.getState().slots.p.momentum_buffer.dataSync());
    buf2.forEach((b, i) => expect(b).toBeCloseTo(0.9 * buf1[i] + g2[i] + wd * p1[i], 6));
    expect(sgd.getState().step).toBe(2);
    tf.dispose([grad1, grad2, param]);
    sgd.dispose();
  });

  it('the first buffer is exactly the gradient when there is no decay', () => {
    const param = variable(() => tf.tensor1d([1, 2, 3]));
    const sgd = new TorchSgd(new Map([['p', param]]), { ...TORCH_SGD_DEFAULTS, lr: 0.01, weightDecay: 0 });
    const grad = tf.tensor1d([0.3, -1e-9, 7]);
    sgd.applyGradients({ p: grad });
    const g = Array.from(grad.dataSync());
    expect(Array.from(sgd.getState().slots.p.momentum_buffer.dataSync())).toEqual(g);
    // the buffer may share the gradient's data: it must outlive the caller disposing the gradient
    grad.dispose();
    expect(Array.from(sgd.getState().slots.p.momentum_buffer.dataSync())).toEqual(g);
    const grad2 = tf.zeros([3]);
    sgd.applyGradients({ p: grad2 });
    const buf2 = Array.from(sgd.getState().slots.p.momentum_buffer.dataSync());
    buf2.forEach((b, i) => expect(b).toBeCloseTo(0.9 * g[i], 6));
    tf.dispose([grad2, param]);
    sgd.dispose();
  });
});

describe.each([
  ['adam', 2],
  ['adamw', 2],
  ['sgd', 1],
] as const)('%s optimizer memory', (kind, slotsPerParam) => {
  it('creates no tensors per step, and dispose frees its slots', () => {
    const start = tf.memory().numTensors;
    const params = new Map([
      ['a', variable(() => tf.randomNormal([4, 4]))],
      ['b', variable(() => tf.randomNormal([3]))],
    ]);
    const grads = { a: tf.randomNormal([4, 4]), b: tf.randomNormal([3]) };
    const beforeOptimizer = tf.memory().numTensors;
    const optimizer = createOptimizer(kind, params, { lr: 1e-3, weightDecay: 1e-4 });
    expect(tf.memory().numTensors).toBe(beforeOptimizer + slotsPerParam * params.size);
    optimizer.applyGradients(grads);
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      optimizer.options.lr *= 0.5;
      optimizer.applyGradients(grads);
      expect(tf.memory().numTensors).toBe(after1);
    }
    const state = optimizer.getState();
    expect(state.step).toBe(6);
    expect(Object.keys(state.slots).sort()).toEqual(['a', 'b']);
    expect(Object.values(state.slots.a)).toHaveLength(slotsPerParam);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(beforeOptimizer);
    tf.dispose(Object.values(grads));
    disposeParams(params);
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('createOptimizer', () => {
  it('builds the class of each kind with PyTorch defaults, lr and weight decay', () => {
    expect(OPTIMIZER_KINDS).toEqual(['adam', 'adamw', 'sgd']);
    const params = new Map([['p', variable(() => tf.zeros([2]))]]);
    const hyper = { lr: 3e-3, weightDecay: 2e-4 };
    const adam = createOptimizer('adam', params, hyper);
    const adamW = createOptimizer('adamw', params, hyper);
    const sgd = createOptimizer('sgd', params, hyper);
    expect(adam).toBeInstanceOf(TorchAdam);
    expect(adam).not.toBeInstanceOf(TorchAdamW);
    expect(adamW).toBeInstanceOf(TorchAdamW);
    expect(sgd).toBeInstanceOf(TorchSgd);
    expect(adam.options).toEqual({ beta1: 0.9, beta2: 0.999, eps: 1e-8, ...hyper });
    expect(adamW.options).toEqual({ beta1: 0.9, beta2: 0.999, eps: 1e-8, ...hyper });
    expect(sgd.options).toEqual({ momentum: 0.9, ...hyper });
    for (const o of [adam, adamW, sgd]) expect(o.step).toBe(0);
    // the fixture was made with the same defaults
    for (const c of fixture.cases) {
      if (c.optimizer === 'SGD') expect(c.hyper.momentum).toBe(TORCH_SGD_MOMENTUM);
      else expect([c.hyper.betas, c.hyper.eps]).toEqual([[0.9, 0.999], 1e-8]);
    }
    for (const o of [adam, adamW, sgd]) o.dispose();
    disposeParams(params);
  });

  it('rejects an unknown kind at run time', () => {
    const params = new Map([['p', variable(() => tf.zeros([1]))]]);
    expect(() => createOptimizer('rmsprop' as never, params, { lr: 1, weightDecay: 0 })).toThrow(/unknown optimizer/);
    expect(isOptimizerKind('adamw')).toBe(true);
    expect(isOptimizerKind('rmsprop')).toBe(false);
    expect(isOptimizerKind(undefined)).toBe(false);
    disposeParams(params);
  });
});
