/**
 * Checks the wasm MaxPoolGrad, BatchMatMul and Sum kernels against tfjs's cpu backend,
 * plus memory and input-intact checks, and the buffer-sharing Identity.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { NamedAttrMap } from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../training/random';
import { onBackend, randomValues, sizeOf, withEngineLeakCheck } from './testing/kernelChecks';
import { registerWasmBatchMatMul, wasmBatchMatMulConfig } from './wasmBatchMatMul';
import { registerWasmIdentity, wasmIdentityConfig } from './wasmIdentity';
import { registerWasmMaxPoolGrad, wasmMaxPoolGradConfig } from './wasmMaxPoolGrad';
import { registerWasmSum, wasmSumConfig } from './wasmSum';

function expectClose(actual: Float32Array, expected: Float32Array, rtol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let maxRef = 0;
  let maxErr = 0;
  for (let i = 0; i < expected.length; i++) {
    expect(Number.isFinite(actual[i]!), `element ${i} is ${actual[i]}`).toBe(true);
    maxRef = Math.max(maxRef, Math.abs(expected[i]!));
    maxErr = Math.max(maxErr, Math.abs(actual[i]! - expected[i]!));
  }
  expect(maxRef).toBeGreaterThan(0);
  expect(maxErr / maxRef, `max error ${maxErr} vs max |ref| ${maxRef}`).toBeLessThanOrEqual(rtol);
}

/** Runs one kernel on the active backend with fresh tensors, returns its values. */
function runKernel(name: string, inputs: Record<string, [Float32Array, number[]]>, attrs: NamedAttrMap): Float32Array {
  return tf.tidy(() => {
    const ins = Object.fromEntries(Object.entries(inputs).map(([k, [v, s]]) => [k, tf.tensor(v, s)]));
    return tf.engine().runKernel<tf.Tensor>(name, ins, attrs).dataSync() as Float32Array;
  });
}

/** The same kernel call on cpu and wasm must agree; returns the wasm result. */
async function compare(name: string, inputs: Record<string, [Float32Array, number[]]>, attrs: NamedAttrMap, rtol = 1e-5) {
  const cpu = await onBackend('cpu', () => runKernel(name, inputs, attrs));
  const wasm = runKernel(name, inputs, attrs);
  expectClose(wasm, cpu, rtol);
  return wasm;
}

/** Tensor and wasm-buffer counts are unchanged after the call, and the inputs are intact. */
function expectNoLeak(name: string, inputs: Record<string, [Float32Array, number[]]>, attrs: NamedAttrMap) {
  const backend = tf.engine().backend;
  const ins = Object.fromEntries(Object.entries(inputs).map(([k, [v, s]]) => [k, tf.tensor(v, s)]));
  const tensors = tf.memory().numTensors;
  const ids = backend.numDataIds();
  for (let i = 0; i < 3; i++) {
    const out = tf.engine().runKernel<tf.Tensor>(name, ins, attrs);
    expect(backend.numDataIds()).toBe(ids + 1);
    out.dispose();
    tf.tidy(() => void tf.engine().runKernel(name, ins, attrs));
  }
  expect(tf.memory().numTensors).toBe(tensors);
  expect(backend.numDataIds()).toBe(ids);
  for (const [k, [v]] of Object.entries(inputs)) {
    expect(ins[k]!.dataSync()).toEqual(v);
    expect(backend.refCount(ins[k]!.dataId)).toBe(1);
  }
  withEngineLeakCheck(() => tf.tidy(() => void tf.engine().runKernel(name, ins, attrs)));
  tf.dispose(Object.values(ins));
}

beforeAll(async () => {
  registerWasmMaxPoolGrad();
  registerWasmBatchMatMul();
  registerWasmSum();
  registerWasmIdentity();
  expect(await tf.setBackend('wasm')).toBe(true);
});
afterEach(async () => {
  await tf.setBackend('wasm');
});

it('registers all three for wasm only', () => {
  expect(tf.getKernel('MaxPoolGrad', 'wasm')).toBe(wasmMaxPoolGradConfig);
  expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(wasmBatchMatMulConfig);
  expect(tf.getKernel('Sum', 'wasm')).toBe(wasmSumConfig);
  expect(tf.getKernel('Sum', 'cpu')).not.toBe(wasmSumConfig);
});

describe('MaxPoolGrad', () => {
  type PoolCase = { x: number[]; filterSize: number | [number, number]; strides: number | [number, number]; pad: 'same' | 'valid' | number; dimRoundingMode?: 'ceil' | 'round' | 'floor' };
  const cases: PoolCase[] = [
    { x: [4, 28, 28, 32], filterSize: 2, strides: 2, pad: 'valid' },
    { x: [4, 14, 14, 64], filterSize: 2, strides: 2, pad: 'valid' },
    { x: [4, 7, 7, 128], filterSize: 2, strides: 2, pad: 'valid' }, // odd size: last row/column unused
    { x: [3, 6, 6, 128], filterSize: 2, strides: 2, pad: 'valid' }, // the SimpleCNN's conv3 pool (its map cropped to 6×6)
    { x: [2, 9, 9, 3], filterSize: 3, strides: 2, pad: 'same' },
    { x: [2, 9, 8, 3], filterSize: 3, strides: 1, pad: 'same' }, // overlapping windows
    { x: [2, 10, 10, 2], filterSize: [3, 2], strides: [2, 1], pad: 'valid' },
    { x: [2, 7, 7, 2], filterSize: 3, strides: 2, pad: 1 },
    { x: [2, 8, 8, 2], filterSize: 3, strides: 2, pad: 0, dimRoundingMode: 'ceil' },
  ];
  const infoOf = (c: PoolCase) => tf.backend_util.computePool2DInfo(c.x as [number, number, number, number], c.filterSize, c.strides, 1, c.pad, c.dimRoundingMode);
  cases.forEach((c, i) => {
    it(`[${c.x}] filter ${c.filterSize} strides ${c.strides} pad ${c.pad}${c.dimRoundingMode ? ` ${c.dimRoundingMode}` : ''}`, async () => {
      const rand = new SeededRandom(100 + i);
      // Half the inputs ReLU'd to zero, and some exact ties, like real activations.
      const xVals = randomValues(sizeOf(c.x), rand).map((v, j) => (j % 7 === 0 ? 0.5 : Math.max(0, v)));
      const outShape = infoOf(c).outShape;
      const y = await onBackend('cpu', () => tf.tidy(() => tf.maxPool(tf.tensor4d(xVals, c.x as [number, number, number, number]), c.filterSize, c.strides, c.pad, c.dimRoundingMode).dataSync() as Float32Array));
      const dyVals = randomValues(sizeOf(outShape), rand);
      const inputs = { dy: [dyVals, outShape], input: [xVals, c.x], output: [y, outShape] } as Record<string, [Float32Array, number[]]>;
      const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode } as unknown as NamedAttrMap;
      // Windows that do not overlap: exactly cpu's answer, ties and all-zero windows included.
      // Overlapping ones add several dy into one dx: cpu sums in float64, we in float32 (1 ulp).
      const overlapping = JSON.stringify(c.filterSize) !== JSON.stringify(c.strides);
      const wasm = await compare('MaxPoolGrad', inputs, attrs, overlapping ? 1e-6 : 0);
      expect(wasm.length).toBe(sizeOf(c.x));
    });
  });

  // 3 channels take the scalar loop, 4 the SIMD kernel (which hands these cases back to the scalar rules).
  it.each([3, 4])("pre-activation maps, ties, NaN, −∞, non-finite dy and a wrong `output`, %i channels: exactly cpu's answer", async (channels) => {
    const shape = [2, 6, 6, channels];
    const at = (y: number, x: number, ch: number) => (y * 6 + x) * channels + ch;
    const rand = new SeededRandom(120);
    // Signed values (max pooling before ReLU), a fifth of them tied at −0.25, zeros of both signs.
    const xVals = randomValues(sizeOf(shape), rand).map((v, j) => (j % 5 === 0 ? -0.25 : j % 11 === 0 ? (j % 2 ? -0 : 0) : v));
    xVals[0] = NaN; // a window with a NaN and finite values
    for (const j of [at(3, 4, 1), at(3, 5, 1), at(4, 4, 1), at(4, 5, 1)]) xVals[j] = -Infinity; // a window of −∞
    for (const j of [at(3, 0, 2), at(3, 1, 2), at(4, 0, 2), at(4, 1, 2)]) xVals[j] = NaN; // a window of NaN
    const outShape = [2, 3, 3, channels];
    const y = await onBackend('cpu', () => tf.tidy(() => tf.maxPool(tf.tensor4d(xVals, shape as [number, number, number, number]), 2, 2, 'valid').dataSync() as Float32Array));
    const dyVals = randomValues(sizeOf(outShape), rand);
    dyVals[5] = Infinity;
    dyVals[6] = NaN;
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' } as unknown as NamedAttrMap;
    const cpu = await onBackend('cpu', () => runKernel('MaxPoolGrad', { dy: [dyVals, outShape], input: [xVals, shape], output: [y, outShape] }, attrs));
    const wasm = runKernel('MaxPoolGrad', { dy: [dyVals, outShape], input: [xVals, shape], output: [y, outShape] }, attrs);
    const exactly = (values: Float32Array) => Array.from(values, (v) => (Object.is(v, -0) ? '-0' : String(v))); // NaN and −0 too
    expect(exactly(wasm)).toEqual(exactly(cpu));
    // An `output` that is not the windows' maxima changes nothing: cpu's kernel never reads it.
    const wrongOutput = y.map((v, j) => (j % 2 ? v + 1 : v));
    const fromWrong = runKernel('MaxPoolGrad', { dy: [dyVals, outShape], input: [xVals, shape], output: [wrongOutput, outShape] }, attrs);
    expect(exactly(fromWrong)).toEqual(exactly(cpu));
  });

  it('end to end: tf.grad of maxPool matches cpu', async () => {
    const rand = new SeededRandom(5);
    const xVals = randomValues(2 * 8 * 8 * 3, rand);
    const g = () => tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'), tf.range(1, 49).reshape([1, 4, 4, 3]))))(tf.tensor4d(xVals, [2, 8, 8, 3])).dataSync() as Float32Array);
    expectClose(g(), await onBackend('cpu', g), 0);
  });

  it('does not leak and leaves its inputs intact', () => {
    const rand = new SeededRandom(6);
    const x = randomValues(2 * 6 * 6 * 4, rand);
    const y = tf.tidy(() => tf.maxPool(tf.tensor4d(x, [2, 6, 6, 4]), 2, 2, 'valid').dataSync() as Float32Array);
    expectNoLeak('MaxPoolGrad', { dy: [randomValues(2 * 3 * 3 * 4, rand), [2, 3, 3, 4]], input: [x, [2, 6, 6, 4]], output: [y, [2, 3, 3, 4]] }, { filterSize: 2, strides: 2, pad: 'valid' } as unknown as NamedAttrMap);
  });
});

describe('BatchMatMul', () => {
  const cases: { a: number[]; b: number[]; tA: boolean; tB: boolean }[] = [
    { a: [128, 1152], b: [128, 256], tA: true, tB: false }, // fc1 dW
    { a: [128, 256], b: [1152, 256], tA: false, tB: true }, // fc1 dx
    { a: [128, 1152], b: [1152, 256], tA: false, tB: false }, // forward (delegated as is)
    { a: [7, 5], b: [3, 7], tA: true, tB: true },
    { a: [1, 6, 4], b: [1, 5, 6], tA: true, tB: true }, // rank 3, batch 1
    { a: [1, 4, 6], b: [5, 6], tA: false, tB: true }, // broadcast batch 1 with a 2-D operand
    { a: [3, 4, 6], b: [3, 5, 6], tA: false, tB: true }, // batch 3: delegated (scalar loop)
  ];
  cases.forEach((c, i) => {
    it(`[${c.a}]${c.tA ? 'ᵀ' : ''} · [${c.b}]${c.tB ? 'ᵀ' : ''}`, async () => {
      const rand = new SeededRandom(200 + i);
      const inputs = { a: [randomValues(sizeOf(c.a), rand), c.a], b: [randomValues(sizeOf(c.b), rand), c.b] } as Record<string, [Float32Array, number[]]>;
      const attrs = { transposeA: c.tA, transposeB: c.tB } as unknown as NamedAttrMap;
      await compare('BatchMatMul', inputs, attrs);
      const shape = tf.tidy(() => tf.engine().runKernel<tf.Tensor>('BatchMatMul', { a: tf.tensor(inputs.a![0], c.a), b: tf.tensor(inputs.b![0], c.b) }, attrs).shape);
      const expected = await onBackend('cpu', () => tf.tidy(() => tf.engine().runKernel<tf.Tensor>('BatchMatMul', { a: tf.tensor(inputs.a![0], c.a), b: tf.tensor(inputs.b![0], c.b) }, attrs).shape));
      expect(shape).toEqual(expected);
    });
  });

  it('the same b reused under two shapes gives right answers (no stale XNNPACK cache)', async () => {
    const rand = new SeededRandom(9);
    const bVals = randomValues(24, rand);
    const a1 = randomValues(4 * 5, rand);
    const a2 = randomValues(3 * 2, rand);
    const both = () => tf.tidy(() => {
      const b = tf.tensor(bVals, [4, 6]);
      const r1 = tf.matMul(tf.tensor(a1, [4, 5]), tf.clone(b), true, false).dataSync().slice(); // b (shared by the clone) as [4,6]
      const r2 = tf.matMul(tf.tensor(a2, [3, 2]), b.reshape([3, 8]), true, false).dataSync().slice(); // b as [3,8]
      return Float32Array.from([...r1, ...r2]);
    });
    expectClose(both(), await onBackend('cpu', both));
  });

  it('does not leak and leaves its inputs intact', () => {
    const rand = new SeededRandom(10);
    expectNoLeak('BatchMatMul', { a: [randomValues(20, rand), [5, 4]], b: [randomValues(15, rand), [5, 3]] }, { transposeA: true, transposeB: false } as unknown as NamedAttrMap);
    expectNoLeak('BatchMatMul', { a: [randomValues(20, rand), [4, 5]], b: [randomValues(15, rand), [3, 5]] }, { transposeA: false, transposeB: true } as unknown as NamedAttrMap);
  });
});

describe('Sum', () => {
  const cases: { x: number[]; axis: number | number[]; keepDims?: boolean }[] = [
    { x: [128, 28, 28, 32], axis: [0, 1, 2] }, // conv1 bias gradient
    { x: [128, 256], axis: 0 }, // fc bias gradient
    { x: [4, 5, 6], axis: [1, 0], keepDims: true },
    { x: [4, 5, 6], axis: [0, 1, 2] }, // all axes: delegated
    { x: [4, 5, 6], axis: [1, 2] }, // trailing axes: delegated
    { x: [4, 5, 6], axis: -1 },
  ];
  cases.forEach((c, i) => {
    it(`[${c.x}] axis ${JSON.stringify(c.axis)}${c.keepDims ? ' keepDims' : ''}`, async () => {
      const rand = new SeededRandom(300 + i);
      await compare('Sum', { x: [randomValues(sizeOf(c.x), rand), c.x] }, { axis: c.axis, keepDims: c.keepDims ?? false } as unknown as NamedAttrMap, 1e-5);
      const shapeOn = () => tf.tidy(() => tf.sum(tf.zeros(c.x), c.axis, c.keepDims).shape);
      expect(shapeOn()).toEqual(await onBackend('cpu', shapeOn));
    });
  });

  it('does not leak and leaves its inputs intact', () => {
    expectNoLeak('Sum', { x: [randomValues(60, new SeededRandom(11)), [3, 4, 5]] }, { axis: [0, 1], keepDims: false } as unknown as NamedAttrMap);
  });
});

describe('Identity', () => {
  it('shares the buffer: no copy, one more reference, values intact after either is disposed', () => {
    const backend = tf.engine().backend;
    expect(tf.getKernel('Identity', 'wasm')).toBe(wasmIdentityConfig);
    const x = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const ids = backend.numDataIds();
    const y = tf.clone(x);
    expect(backend.numDataIds()).toBe(ids);
    expect(backend.refCount(x.dataId)).toBe(2);
    expect(y.shape).toEqual([2, 3]);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    y.dispose();
    expect(backend.numDataIds()).toBe(ids - 1);
  });

  it('leaves gradients and training unchanged (the engine clones what it saves for backward)', async () => {
    const rand = new SeededRandom(12);
    const xs = randomValues(2 * 6 * 6 * 3, rand);
    const weights = randomValues(27 * 4, rand);
    const gradient = () =>
      tf.tidy(() => {
        const pooled = (x: tf.Tensor) => tf.reshape(tf.maxPool(tf.relu(x as tf.Tensor4D), 2, 2, 'valid'), [2, 27]) as tf.Tensor2D;
        const f = (x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.matMul(pooled(x), w as tf.Tensor2D)));
        const [dx, dw] = tf.grads(f)([tf.tensor4d(xs, [2, 6, 6, 3]), tf.tensor2d(weights, [27, 4])]);
        return Float32Array.from([...dx!.dataSync(), ...dw!.dataSync()]);
      });
    expectClose(gradient(), await onBackend('cpu', gradient), 1e-5);
  });

  it('hands strings to the kernel it replaced', () => {
    const s = tf.tensor(['a', 'bc']);
    const c = tf.clone(s);
    expect(c.dataSync()).toEqual(['a', 'bc']);
    tf.dispose([s, c]);
  });
});
