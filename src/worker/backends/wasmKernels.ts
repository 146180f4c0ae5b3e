/**
 * The wasm kernels that training a conv net needs beyond what tfjs-backend-wasm 4.22 ships (the filter
 * gradient is missing) or ships slowly (C++ loops where XNNPACK or a heap loop is several times faster;
 * XNNPACK itself where the project's fused multiply-add GEMM is faster, see simd/heapGemm.ts).
 * Together they take a SimpleCNN training step at batch 128 from ~1.5 s to ~0.22-0.27 s on one thread.
 * Each is tested against the cpu backend beside it; each is idempotent.
 */
import { registerWasmBatchMatMul } from './wasmBatchMatMul';
import { registerWasmConv2D } from './wasmConv2D';
import { registerWasmConv2DBackpropFilter } from './wasmConv2DBackpropFilter';
import { registerWasmConv2DBackpropInput } from './wasmConv2DBackpropInput';
import { registerWasmIdentity } from './wasmIdentity';
import { registerWasmMaxPoolGrad } from './wasmMaxPoolGrad';
import { registerWasmSum } from './wasmSum';

export function registerWasmTrainingKernels(): void {
  registerWasmConv2D();
  registerWasmConv2DBackpropFilter();
  registerWasmConv2DBackpropInput();
  registerWasmMaxPoolGrad();
  registerWasmBatchMatMul();
  registerWasmSum();
  registerWasmIdentity();
}
