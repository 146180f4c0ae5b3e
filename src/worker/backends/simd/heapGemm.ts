/**
 * A float32 matrix product over a WebAssembly memory — in this app the tfjs wasm backend's own heap, so
 * the kernels read and write tensors' buffers where they are, with no copy in or out. The convolutions
 * (wasmConv2D.ts, and through it the input gradient) and the filter gradient
 * (wasmConv2DBackpropFilter.ts) run on it.
 *
 * Why not XNNPACK, which the wasm backend already has: tfjs-backend-wasm 4.22's binary is built without
 * relaxed SIMD, so its kernels do a multiply and an add where the CPU could do one fused instruction;
 * and for the filter gradient's product, whose second operand is new every step, XNNPACK's
 * fully-connected operator repacks that operand on creation (10-16 ms of a ~30-50 ms product per layer
 * at batch 128). These kernels read B in place (row-major, any row stride) and use
 * `f32x4.relaxed_madd` where the engine supports it (Chrome/Edge 114+, Node 22+, or Node 20 with
 * --experimental-wasm-relaxed-simd), the separate multiply and add elsewhere — which measured faster
 * than XNNPACK here too (a SimpleCNN step at batch 128 in Node: ~0.30 s against ~0.35-0.47 s).
 *
 * Blocking: the inner dimension is cut into slices of K_SLICE, and every tile row-block runs over one
 * slice before the next, so a slice of B (K_SLICE × n floats: 128 KB for n = 64) stays in the core's
 * L2 cache across all of A's rows instead of streaming from memory once per row-block.
 */
import { gemmModuleBytes, type ConvRowsKernel, type GemmRowsKernel } from './gemmKernels';

/** Rows per tile (see gemmKernels.ts for the register budget). */
const TILE_ROWS = 4;
/** Inner-dimension slice kept in cache across row-blocks (see above). */
const K_SLICE = 512;

export interface GemmOperands {
  /** Byte offsets into the memory (4-aligned). */
  a: number;
  b: number;
  c: number;
  /** C is m × n, A m × k, B k × n. */
  m: number;
  k: number;
  n: number;
  /** Row strides in floats; default: A's k, B's and C's n (dense). */
  aRowStride?: number;
  bRowStride?: number;
}

/**
 * A product whose A rows are gathered through a table (convolution without an im2col copy): row i of A
 * is `taps` runs of k floats, run t starting at the byte address table[i·taps + t].
 */
export interface IndirectOperands {
  /** Byte offset of the i32 table (m·taps entries, each a byte address in the memory). */
  table: number;
  taps: number;
  /** B: taps·k rows of n floats, dense; C: m × n, dense. Byte offsets. */
  b: number;
  c: number;
  m: number;
  k: number;
  n: number;
}

export interface HeapGemm {
  /** Whether this instance uses the fused multiply-add. */
  readonly fused: boolean;
  /** C = A · B (see GemmOperands). n must be a multiple of 4 (`supportsColumns`). */
  multiply(operands: GemmOperands): void;
  /** C = A · B with A gathered through a table (see IndirectOperands). n as for `multiply`. */
  multiplyIndirect(operands: IndirectOperands): void;
}

function checkSizes(m: number, k: number, n: number): void {
  if (!supportsColumns(n)) throw new Error(`GEMM: n must be a positive multiple of 4, got ${n}`);
  if (!(m > 0 && k > 0)) throw new Error(`GEMM: m and k must be positive, got m=${m}, k=${k}`);
}

/** Whether the kernels take a product with n columns. */
export const supportsColumns = (n: number): boolean => n > 0 && n % 4 === 0;

let relaxedSimd: boolean | undefined;
/** Whether this engine validates the fused (relaxed SIMD) kernels. Cached. */
export function relaxedSimdSupported(): boolean {
  relaxedSimd ??= WebAssembly.validate(gemmModuleBytes({ maxRows: 1, fused: true }));
  return relaxedSimd;
}

const compiled = new Map<boolean, WebAssembly.Module>();
function compiledKernels(fused: boolean): WebAssembly.Module {
  let module = compiled.get(fused);
  if (module === undefined) {
    module = new WebAssembly.Module(gemmModuleBytes({ maxRows: TILE_ROWS, fused }));
    compiled.set(fused, module);
  }
  return module;
}

/**
 * The kernels instantiated over `memory`. `fused` defaults to whatever the engine supports; asking for
 * fused where it is not supported throws (WebAssembly.CompileError).
 */
export function createHeapGemm(memory: WebAssembly.Memory, fused = relaxedSimdSupported()): HeapGemm {
  const instance = new WebAssembly.Instance(compiledKernels(fused), { env: { memory } });
  const kernels: GemmRowsKernel[] = [];
  const convKernels: ConvRowsKernel[] = [];
  for (let r = 1; r <= TILE_ROWS; r++) {
    kernels[r] = instance.exports[`rows${r}`] as GemmRowsKernel;
    convKernels[r] = instance.exports[`conv${r}`] as ConvRowsKernel;
  }

  return {
    fused,
    multiply({ a, b, c, m, k, n, aRowStride = k, bRowStride = n }: GemmOperands): void {
      checkSizes(m, k, n);
      const aStride = aRowStride * 4;
      const bStride = bRowStride * 4;
      const cStride = n * 4;
      for (let k0 = 0; k0 < k; k0 += K_SLICE) {
        const slice = Math.min(K_SLICE, k - k0);
        const accumulate = k0 > 0 ? 1 : 0;
        for (let i = 0; i < m; i += TILE_ROWS) {
          const rows = Math.min(TILE_ROWS, m - i);
          const kernel = kernels[rows] as GemmRowsKernel;
          kernel(a + i * aStride + k0 * 4, aStride, b + k0 * bStride, bStride, c + i * cStride, cStride, n, slice, accumulate);
        }
      }
    },
    // No slicing here: a layer's whole filter (taps·k × n; 288 KB for a 3×3, 64 → 128 layer) is what
    // every row-block reads, and it stays in L2 by itself.
    multiplyIndirect({ table, taps, b, c, m, k, n }: IndirectOperands): void {
      checkSizes(m, k, n);
      if (!(taps > 0)) throw new Error(`GEMM: taps must be positive, got ${taps}`);
      const cStride = n * 4;
      for (let i = 0; i < m; i += TILE_ROWS) {
        const rows = Math.min(TILE_ROWS, m - i);
        const kernel = convKernels[rows] as ConvRowsKernel;
        kernel(table + i * taps * 4, taps, b, cStride, c + i * cStride, cStride, n, k);
      }
    },
  };
}
