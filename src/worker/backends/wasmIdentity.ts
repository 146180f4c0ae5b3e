/**
 * An `Identity` kernel for the tfjs wasm backend that shares the buffer instead of copying it.
 *
 * Why: tfjs-backend-wasm 4.22.0's Identity copies its input into a new heap buffer, and the engine
 * runs Identity (`Engine.clone`) on every tensor it saves for the backward pass: a SimpleCNN training
 * step at batch 128 copied 52 tensors, among them three [128, 28, 28, 32] maps, ~5 ms CPU of a
 * ~250 ms step. tfjs's tensors are immutable, so the cpu and webgl backends answer Identity with one
 * more reference to the same buffer; this does the same on wasm (the wasm backend's Reshape already
 * shares buffers this way).
 *
 * Anything that needs a private copy (an XNNPACK operand whose packed form tfjs caches by buffer id,
 * see wasmBatchMatMul.ts) copies with `copyWasmBuffer`, not through this kernel. Strings go to the
 * kernel registered before this one.
 */
import { Identity } from '@tensorflow/tfjs';
import type { IdentityInputs, KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { wasmKernelReplacement } from './kernelReplacement';

const wasmIdentity: KernelFunc = (args) => {
  const { x } = args.inputs as IdentityInputs;
  if (x == null) throw new Error('Identity (wasm): input x is required');
  if (x.dtype === 'string') return replacement.fallback(args);
  const backend = args.backend as KernelBackend;
  backend.incRef(x.dataId);
  const shared: TensorInfo = { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  return shared;
};

const replacement = wasmKernelReplacement(Identity, wasmIdentity);
export const wasmIdentityConfig = replacement.config;
/** Replaces the wasm backend's Identity, keeping it for strings. Idempotent and silent. */
export const registerWasmIdentity = replacement.register;
export const unregisterWasmIdentity = replacement.unregister;
