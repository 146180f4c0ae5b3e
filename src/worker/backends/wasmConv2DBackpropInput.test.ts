/**
 * Checks the wasm Conv2DBackpropInput replacement kernel against tfjs's cpu backend (its reference
 * semantics) and against the C++ kernel it replaces, for the fast path (stride 1) and the
 * fallback (strides > 1, padding wider than the filter), plus memory and input-intact checks.
 *
 * Runs in Vitest's plain Node environment; see wasmConv2DBackpropFilter.test.ts for why the wasm
 * backend works there with no configuration.
 *
 * Timings for the SimpleCNN's shapes at batch 128 (this kernel vs the C++ loop it replaces) are in
 * a benchmark block that only runs with WASM_KERNEL_BENCH=1 (it asserts nothing).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SeededRandom } from '../training/random';
import { convAttrsOf, convInfoOf, dyShapeOf, type ConvCase } from './testing/convCase';
import { expectOnlyItsOutputBuffer, onBackend, randomValues, sizeOf, withEngineLeakCheck } from './testing/kernelChecks';
import { registerWasmConv2DBackpropFilter } from './wasmConv2DBackpropFilter';
import {
  registerWasmConv2DBackpropInput,
  unregisterWasmConv2DBackpropInput,
  unsupportedReason,
  wasmConv2DBackpropInputConfig,
} from './wasmConv2DBackpropInput';


interface Case extends ConvCase {
  /** Whether the fast path (a forward Conv2D) handles it, rather than the fallback. */
  fast: boolean;
}

const attrsOf = (c: Case) => convAttrsOf(c, { inputShape: c.x });

/** dx by running the Conv2DBackpropInput kernel itself on the active backend. */
function kernelDx(c: Case, wVals: Float32Array, dyVals: Float32Array): Float32Array {
  return tf.tidy(() => {
    const filter = tf.tensor4d(wVals, c.filter);
    const dy = tf.tensor4d(dyVals, dyShapeOf(c));
    const dx = tf.engine().runKernel<tf.Tensor>('Conv2DBackpropInput', { dy, filter }, attrsOf(c));
    expect(dx.shape).toEqual(c.x);
    expect(dx.dtype).toBe('float32');
    return dx.dataSync() as Float32Array;
  });
}

/** dx end to end: the gradient of conv2d w.r.t. its input, with dy as the upstream gradient. */
function gradDx(c: Case, xVals: Float32Array, wVals: Float32Array, dyVals: Float32Array): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(xVals, c.x);
    const w = tf.tensor4d(wVals, c.filter);
    const dy = tf.tensor4d(dyVals, dyShapeOf(c));
    const g = tf.grad((input: tf.Tensor) =>
      tf.conv2d(input as tf.Tensor4D, w, c.strides, c.pad, 'NHWC', 1, c.dimRoundingMode),
    );
    return g(x, dy).dataSync() as Float32Array;
  });
}

/** max |actual − expected| ≤ rtol · max |expected|. */
function expectClose(actual: Float32Array, expected: Float32Array, rtol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let maxRef = 0;
  let maxErr = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    expect(Number.isFinite(a), `element ${i} is ${a}`).toBe(true);
    maxRef = Math.max(maxRef, Math.abs(e));
    maxErr = Math.max(maxErr, Math.abs(a - e));
  }
  expect(maxRef).toBeGreaterThan(0); // a vacuous all-zero comparison would prove nothing
  expect(maxErr / maxRef, `max error ${maxErr} vs max |ref| ${maxRef}`).toBeLessThanOrEqual(rtol);
}

const cases: Case[] = [
  // The SimpleCNN's three convolutions (3×3, padding 1 = 'same'), at batch 4.
  { name: 'SimpleCNN conv1 [4,28,28,1] 3x3x1x32 same', x: [4, 28, 28, 1], filter: [3, 3, 1, 32], strides: 1, pad: 'same', fast: true },
  { name: 'SimpleCNN conv2 [4,14,14,32] 3x3x32x64 same', x: [4, 14, 14, 32], filter: [3, 3, 32, 64], strides: 1, pad: 'same', fast: true },
  { name: 'SimpleCNN conv3 [4,7,7,64] 3x3x64x128 same', x: [4, 7, 7, 64], filter: [3, 3, 64, 128], strides: 1, pad: 'same', fast: true },
  { name: 'batch 1, conv3 shape', x: [1, 7, 7, 64], filter: [3, 3, 64, 128], strides: 1, pad: 'same', fast: true },
  { name: 'stride 1 valid', x: [2, 8, 8, 2], filter: [3, 3, 2, 4], strides: 1, pad: 'valid', fast: true },
  { name: 'numeric pad 1, stride 1', x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 1, fast: true },
  { name: 'numeric pad 2 = filter − 1 (full convolution)', x: [2, 6, 6, 3], filter: [3, 3, 3, 4], strides: 1, pad: 2, fast: true },
  { name: 'numeric pad 3 > filter − 1 (fallback)', x: [2, 6, 6, 3], filter: [3, 3, 3, 4], strides: 1, pad: 3, fast: false },
  { name: '5x5 filter same', x: [2, 12, 12, 3], filter: [5, 5, 3, 6], strides: 1, pad: 'same', fast: true },
  { name: '5x5 filter valid, one output channel', x: [3, 11, 11, 4], filter: [5, 5, 4, 1], strides: 1, pad: 'valid', fast: true },
  { name: 'even 4x4 filter same (uneven padding)', x: [2, 9, 9, 3], filter: [4, 4, 3, 5], strides: 1, pad: 'same', fast: true },
  { name: 'non-square input, 3x2 filter', x: [2, 11, 7, 3], filter: [3, 2, 3, 4], strides: 1, pad: 'same', fast: true },
  { name: '1x1 filter (a single tap)', x: [2, 5, 6, 4], filter: [1, 1, 4, 3], strides: 1, pad: 'valid', fast: true },
  { name: 'filter as large as the input, valid (1×1 output)', x: [2, 5, 5, 3], filter: [5, 5, 3, 4], strides: 1, pad: 'valid', fast: true },
  {
    name: 'explicit padding, stride 1',
    x: [2, 6, 5, 3],
    filter: [3, 3, 3, 2],
    strides: 1,
    pad: [[0, 0], [1, 2], [0, 1], [0, 0]],
    fast: true,
  },
  {
    name: 'explicit padding wider than the filter on one side (fallback)',
    x: [2, 6, 5, 3],
    filter: [3, 3, 3, 2],
    strides: 1,
    pad: [[0, 0], [3, 0], [1, 1], [0, 0]],
    fast: false,
  },
  { name: 'stride 2 same (fallback)', x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same', fast: false },
  { name: 'stride 2 valid (fallback)', x: [2, 10, 10, 3], filter: [3, 3, 3, 5], strides: 2, pad: 'valid', fast: false },
  { name: 'strides [1,2] (fallback)', x: [2, 11, 7, 3], filter: [3, 2, 3, 4], strides: [1, 2], pad: 'same', fast: false },
  { name: 'numeric pad 1, stride 2, round rounding (fallback)', x: [2, 8, 8, 2], filter: [3, 3, 2, 3], strides: 2, pad: 1, dimRoundingMode: 'round', fast: false },
];

let cppKernel: tf.KernelConfig | undefined;

beforeAll(async () => {
  registerWasmConv2DBackpropFilter();
  cppKernel = tf.getKernel('Conv2DBackpropInput', 'wasm');
  registerWasmConv2DBackpropInput();
  expect(await tf.setBackend('wasm')).toBe(true);
  await tf.ready();
});

afterEach(async () => {
  await tf.setBackend('wasm');
});

describe('registerWasmConv2DBackpropInput', () => {
  it('replaces the wasm kernel without a warning, idempotently, and can put the old one back', () => {
    expect(cppKernel).toBeDefined();
    expect(cppKernel).not.toBe(wasmConv2DBackpropInputConfig);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(wasmConv2DBackpropInputConfig);
    const warn = vi.spyOn(console, 'warn');
    try {
      registerWasmConv2DBackpropInput();
      registerWasmConv2DBackpropInput();
      unregisterWasmConv2DBackpropInput();
      expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(cppKernel);
      unregisterWasmConv2DBackpropInput(); // not ours registered now: a no-op
      expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(cppKernel);
      registerWasmConv2DBackpropInput();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(wasmConv2DBackpropInputConfig);
    // The cpu backend keeps its own kernel.
    expect(tf.getKernel('Conv2DBackpropInput', 'cpu')).not.toBe(wasmConv2DBackpropInputConfig);
  });
});

describe('wasm Conv2DBackpropInput matches the cpu backend', () => {
  cases.forEach((c, index) => {
    it(`${c.name}`, async () => {
      // The fast path is taken exactly where the case says.
      const dyInfo = { dataId: {}, shape: dyShapeOf(c), dtype: 'float32' as const };
      const wInfo = { dataId: {}, shape: c.filter, dtype: 'float32' as const };
      expect(unsupportedReason(dyInfo, wInfo, convInfoOf(c)) == null).toBe(c.fast);

      const rand = new SeededRandom(2000 + index);
      const xVals = randomValues(sizeOf(c.x), rand);
      const wVals = randomValues(sizeOf(c.filter), rand);
      const dyVals = randomValues(sizeOf(dyShapeOf(c)), rand);

      const cpuKernel = await onBackend('cpu', () => kernelDx(c, wVals, dyVals));
      const wasmKernel = kernelDx(c, wVals, dyVals);
      expectClose(wasmKernel, cpuKernel);

      // End to end through conv2d's registered gradient (what training runs). With a rounding
      // mode the gradient drops it, so the cpu result needs its own run.
      const cpuGrad =
        c.dimRoundingMode == null ? cpuKernel : await onBackend('cpu', () => gradDx(c, xVals, wVals, dyVals));
      const wasmGrad = gradDx(c, xVals, wVals, dyVals);
      expectClose(wasmGrad, cpuGrad);
    });
  });

  it('agrees with the C++ kernel it replaces on the SimpleCNN shapes', () => {
    const rand = new SeededRandom(77);
    for (const c of cases.slice(0, 3)) {
      const wVals = randomValues(sizeOf(c.filter), rand);
      const dyVals = randomValues(sizeOf(dyShapeOf(c)), rand);
      const ours = kernelDx(c, wVals, dyVals);
      unregisterWasmConv2DBackpropInput();
      try {
        const theirs = kernelDx(c, wVals, dyVals);
        expectClose(ours, theirs);
      } finally {
        registerWasmConv2DBackpropInput();
      }
    }
  });

  it('returns zeros of the input shape for an empty batch', () => {
    const c: Case = { name: 'empty', x: [0, 5, 5, 2], filter: [3, 3, 2, 3], strides: 1, pad: 'same', fast: true };
    const dx = kernelDx(c, randomValues(sizeOf(c.filter), new SeededRandom(3)), new Float32Array(0));
    expect(dx.length).toBe(0);
  });

  it('returns zeros when the filter has no output channels', () => {
    const c: Case = { name: 'no outC', x: [2, 5, 5, 2], filter: [3, 3, 2, 0], strides: 1, pad: 'same', fast: true };
    const dx = kernelDx(c, new Float32Array(0), new Float32Array(0));
    expect(Array.from(dx)).toEqual(new Array(sizeOf(c.x)).fill(0));
  });
});

describe('wasm Conv2DBackpropInput memory', () => {
  const fastCase: Case = { name: 'leak', x: [3, 9, 9, 4], filter: [3, 3, 4, 5], strides: 1, pad: 'same', fast: true };
  const fallbackCase: Case = { name: 'leak strided', x: [3, 9, 9, 4], filter: [3, 3, 4, 5], strides: 2, pad: 'valid', fast: false };

  it('leaves tensor and wasm buffer counts unchanged (inside tidy and with dispose)', () => {
    const rand = new SeededRandom(7);
    for (const k of [fastCase, fallbackCase]) {
      const filter = tf.tensor4d(randomValues(sizeOf(k.filter), rand), k.filter);
      const dy = tf.tensor4d(randomValues(sizeOf(dyShapeOf(k)), rand), dyShapeOf(k));
      expectOnlyItsOutputBuffer(() => tf.engine().runKernel<tf.Tensor>('Conv2DBackpropInput', { dy, filter }, attrsOf(k)));
      tf.dispose([filter, dy]);
    }
  });

  it("passes tfjs-core's own per-kernel leak check (IS_TEST)", () => {
    withEngineLeakCheck(() => {
      const rand = new SeededRandom(8);
      for (const k of [fastCase, fallbackCase]) {
        tf.tidy(() => {
          const filter = tf.tensor4d(randomValues(sizeOf(k.filter), rand), k.filter);
          const dy = tf.tensor4d(randomValues(sizeOf(dyShapeOf(k)), rand), dyShapeOf(k));
          tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrsOf(k));
        });
      }
    });
  });

  it('leaves its inputs alive, unchanged and with their own refcount', () => {
    const backend = tf.engine().backend;
    const rand = new SeededRandom(9);
    const c = fastCase;
    const wVals = randomValues(sizeOf(c.filter), rand);
    const dyVals = randomValues(sizeOf(dyShapeOf(c)), rand);
    const filter = tf.tensor4d(wVals, c.filter);
    const dy = tf.tensor4d(dyVals, dyShapeOf(c));
    // A reshaped view shares the filter's buffer: the kernel must not drop either owner's reference.
    const filterView = filter.reshape(c.filter);
    try {
      expect(backend.refCount(filter.dataId)).toBe(2);
      expect(backend.refCount(dy.dataId)).toBe(1);
      const first = tf.engine().runKernel<tf.Tensor>('Conv2DBackpropInput', { dy, filter: filterView }, attrsOf(c));
      const firstVals = first.dataSync().slice();
      first.dispose();
      tf.tidy(() => {
        tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrsOf(c));
      });

      expect(backend.refCount(filter.dataId)).toBe(2);
      expect(backend.refCount(dy.dataId)).toBe(1);
      expect(filter.dataSync()).toEqual(wVals);
      expect(filterView.dataSync()).toEqual(wVals);
      expect(dy.dataSync()).toEqual(dyVals);

      // And they still work as inputs: the same call gives the same answer.
      const again = tf.engine().runKernel<tf.Tensor>('Conv2DBackpropInput', { dy, filter }, attrsOf(c));
      expect(again.dataSync()).toEqual(firstVals);
      again.dispose();

      // The forward conv2d with the same filter tensor is unaffected (its cached XNNPACK operator
      // is keyed by the filter's id; ours uses a private rotated filter).
      const x = tf.tensor4d(randomValues(sizeOf(c.x), rand), c.x);
      const y1 = tf.conv2d(x, filter, 1, 'same');
      const y1Vals = y1.dataSync().slice();
      tf.engine().runKernel<tf.Tensor>('Conv2DBackpropInput', { dy, filter }, attrsOf(c)).dispose();
      const y2 = tf.conv2d(x, filter, 1, 'same');
      expect(y2.dataSync()).toEqual(y1Vals);
      tf.dispose([x, y1, y2]);
    } finally {
      tf.dispose([filter, filterView, dy]);
    }
  });
});

/*
 * WASM_KERNEL_BENCH=1 npx vitest run src/worker/backends/wasmConv2DBackpropInput.test.ts
 * prints this kernel's time and the C++ loop's for the SimpleCNN's dx shapes at batch 128.
 */
describe.skipIf(!process.env['WASM_KERNEL_BENCH'])('benchmark (batch 128, SimpleCNN shapes)', () => {
  const benchCases: Case[] = [
    { name: 'conv2 dx[128,14,14,32] W[3,3,32,64]', x: [128, 14, 14, 32], filter: [3, 3, 32, 64], strides: 1, pad: 'same', fast: true },
    { name: 'conv3 dx[128,7,7,64] W[3,3,64,128]', x: [128, 7, 7, 64], filter: [3, 3, 64, 128], strides: 1, pad: 'same', fast: true },
  ];
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  const timeIt = (fn: () => void, reps = 5): number => {
    fn(); // warm-up
    const ms: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      fn();
      ms.push(performance.now() - t0);
    }
    return median(ms);
  };
  afterAll(() => registerWasmConv2DBackpropInput());

  for (const c of benchCases) {
    it(c.name, () => {
      const rand = new SeededRandom(1);
      const filter = tf.tensor4d(randomValues(sizeOf(c.filter), rand), c.filter);
      const dy = tf.tensor4d(randomValues(sizeOf(dyShapeOf(c)), rand), dyShapeOf(c));
      const run = () => {
        const dx = tf.engine().runKernel<tf.Tensor>('Conv2DBackpropInput', { dy, filter }, attrsOf(c));
        dx.dataSync();
        dx.dispose();
      };
      registerWasmConv2DBackpropInput();
      const oursMs = timeIt(run);
      unregisterWasmConv2DBackpropInput();
      const cppMs = timeIt(run, 3);
      registerWasmConv2DBackpropInput();
      console.log(`${c.name}: this kernel ${oursMs.toFixed(1)} ms | tfjs C++ loop ${cppMs.toFixed(1)} ms`);
      tf.dispose([filter, dy]);
    });
  }
});
