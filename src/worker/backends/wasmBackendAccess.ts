/**
 * What this project's wasm kernels use of tfjs-backend-wasm beyond the public KernelBackend: calling
 * the backend's other kernels directly (no engine, no tensors, no tape), and its heap.
 */
import { getKernel } from '@tensorflow/tfjs';
import type { KernelBackend, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { createHeapGemm, type HeapGemm } from './simd/heapGemm';
import { simdSupported } from './simd/wasmBinary';

/** The parts of tfjs-backend-wasm's BackendWasm the kernels read or write directly. */
export interface WasmBackendInternals {
  /** The Emscripten module; `asm` holds its exports, among them the heap's WebAssembly.Memory. */
  wasm: { HEAPU8: Uint8Array; asm?: { memory?: unknown } };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  getMemoryOffset(dataId: object): number;
}

/** The backend as tfjs-backend-wasm's, or an error naming the kernel that needed it. */
export function wasmBackend(backend: KernelBackend, kernelName: string): WasmBackendInternals {
  const b = backend as unknown as Partial<WasmBackendInternals>;
  if (b.wasm?.HEAPU8 == null || typeof b.makeOutput !== 'function' || typeof b.getMemoryOffset !== 'function') {
    throw new Error(`${kernelName} (wasm): the backend is not tfjs-backend-wasm`);
  }
  return b as WasmBackendInternals;
}

/** Calls another registered wasm kernel directly; the caller owns the one output it returns. */
export function runWasmKernel(
  kernelName: string,
  inputs: Record<string, TensorInfo>,
  backend: KernelBackend,
  attrs: NamedAttrMap,
): TensorInfo {
  const kernel = getKernel(kernelName, 'wasm');
  if (kernel == null) throw new Error(`the wasm kernel '${kernelName}' is not registered`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel '${kernelName}' returned ${out.length} outputs, expected one`);
  return out;
}

/**
 * A new heap buffer holding a float32 tensor's values, owned by the caller: for operands that must not
 * share a buffer id with anything else (the Identity kernel shares buffers, see wasmIdentity.ts).
 */
export function copyWasmBuffer(backend: KernelBackend, info: TensorInfo, kernelName: string): TensorInfo {
  const wasm = wasmBackend(backend, kernelName);
  const copy = wasm.makeOutput([...info.shape], 'float32');
  const length = info.shape.reduce((n, d) => n * d, 1);
  const heap = new Float32Array(wasm.wasm.HEAPU8.buffer); // after the allocation, which may grow the heap
  const from = wasm.getMemoryOffset(info.dataId) / 4;
  heap.copyWithin(wasm.getMemoryOffset(copy.dataId) / 4, from, from + length);
  return copy;
}

/**
 * The intermediate buffers a kernel owns (each holding one reference): released exactly once, early
 * with `release` or all at the end with `releaseAll` (in a finally, so a throw leaks nothing), except
 * the one handed to the engine with `handOver`.
 */
export class OwnedBuffers {
  private readonly owned = new Set<TensorInfo>();

  constructor(private readonly backend: KernelBackend) {}

  own(info: TensorInfo): TensorInfo {
    this.owned.add(info);
    return info;
  }

  release(info: TensorInfo): void {
    if (this.owned.delete(info)) this.backend.disposeData(info.dataId);
  }

  /** Gives up ownership of the kernel's result: its reference becomes the engine's. */
  handOver(info: TensorInfo): TensorInfo {
    this.owned.delete(info);
    return info;
  }

  releaseAll(): void {
    for (const info of this.owned) this.backend.disposeData(info.dataId);
    this.owned.clear();
  }
}

/**
 * The backend's heap as a WebAssembly.Memory, for the project's own wasm kernels (simd/) to import; null
 * when the Emscripten module does not expose it or the engine has no WebAssembly SIMD (then callers
 * keep to tfjs's kernels).
 */
export function wasmMemory(backend: WasmBackendInternals): WebAssembly.Memory | null {
  const memory = backend.wasm.asm?.memory;
  return memory instanceof WebAssembly.Memory && simdSupported() ? memory : null;
}

const heapGemms = new WeakMap<WebAssembly.Memory, HeapGemm>();
/** The GEMM kernels (simd/heapGemm.ts) over this backend's heap, instantiated once per heap; or null. */
export function wasmHeapGemm(backend: WasmBackendInternals): HeapGemm | null {
  const memory = wasmMemory(backend);
  if (memory === null) return null;
  let gemm = heapGemms.get(memory);
  if (gemm === undefined) {
    gemm = createHeapGemm(memory);
    heapGemms.set(memory, gemm);
  }
  return gemm;
}
