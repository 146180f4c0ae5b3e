/**
 * Checks the wasm Conv2D replacement (the heap GEMM reading its rows through a tap table) against tfjs's
 * cpu backend, on the paths it takes (≥ 4 input channels, output channels a multiple of 4) and the ones
 * it leaves to XNNPACK, plus memory and input-intact checks.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SeededRandom } from '../training/random';
import type { Shape4 } from './testing/convCase';
import { expectOnlyItsOutputBuffer, onBackend, randomValues, sizeOf, withEngineLeakCheck } from './testing/kernelChecks';
import { fillTapTable, registerWasmConv2D, unregisterWasmConv2D, wasmConv2DConfig } from './wasmConv2D';
import * as access from './wasmBackendAccess';

interface Case {
  name: string;
  x: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
  dilations?: number | [number, number];
  /** Whether the heap GEMM takes it (else XNNPACK). */
  heap: boolean;
}

const cases: Case[] = [
  { name: 'SimpleCNN conv2 [4,14,14,32] 3x3x32x64 same', x: [4, 14, 14, 32], filter: [3, 3, 32, 64], strides: 1, pad: 'same', heap: true },
  { name: 'SimpleCNN conv3 [3,7,7,64] 3x3x64x128 same', x: [3, 7, 7, 64], filter: [3, 3, 64, 128], strides: 1, pad: 'same', heap: true },
  { name: 'batch 1 (a drawn digit), conv2 shape', x: [1, 14, 14, 32], filter: [3, 3, 32, 64], strides: 1, pad: 'same', heap: true },
  { name: 'conv3 backward as the dx kernel calls it: explicit pad 2', x: [2, 3, 3, 128], filter: [3, 3, 128, 64], strides: 1, pad: [[0, 0], [2, 2], [2, 2], [0, 0]], heap: true },
  { name: 'stride 2 same, 12 output channels (a last tile of 4)', x: [2, 9, 9, 4], filter: [3, 3, 4, 12], strides: 2, pad: 'same', heap: true },
  { name: 'valid, 5 rows of output per image (row remainders)', x: [3, 7, 5, 6], filter: [3, 1, 6, 8], strides: 1, pad: 'valid', heap: true },
  { name: 'strides [2,3], numeric pad 1', x: [2, 8, 10, 5], filter: [2, 3, 5, 4], strides: [2, 3], pad: 1, heap: true },
  { name: 'dilation 2', x: [2, 9, 9, 4], filter: [3, 3, 4, 8], strides: 1, pad: 'same', dilations: 2, heap: true },
  { name: '1x1 filter', x: [2, 4, 4, 8], filter: [1, 1, 8, 16], strides: 1, pad: 'valid', heap: true },
  { name: 'SimpleCNN conv1 (one input channel: XNNPACK)', x: [2, 28, 28, 1], filter: [3, 3, 1, 32], strides: 1, pad: 'same', heap: false },
  { name: '6 output channels (XNNPACK)', x: [2, 6, 6, 8], filter: [3, 3, 8, 6], strides: 1, pad: 'same', heap: false },
];

function conv(c: Case, xVals: Float32Array, wVals: Float32Array): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(xVals, c.x);
    const w = tf.tensor4d(wVals, c.filter);
    return tf.conv2d(x, w, c.strides, c.pad, 'NHWC', c.dilations ?? 1).dataSync() as Float32Array;
  });
}

function expectClose(actual: Float32Array, expected: Float32Array, rtol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let maxRef = 0;
  let maxErr = 0;
  for (let i = 0; i < expected.length; i++) {
    expect(Number.isFinite(actual[i]), `element ${i} is ${actual[i]}`).toBe(true);
    maxRef = Math.max(maxRef, Math.abs(expected[i]!));
    maxErr = Math.max(maxErr, Math.abs(actual[i]! - expected[i]!));
  }
  expect(maxRef).toBeGreaterThan(0);
  expect(maxErr / maxRef, `max error ${maxErr} vs max |ref| ${maxRef}`).toBeLessThanOrEqual(rtol);
}

beforeAll(async () => {
  registerWasmConv2D();
  expect(await tf.setBackend('wasm')).toBe(true);
});

afterEach(() => vi.restoreAllMocks());

describe('wasm Conv2D matches the cpu backend', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const random = new SeededRandom(sizeOf(c.x) + sizeOf(c.filter));
      const xVals = randomValues(sizeOf(c.x), random);
      const wVals = randomValues(sizeOf(c.filter), random);
      const expected = await onBackend('cpu', () => conv(c, xVals, wVals));
      const heapGemm = vi.spyOn(access, 'wasmHeapGemm');
      const actual = conv(c, xVals, wVals);
      expectClose(actual, expected);
      // Only the heap path asks for the GEMM (the XNNPACK cases decline on shape first).
      expect(heapGemm.mock.calls.length > 0).toBe(c.heap);
    });
  }
});

describe('wasm Conv2D bookkeeping', () => {
  it('is the registered wasm Conv2D, and registering again changes nothing', () => {
    registerWasmConv2D();
    expect(tf.getKernel('Conv2D', 'wasm')).toBe(wasmConv2DConfig);
  });

  it('leaves tensor and buffer counts unchanged, passes the engine leak check, and leaves x and the filter intact', () => {
    const c = cases[0]!;
    const random = new SeededRandom(7);
    const x = tf.tensor4d(randomValues(sizeOf(c.x), random), c.x);
    const w = tf.tensor4d(randomValues(sizeOf(c.filter), random), c.filter);
    const xBefore = x.dataSync().slice();
    const wBefore = w.dataSync().slice();
    expectOnlyItsOutputBuffer(() => tf.conv2d(x, w, 1, 'same'));
    withEngineLeakCheck(() => tf.tidy(() => void tf.conv2d(x, w, 1, 'same')));
    expect(x.dataSync()).toEqual(xBefore);
    expect(w.dataSync()).toEqual(wBefore);
    x.dispose();
    w.dispose();
  });

  it('the tap table points at each window pixel, and at the zero run in the padding', () => {
    const info = tf.backend_util.computeConv2DInfo([1, 2, 3, 4], [3, 3, 4, 4], 1, 1, 'same');
    const table = new Int32Array(2 * 3 * 9);
    fillTapTable(table, 1000, 8, info);
    // Output (0, 0): taps (kh, kw) row by row; only (1,1), (1,2), (2,1), (2,2) are inside x.
    expect([...table.subarray(0, 9)]).toEqual([8, 8, 8, 8, 1000, 1016, 8, 1048, 1064]);
  });

  it('falls back to XNNPACK unchanged when unregistered', () => {
    unregisterWasmConv2D();
    try {
      expect(tf.getKernel('Conv2D', 'wasm')).not.toBe(wasmConv2DConfig);
      const out = tf.tidy(() => tf.conv2d(tf.ones([1, 3, 3, 4]) as tf.Tensor4D, tf.ones([1, 1, 4, 4]) as tf.Tensor4D, 1, 'valid').dataSync());
      expect([...out].every((v) => v === 4)).toBe(true);
    } finally {
      registerWasmConv2D();
    }
  });
});
