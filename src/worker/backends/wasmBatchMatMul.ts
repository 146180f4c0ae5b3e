/**
 * A `BatchMatMul` wrapper for the tfjs wasm backend that keeps transposed products on XNNPACK.
 *
 * Why: tfjs-backend-wasm 4.22.0's BatchMatMul sends only the untransposed, batch-1 product to
 * XNNPACK's SIMD GEMM (src/cc/batch_mat_mul_impl.cc); `transposeA` or `transposeB` falls back to a
 * scalar triple loop. matMul's gradient always uses them (dA = dY·Bᵀ, dB = Aᵀ·dY), so the
 * SimpleCNN's fc1 backward took ~97 ms CPU of a ~600 ms step (0.04 GMAC each: ~1 GMAC/s, against
 * ~12 GMAC/s for XNNPACK).
 *
 * How: when the product is batch-1 (every leading dimension of both operands is 1) and float32,
 * transpose the flagged operand(s) with the wasm Transpose kernel (C++) into buffers of our own and
 * call the previous kernel untransposed, which then takes the XNNPACK path. Our own buffer for b
 * matters: XNNPACK's fully-connected operator is cached by b's tensor id (not its shape) until b
 * is disposed, so b is always a private copy here (a transpose, or a plain copy when only a is
 * transposed: `copyWasmBuffer`, since Identity shares buffers), disposed before returning. Everything
 * else (batched products, no flags) goes to the previous kernel untouched.
 */
import { BatchMatMul, Transpose } from '@tensorflow/tfjs';
import type { BatchMatMulAttrs, BatchMatMulInputs, KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { copyWasmBuffer, runWasmKernel } from './wasmBackendAccess';
import { wasmKernelReplacement } from './kernelReplacement';

const isBatchOne = (shape: number[]): boolean => shape.slice(0, -2).every((d) => d === 1);

const wasmBatchMatMul: KernelFunc = (args) => {
  const { inputs, backend: anyBackend, attrs } = args;
  const backend = anyBackend as KernelBackend;
  const { a, b } = inputs as BatchMatMulInputs;
  const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
  if (a == null || b == null) throw new Error('BatchMatMul (wasm): inputs a and b are required');
  if (
    (!transposeA && !transposeB) ||
    a.dtype !== 'float32' ||
    b.dtype !== 'float32' ||
    a.shape.length < 2 ||
    b.shape.length < 2 ||
    !isBatchOne(a.shape) ||
    !isBatchOne(b.shape) ||
    a.shape.some((d) => d === 0) ||
    b.shape.some((d) => d === 0)
  ) {
    return replacement.fallback(args);
  }
  const [aRows, aCols] = a.shape.slice(-2) as [number, number];
  const [bRows, bCols] = b.shape.slice(-2) as [number, number];
  const owned: TensorInfo[] = [];
  try {
    let a2: TensorInfo = { dataId: a.dataId, shape: [aRows, aCols], dtype: 'float32' }; // borrowed view
    if (transposeA) {
      a2 = runWasmKernel(Transpose, { x: a2 }, backend, { perm: [1, 0] });
      owned.push(a2);
    }
    const b2d: TensorInfo = { dataId: b.dataId, shape: [bRows, bCols], dtype: 'float32' };
    const b2 = transposeB ? runWasmKernel(Transpose, { x: b2d }, backend, { perm: [1, 0] }) : copyWasmBuffer(backend, b2d, BatchMatMul);
    owned.push(b2);
    const out = replacement.fallback({
      inputs: { a: a2, b: b2 },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    }) as TensorInfo;
    // The previous kernel shapes the result from the 2-D operands; restore the leading 1s.
    const lead = (a.shape.length >= b.shape.length ? a.shape : b.shape).slice(0, -2);
    return { dataId: out.dataId, shape: [...lead, ...out.shape.slice(-2)], dtype: out.dtype };
  } finally {
    for (const info of owned) backend.disposeData(info.dataId);
  }
};

const replacement = wasmKernelReplacement(BatchMatMul, wasmBatchMatMul);
export const wasmBatchMatMulConfig = replacement.config;
/** Replaces the wasm backend's BatchMatMul, keeping it as the fallback. Idempotent and silent. */
export const registerWasmBatchMatMul = replacement.register;
export const unregisterWasmBatchMatMul = replacement.unregister;
