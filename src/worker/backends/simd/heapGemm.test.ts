/**
 * The heap GEMM against a float64 reference: every tile-row remainder, a last tile of 4 columns, inner
 * dimensions across several cache slices, operands that are blocks of wider matrices; fused (relaxed
 * SIMD) and separate multiply-add kernels alike; the memory growing under an instance.
 */
import { describe, expect, it } from 'vitest';
import { createHeapGemm, relaxedSimdSupported, supportsColumns, type GemmOperands } from './heapGemm';

interface Layout {
  m: number;
  k: number;
  n: number;
  /** Extra floats at the end of each A / B row (the operand is a block of a wider matrix). */
  aPad?: number;
  bPad?: number;
}

/** Lays A, B and C out in a fresh memory with random values (C holds garbage), a guard after C. */
function setUp({ m, k, n, aPad = 0, bPad = 0 }: Layout) {
  const aRowStride = k + aPad;
  const bRowStride = n + bPad;
  const aFloats = m * aRowStride;
  const bFloats = k * bRowStride;
  const cFloats = m * n;
  const guard = 64;
  const bytes = 4 * (16 + aFloats + bFloats + cFloats + guard);
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) + 1 });
  const heap = new Float32Array(memory.buffer);
  const a = 16; // float offsets; nonzero so a wrong base address shows
  const b = a + aFloats;
  const c = b + bFloats;
  let seed = 12345;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
  for (let i = 0; i < c; i++) heap[i] = random();
  heap.fill(1e30, c, c + cFloats); // garbage the product must replace, not add to
  heap.fill(7, c + cFloats, c + cFloats + guard);
  const operands: GemmOperands = { a: a * 4, b: b * 4, c: c * 4, m, k, n, aRowStride, bRowStride };
  const expected = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let t = 0; t < k; t++) sum += (heap[a + i * aRowStride + t] as number) * (heap[b + t * bRowStride + j] as number);
      expected[i * n + j] = sum;
    }
  }
  return { memory, operands, expected, c, cFloats, guard };
}

const layouts: Layout[] = [
  { m: 1, k: 1, n: 4 },
  { m: 2, k: 3, n: 8 },
  { m: 3, k: 17, n: 12 },
  { m: 4, k: 64, n: 16 },
  { m: 9, k: 1100, n: 32 }, // the SimpleCNN's conv1 filter gradient has 9 rows; k spans 3 slices
  { m: 7, k: 513, n: 20, aPad: 5, bPad: 4 },
  { m: 6, k: 1024, n: 4, aPad: 1 },
];

const variants = [
  { name: 'separate multiply and add', fused: false, supported: true },
  { name: 'fused multiply-add (relaxed SIMD)', fused: true, supported: relaxedSimdSupported() },
];

describe.each(variants)('heap GEMM, $name', ({ fused, supported }) => {
  it.skipIf(!supported).each(layouts)('C = A·B for m=$m k=$k n=$n', (layout) => {
    const { memory, operands, expected, c, cFloats, guard } = setUp(layout);
    const gemm = createHeapGemm(memory, fused);
    expect(gemm.fused).toBe(fused);
    gemm.multiply(operands);
    const heap = new Float32Array(memory.buffer);
    for (let i = 0; i < expected.length; i++) {
      const want = expected[i] as number;
      expect(Math.abs((heap[c + i] as number) - want)).toBeLessThanOrEqual(1e-5 * Math.sqrt(layout.k) + 1e-6 * Math.abs(want));
    }
    expect([...heap.subarray(c + cFloats, c + cFloats + guard)].every((v) => v === 7)).toBe(true);
  });

  it.skipIf(!supported)('keeps working after the memory grows under the instance', () => {
    const { memory, operands, expected, c } = setUp({ m: 5, k: 40, n: 8 });
    const gemm = createHeapGemm(memory, fused);
    memory.grow(2); // what the tfjs heap does when it allocates: the old ArrayBuffer is detached
    gemm.multiply(operands);
    const heap = new Float32Array(memory.buffer);
    expect(Math.abs((heap[c + 39] as number) - (expected[39] as number))).toBeLessThan(1e-4);
  });
});

describe('heap GEMM arguments', () => {
  it('takes column counts that are positive multiples of 4 and rejects the rest', () => {
    expect([4, 8, 20, 128].every(supportsColumns)).toBe(true);
    expect([0, 1, 3, 5, 10].some(supportsColumns)).toBe(false);
    const { memory, operands } = setUp({ m: 2, k: 2, n: 4 });
    const gemm = createHeapGemm(memory, false);
    expect(() => gemm.multiply({ ...operands, n: 6 })).toThrow(/multiple of 4/);
    expect(() => gemm.multiply({ ...operands, k: 0 })).toThrow(/positive/);
  });

  it('the fused kernels run wherever the engine validates relaxed SIMD (this test runner enables it)', () => {
    // Node 20 needs --experimental-wasm-relaxed-simd (vite.config.ts passes it); Chrome 114+ and Node 22+
    // have it on. Without it the app silently keeps the separate multiply and add.
    expect(relaxedSimdSupported()).toBe(true);
  });
});
