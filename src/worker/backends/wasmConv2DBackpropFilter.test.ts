/**
 * Checks the wasm Conv2DBackpropFilter kernel against tfjs's cpu backend, its reference semantics.
 *
 * The wasm backend runs in Vitest's plain Node environment with no configuration: in Node,
 * '@tensorflow/tfjs-backend-wasm' resolves to its `main`, dist/tf-backend-wasm.node.js, a CommonJS
 * bundle that Vitest leaves external, so Node runs it natively and Emscripten reads the .wasm
 * binary next to it with fs (`setWasmPaths` is only needed in browsers/workers). It requires the
 * same CommonJS '@tensorflow/tfjs-core' that '@tensorflow/tfjs' (dist/tf.node.js) requires, so
 * both backends live in one engine and we can switch between them with `tf.setBackend`.
 *
 * Timings for the SimpleCNN's shapes at batch 128 are in a benchmark block that only runs with
 * WASM_KERNEL_BENCH=1 (it asserts nothing).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { NamedAttrMap } from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SeededRandom } from '../training/random';
import { convAttrsOf, dyShapeOf, type ConvCase } from './testing/convCase';
import { expectOnlyItsOutputBuffer, onBackend, randomValues, sizeOf, withEngineLeakCheck } from './testing/kernelChecks';
import {
  registerWasmConv2DBackpropFilter,
  wasmConv2DBackpropFilterConfig,
} from './wasmConv2DBackpropFilter';


type Case = ConvCase;

const attrsOf = (c: Case) => convAttrsOf(c, { filterShape: c.filter });

/** dW by running the Conv2DBackpropFilter kernel itself on the active backend. */
function kernelDw(c: Case, xVals: Float32Array, dyVals: Float32Array): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(xVals, c.x);
    const dy = tf.tensor4d(dyVals, dyShapeOf(c));
    const dw = tf.engine().runKernel<tf.Tensor>('Conv2DBackpropFilter', { x, dy }, attrsOf(c));
    expect(dw.shape).toEqual(c.filter);
    expect(dw.dtype).toBe('float32');
    return dw.dataSync() as Float32Array;
  });
}

/** dW end to end: the gradient of conv2d w.r.t. its filter, with dy as the upstream gradient. */
function gradDw(c: Case, xVals: Float32Array, wVals: Float32Array, dyVals: Float32Array): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(xVals, c.x);
    const w = tf.tensor4d(wVals, c.filter);
    const dy = tf.tensor4d(dyVals, dyShapeOf(c));
    const g = tf.grad((filter: tf.Tensor) =>
      tf.conv2d(x, filter as tf.Tensor4D, c.strides, c.pad, 'NHWC', 1, c.dimRoundingMode),
    );
    return g(w, dy).dataSync() as Float32Array;
  });
}

/** max |actual − expected| ≤ rtol · max |expected| (sums of up to ~10⁵ float32 products). */
function expectClose(actual: Float32Array, expected: Float32Array, rtol = 1e-4): void {
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
  { name: 'SimpleCNN conv1 [4,28,28,1] 3x3x1x32 same', x: [4, 28, 28, 1], filter: [3, 3, 1, 32], strides: 1, pad: 'same' },
  { name: 'SimpleCNN conv2 [4,14,14,32] 3x3x32x64 same', x: [4, 14, 14, 32], filter: [3, 3, 32, 64], strides: 1, pad: 'same' },
  { name: 'SimpleCNN conv3 [4,7,7,64] 3x3x64x128 same', x: [4, 7, 7, 64], filter: [3, 3, 64, 128], strides: 1, pad: 'same' },
  { name: 'batch 1, conv1 shape', x: [1, 28, 28, 1], filter: [3, 3, 1, 32], strides: 1, pad: 'same' },
  { name: 'stride 2 same (odd size)', x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { name: 'stride 2 same (even size, uneven pad)', x: [2, 10, 10, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { name: 'stride 1 valid', x: [2, 8, 8, 2], filter: [3, 3, 2, 4], strides: 1, pad: 'valid' },
  { name: 'stride 2 valid (last column unused)', x: [2, 10, 10, 3], filter: [3, 3, 3, 5], strides: 2, pad: 'valid' },
  { name: 'numeric pad 1, stride 1', x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 1 },
  { name: 'numeric pad 2, stride 2', x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 2, pad: 2 },
  // 'ceil' makes conv2d's output 4×4 where truncation gives 3×3; the kernel call gets the mode and
  // a 4×4 dy (bottom/right windows hang over x), while conv2d's gradient drops the mode and passes
  // the 4×4 dy with a truncating convInfo (see the kernel): both must match cpu.
  { name: 'numeric pad 0, stride 2, ceil rounding', x: [2, 8, 8, 2], filter: [3, 3, 2, 3], strides: 2, pad: 0, dimRoundingMode: 'ceil' },
  { name: 'numeric pad 1, stride 2, round rounding', x: [2, 8, 8, 2], filter: [3, 3, 2, 3], strides: 2, pad: 1, dimRoundingMode: 'round' },
  { name: '5x5 filter same', x: [2, 12, 12, 3], filter: [5, 5, 3, 6], strides: 1, pad: 'same' },
  { name: '5x5 filter valid, one input channel', x: [3, 11, 11, 1], filter: [5, 5, 1, 4], strides: 1, pad: 'valid' },
  { name: 'non-square input, 3x2 filter, strides [1,2]', x: [2, 11, 7, 3], filter: [3, 2, 3, 4], strides: [1, 2], pad: 'same' },
  { name: 'non-square input, strides [2,1]', x: [2, 7, 12, 2], filter: [2, 3, 2, 5], strides: [2, 1], pad: 'same' },
  { name: '1x1 filter (a single tap)', x: [2, 5, 6, 4], filter: [1, 1, 4, 3], strides: 1, pad: 'valid' },
  // Taps whose every input column lies in the padding (the patch rows are all zero fill).
  { name: 'one-column input, same padding', x: [2, 5, 1, 3], filter: [3, 3, 3, 2], strides: 1, pad: 'same' },
  { name: 'batch 1, stride 3 wider than a 2x2 filter', x: [1, 8, 9, 2], filter: [2, 2, 2, 3], strides: 3, pad: 'valid' },
  {
    name: 'explicit padding, stride 1',
    x: [2, 6, 5, 3],
    filter: [3, 3, 3, 2],
    strides: 1,
    pad: [[0, 0], [1, 2], [0, 1], [0, 0]],
  },
  {
    name: 'explicit padding, strides [2,3]',
    x: [2, 9, 10, 2],
    filter: [3, 2, 2, 3],
    strides: [2, 3],
    pad: [[0, 0], [2, 0], [1, 1], [0, 0]],
  },
];

beforeAll(async () => {
  registerWasmConv2DBackpropFilter();
  expect(await tf.setBackend('wasm')).toBe(true);
  await tf.ready();
});

afterEach(async () => {
  await tf.setBackend('wasm');
});

describe('registerWasmConv2DBackpropFilter', () => {
  it('registers the kernel for wasm, and a second call changes nothing and warns nothing', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(wasmConv2DBackpropFilterConfig);
    const warn = vi.spyOn(console, 'warn');
    try {
      registerWasmConv2DBackpropFilter();
      registerWasmConv2DBackpropFilter();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(wasmConv2DBackpropFilterConfig);
    // The cpu backend keeps its own kernel.
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).not.toBe(wasmConv2DBackpropFilterConfig);
  });
});

describe('wasm Conv2DBackpropFilter matches the cpu backend', () => {
  cases.forEach((c, index) => {
    it(c.name, async () => {
      const rand = new SeededRandom(1000 + index);
      const xVals = randomValues(sizeOf(c.x), rand);
      const wVals = randomValues(sizeOf(c.filter), rand);
      const dyVals = randomValues(sizeOf(dyShapeOf(c)), rand);

      const cpuKernel = await onBackend('cpu', () => kernelDw(c, xVals, dyVals));
      const wasmKernel = kernelDw(c, xVals, dyVals);
      expectClose(wasmKernel, cpuKernel);

      // End to end through conv2d's registered gradient (what training runs). On cpu that gradient
      // is the cpu kernel with the same attrs, so its result is reused (the cpu kernel is slow);
      // only with a rounding mode, which the gradient drops, does it need its own cpu run.
      const cpuGrad =
        c.dimRoundingMode == null ? cpuKernel : await onBackend('cpu', () => gradDw(c, xVals, wVals, dyVals));
      const wasmGrad = gradDw(c, xVals, wVals, dyVals);
      expectClose(wasmGrad, cpuGrad);
    });
  });

  it('returns zeros of the filter shape for an empty batch', () => {
    const c: Case = { name: 'empty', x: [0, 5, 5, 2], filter: [3, 3, 2, 3], strides: 1, pad: 'same' };
    const dw = kernelDw(c, new Float32Array(0), new Float32Array(0));
    expect(Array.from(dw)).toEqual(new Array(sizeOf(c.filter)).fill(0));
  });

  it('throws a clear error for NCHW', () => {
    const x = tf.zeros([1, 2, 5, 5]); // NCHW
    const dy = tf.zeros([1, 3, 5, 5]);
    try {
      expect(() =>
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
          strides: 1,
          pad: 'same',
          dataFormat: 'NCHW',
          filterShape: [3, 3, 2, 3],
        } as unknown as NamedAttrMap),
      ).toThrow(/only dataFormat 'NHWC' is supported, got 'NCHW'/);
    } finally {
      tf.dispose([x, dy]);
    }
  });
});

describe('wasm Conv2DBackpropFilter memory', () => {
  const c: Case = { name: 'leak', x: [3, 9, 9, 4], filter: [3, 3, 4, 5], strides: 1, pad: 'same' };
  const c2: Case = { name: 'leak strided', x: [3, 9, 9, 4], filter: [3, 3, 4, 5], strides: 2, pad: 'valid' };

  it('leaves tensor and wasm buffer counts unchanged (inside tidy and with dispose)', () => {
    const rand = new SeededRandom(7);
    for (const k of [c, c2]) {
      const x = tf.tensor4d(randomValues(sizeOf(k.x), rand), k.x);
      const dy = tf.tensor4d(randomValues(sizeOf(dyShapeOf(k)), rand), dyShapeOf(k));
      expectOnlyItsOutputBuffer(() => tf.engine().runKernel<tf.Tensor>('Conv2DBackpropFilter', { x, dy }, attrsOf(k)));
      tf.dispose([x, dy]);
    }
  });

  it("passes tfjs-core's own per-kernel leak check (IS_TEST)", () => {
    withEngineLeakCheck(() => {
      const rand = new SeededRandom(8);
      for (const k of [c, c2]) {
        tf.tidy(() => {
          const x = tf.tensor4d(randomValues(sizeOf(k.x), rand), k.x);
          const dy = tf.tensor4d(randomValues(sizeOf(dyShapeOf(k)), rand), dyShapeOf(k));
          tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrsOf(k));
        });
      }
    });
  });

  it('leaves its inputs alive, unchanged and with their own refcount', () => {
    const backend = tf.engine().backend;
    const rand = new SeededRandom(9);
    const xVals = randomValues(sizeOf(c.x), rand);
    const dyVals = randomValues(sizeOf(dyShapeOf(c)), rand);
    const x = tf.tensor4d(xVals, c.x);
    const dy = tf.tensor4d(dyVals, dyShapeOf(c));
    // A reshaped view shares x's buffer: the kernel must not drop either owner's reference.
    const xView = x.reshape(c.x);
    try {
      expect(backend.refCount(x.dataId)).toBe(2);
      expect(backend.refCount(dy.dataId)).toBe(1);
      const first = tf.engine().runKernel<tf.Tensor>('Conv2DBackpropFilter', { x: xView, dy }, attrsOf(c));
      const firstVals = first.dataSync().slice();
      first.dispose();
      tf.tidy(() => {
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrsOf(c));
      });

      expect(backend.refCount(x.dataId)).toBe(2);
      expect(backend.refCount(dy.dataId)).toBe(1);
      expect(x.dataSync()).toEqual(xVals);
      expect(xView.dataSync()).toEqual(xVals);
      expect(dy.dataSync()).toEqual(dyVals);

      // And they still work as inputs: the same call gives the same answer.
      const again = tf.engine().runKernel<tf.Tensor>('Conv2DBackpropFilter', { x, dy }, attrsOf(c));
      expect(again.dataSync()).toEqual(firstVals);
      again.dispose();
    } finally {
      tf.dispose([x, xView, dy]);
    }
  });
});

describe('training a conv net on wasm', () => {
  /** conv(3×3, same) → relu → maxPool 2 → conv(3×3, stride 2, valid) → relu → dense → softmax CE. */
  function buildNet(rand: SeededRandom) {
    const shapes = {
      w1: [3, 3, 1, 4],
      b1: [4],
      w2: [3, 3, 4, 6],
      b2: [6],
      w3: [2 * 2 * 6, 10],
      b3: [10],
    } as const;
    const init = Object.fromEntries(
      Object.entries(shapes).map(([k, s]) => [k, randomValues(sizeOf([...s]), rand).map((v) => v * 0.5)]),
    ) as Record<keyof typeof shapes, Float32Array>;
    return { shapes, init };
  }

  async function variableGradsOn(
    backend: 'cpu' | 'wasm',
    net: ReturnType<typeof buildNet>,
    xVals: Float32Array,
    labels: Int32Array,
  ): Promise<Record<string, Float32Array>> {
    return onBackend(backend, () => {
      const vars = Object.fromEntries(
        Object.entries(net.shapes).map(([k, s]) => [
          k,
          // tidy disposes the initial-value tensor; the variable keeps its own reference.
          tf.tidy(() =>
            tf.variable(tf.tensor(net.init[k as keyof typeof net.shapes], [...s]), true, `${backend}_${k}`),
          ),
        ]),
      ) as Record<keyof typeof net.shapes, tf.Variable>;
      try {
        const { value, grads } = tf.variableGrads(() =>
          tf.tidy(() => {
            const x = tf.tensor4d(xVals, [4, 10, 10, 1]);
            let h = tf.relu(tf.add(tf.conv2d(x, vars.w1 as tf.Tensor4D, 1, 'same'), vars.b1));
            h = tf.maxPool(h as tf.Tensor4D, 2, 2, 'valid'); // [4,5,5,4]
            h = tf.relu(tf.add(tf.conv2d(h as tf.Tensor4D, vars.w2 as tf.Tensor4D, 2, 'valid'), vars.b2)); // [4,2,2,6]
            const logits = tf.add(tf.matMul(tf.reshape(h, [4, 24]), vars.w3), vars.b3);
            return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(labels, 'int32'), 10), logits);
          }),
        );
        const loss = value.dataSync()[0]!;
        expect(Number.isFinite(loss)).toBe(true);
        const out: Record<string, Float32Array> = {};
        for (const [name, g] of Object.entries(grads)) {
          out[name.replace(`${backend}_`, '')] = g.dataSync() as Float32Array;
        }
        tf.dispose([value, ...Object.values(grads)]);
        return out;
      } finally {
        Object.values(vars).forEach((v) => v.dispose());
      }
    });
  }

  it('tf.variableGrads of a small conv net works on wasm and matches cpu', async () => {
    const rand = new SeededRandom(42);
    const net = buildNet(rand);
    const xVals = randomValues(4 * 10 * 10, rand);
    const labels = Int32Array.from([3, 1, 4, 1]);
    const tensorsBefore = tf.memory().numTensors;
    const cpu = await variableGradsOn('cpu', net, xVals, labels);
    const wasm = await variableGradsOn('wasm', net, xVals, labels);
    expect(Object.keys(wasm).sort()).toEqual(['b1', 'b2', 'b3', 'w1', 'w2', 'w3']);
    for (const k of Object.keys(cpu)) expectClose(wasm[k]!, cpu[k]!, 1e-4);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('a tf.layers conv model trains (trainOnBatch) on wasm without growing memory', async () => {
    const rand = new SeededRandom(5);
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10 }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const xs = tf.tensor4d(randomValues(8 * 12 * 12, rand), [8, 12, 12, 1]);
    const ys = tf.tensor2d(randomValues(8 * 10, rand), [8, 10]);
    const kernelBefore = model.layers[0]!.getWeights()[0]!.dataSync().slice();
    const losses: number[] = [];
    let tensorsAfterFirst = 0;
    for (let step = 0; step < 10; step++) {
      losses.push((await model.trainOnBatch(xs, ys)) as number);
      if (step === 0) tensorsAfterFirst = tf.memory().numTensors;
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    expect(model.layers[0]!.getWeights()[0]!.dataSync()).not.toEqual(kernelBefore);
    expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

/*
 * WASM_KERNEL_BENCH=1 npx vitest run src/worker/backends/wasmConv2DBackpropFilter.test.ts
 * prints the kernel's time for the SimpleCNN's shapes at batch 128, and for comparison the bare
 * BatchMatMul with `transposeA: true` (the scalar C++ loop) vs. untransposed (XNNPACK) on the
 * same operand sizes. Asserts nothing.
 */
describe.skipIf(!process.env['WASM_KERNEL_BENCH'])('benchmark (batch 128, SimpleCNN shapes)', () => {
  const benchCases: Case[] = [
    { name: 'conv1 x[128,28,28,1] dW[3,3,1,32]', x: [128, 28, 28, 1], filter: [3, 3, 1, 32], strides: 1, pad: 'same' },
    { name: 'conv2 x[128,14,14,32] dW[3,3,32,64]', x: [128, 14, 14, 32], filter: [3, 3, 32, 64], strides: 1, pad: 'same' },
    { name: 'conv3 x[128,7,7,64] dW[3,3,64,128]', x: [128, 7, 7, 64], filter: [3, 3, 64, 128], strides: 1, pad: 'same' },
  ];
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  const timeIt = (fn: () => void, reps = 7): number => {
    fn(); // warm-up
    const ms: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      fn();
      ms.push(performance.now() - t0);
    }
    return median(ms);
  };

  for (const c of benchCases) {
    it(c.name, () => {
      const rand = new SeededRandom(1);
      const x = tf.tensor4d(randomValues(sizeOf(c.x), rand), c.x);
      const dy = tf.tensor4d(randomValues(sizeOf(dyShapeOf(c)), rand), dyShapeOf(c));
      const kernelMs = timeIt(() => {
        const dw = tf.engine().runKernel<tf.Tensor>('Conv2DBackpropFilter', { x, dy }, attrsOf(c));
        dw.dataSync();
        dw.dispose();
      });
      const [b, h, w, inC] = c.x;
      const [fH, fW, , outC] = c.filter;
      const n = b * h * w;
      const k = fH * fW * inC;
      const p = tf.tensor2d(randomValues(n * k, rand), [n, k]);
      const pT = tf.tensor2d(randomValues(n * k, rand), [k, n]);
      const dy2 = tf.reshape(dy, [n, outC]);
      const transposedMs = timeIt(() => tf.tidy(() => void tf.matMul(p, dy2, true, false).dataSync()), 3);
      const plainMs = timeIt(() => tf.tidy(() => void tf.matMul(pT, dy2).dataSync()), 3);
      console.log(
        `${c.name}: kernel ${kernelMs.toFixed(1)} ms | matMul [${n},${k}]ᵀ·[${n},${outC}]: ` +
          `transposeA ${transposedMs.toFixed(1)} ms, untransposed (XNNPACK) ${plainMs.toFixed(1)} ms`,
      );
      tf.dispose([x, dy, p, pT, dy2]);
    });
  }
});
