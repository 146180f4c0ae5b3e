/**
 * A faster `Conv2DBackpropInput` kernel for the tfjs wasm backend.
 *
 * Why: tfjs-backend-wasm 4.22.0 does register `Conv2DBackpropInput`, but as a plain scalar C++
 * loop (src/cc/kernels/Conv2DBackpropInput.cc: for every dx element, a loop over the filter taps
 * and the output channels, no SIMD, no blocking). For the SimpleCNN at batch 128 it took ≈ 0.89 s
 * of a ≈ 1.5 s training step (≈ 470 ms for conv2's dx, ≈ 420 ms for conv3's; see
 * wasmTrainingStep.bench.test.ts), while the forward convolutions of the same size, which go
 * through XNNPACK's SIMD convolution, take ≈ 38 ms each. This kernel: ≈ 37-43 ms per call.
 *
 * What it computes (NHWC, dilation 1), identical in meaning to tfjs-backend-cpu's kernel: the
 * gradient of conv2d with respect to its input x,
 *
 *   dx[b, i, j, ci] = Σ_{kh, kw, co} dy[b, (i + padTop − kh) / sH, (j + padLeft − kw) / sW, co]
 *                                    · W[kh, kw, ci, co]
 *
 * over the (kh, kw) whose dy index is an integer inside dy (elsewhere dy reads as zero).
 *
 * How, for stride 1: substitute kh' = fH − 1 − kh, kw' = fW − 1 − kw. Then
 *
 *   dx[b, i, j, ci] = Σ_{kh', kw', co} dyPad[b, i + kh', j + kw', co] · W'[kh', kw', co, ci]
 *
 * with W'[kh', kw', co, ci] = W[fH−1−kh', fW−1−kw', ci, co] (the filter rotated 180° spatially,
 * its in/out channels swapped) and dyPad = dy padded by (fH − 1 − padTop) rows on top,
 * (fW − 1 − padLeft) columns on the left, and on the bottom/right whatever makes the 'valid'
 * output exactly inH × inW. That is an ordinary forward convolution, called directly as the wasm
 * backend's registered Conv2D kernel (the project's, wasmConv2D.ts, on the heap GEMM; XNNPACK for the
 * shapes that one leaves to it):
 *   1. W' [fH, fW, outC, inC], written by one JavaScript pass over the filter straight into a heap
 *      buffer of our own (a few thousand to ~10⁵ floats; ~0.2 ms, noise next to the convolution;
 *      the wasm Reverse + Transpose kernels took ~2 ms each for the same).
 *   2. Conv2D(dy, W', strides 1, explicit padding above) → dx [b, inH, inW, inC].
 * The explicit padding becomes the convolution's implicit padding, so dy is never copied.
 *
 * W' is a fresh tensor on every call and is disposed at the end. That matters on the XNNPACK path:
 * tfjs's wasm Conv2D caches its XNNPACK operator (which holds a packed copy of the filter) keyed by the filter's
 * tensor id, and frees it when that tensor is disposed, so a per-call W' keeps the cache from
 * growing and can never serve a stale filter. Packing W' costs one pass over the filter.
 *
 * What it does not handle, delegating to the kernel that was registered before it (tfjs's C++
 * loop, which stays correct): strides > 1 (dx would need dy dilated with zeros first), padding
 * larger than fH − 1 / fW − 1 on a side (the equivalent convolution would need negative padding),
 * a dy whose spatial shape is not conv2d's output shape for these attrs, and anything not NHWC
 * float32. Empty tensors return zeros.
 *
 * Memory and refcount rules are those of wasmConv2DBackpropFilter.ts (read its comment): inputs
 * dy and filter are borrowed and never disposed; every TensorInfo another kernel returns, and W'
 * (allocated with the backend's makeOutput), is owned and released with backend.disposeData
 * exactly once (try/finally); the Conv2D result's single reference is handed to the engine. The
 * heap view for writing W' is taken after its allocation and dropped before the Conv2D call.
 */
import {
  Conv2D,
  Conv2DBackpropInput,
  Fill,
  backend_util,
} from '@tensorflow/tfjs';
import type {
  Conv2DBackpropInputAttrs,
  Conv2DBackpropInputInputs,
  KernelBackend,
  KernelFunc,
  NamedAttrMap,
  TensorInfo,
} from '@tensorflow/tfjs';
import { OwnedBuffers, runWasmKernel, wasmBackend, type WasmBackendInternals } from './wasmBackendAccess';
import { wasmKernelReplacement } from './kernelReplacement';

/**
 * Why the fast path does not apply to these arguments, or null when it does. Exported for tests.
 * `convInfo` is conv2d's info for the forward pass these gradients belong to.
 */
export function unsupportedReason(
  dy: TensorInfo,
  filter: TensorInfo,
  convInfo: backend_util.Conv2DInfo,
): string | null {
  if (convInfo.dataFormat !== 'channelsLast') return 'dataFormat is not NHWC';
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') return 'not float32';
  if (convInfo.strideHeight !== 1 || convInfo.strideWidth !== 1) return 'strides > 1';
  if (convInfo.dilationHeight !== 1 || convInfo.dilationWidth !== 1) return 'dilation > 1';
  const [, dyH, dyW, dyC] = dy.shape;
  if (dyH !== convInfo.outHeight || dyW !== convInfo.outWidth || dyC !== convInfo.outChannels) {
    return 'dy is not the forward output shape';
  }
  const { top, left } = convInfo.padInfo;
  if (top > convInfo.filterHeight - 1 || left > convInfo.filterWidth - 1) return 'padding wider than the filter';
  const bottom = convInfo.inHeight + convInfo.filterHeight - 1 - convInfo.outHeight - (convInfo.filterHeight - 1 - top);
  const right = convInfo.inWidth + convInfo.filterWidth - 1 - convInfo.outWidth - (convInfo.filterWidth - 1 - left);
  if (bottom < 0 || right < 0) return 'padding wider than the filter';
  return null;
}

const wasmConv2DBackpropInput: KernelFunc = (args) => {
  const { inputs, backend: anyBackend, attrs } = args;
  const backend = anyBackend as KernelBackend;
  const { dy, filter } = inputs as Conv2DBackpropInputInputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
  if (dy == null || filter == null) {
    throw new Error('Conv2DBackpropInput (wasm): inputs dy and filter are required');
  }
  // tfjs's own C++ loop handles what this kernel does not.
  const fallback = () => replacement.fallback(args);
  if (dy.shape.length !== 4 || filter.shape.length !== 4 || inputShape.length !== 4) return fallback();

  const convInfo = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1 /* dilations: conv2d's gradient only supports 1 */,
    pad,
    dimRoundingMode,
    false /* depthwise */,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  if (unsupportedReason(dy, filter, convInfo) != null) return fallback();

  const { batchSize, inHeight, inWidth, inChannels, outChannels, filterHeight: fH, filterWidth: fW, padInfo } =
    convInfo;
  const dxShape = [batchSize, inHeight, inWidth, inChannels];
  if (batchSize * inHeight * inWidth * inChannels === 0) {
    return runWasmKernel(Fill, {}, backend, { shape: dxShape, value: 0, dtype: 'float32' });
  }
  if (outChannels === 0 || convInfo.outHeight === 0 || convInfo.outWidth === 0) {
    // Nothing flows back (and XNNPACK rejects empty operands).
    return runWasmKernel(Fill, {}, backend, { shape: dxShape, value: 0, dtype: 'float32' });
  }

  const top = fH - 1 - padInfo.top;
  const left = fW - 1 - padInfo.left;
  const bottom = inHeight + fH - 1 - convInfo.outHeight - top;
  const right = inWidth + fW - 1 - convInfo.outWidth - left;

  const buffers = new OwnedBuffers(backend);
  try {
    // W' [fH, fW, outC, inC] = W rotated 180° with in/out channels swapped, written in place.
    const rotated = buffers.own(wasmBackend(backend, Conv2DBackpropInput).makeOutput([fH, fW, outChannels, inChannels], 'float32'));
    rotateFilter(wasmBackend(backend, Conv2DBackpropInput), filter, rotated, fH, fW, inChannels, outChannels);

    const dx = buffers.own(
      runWasmKernel(Conv2D, { x: dy, filter: rotated }, backend, {
        strides: [1, 1],
        pad: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [1, 1],
      } as unknown as NamedAttrMap),
    );
    buffers.release(rotated); // also frees the XNNPACK operator cached for it
    return buffers.handOver(dx);
  } finally {
    buffers.releaseAll();
  }
};

/**
 * out[kh, kw, co, ci] = filter[fH − 1 − kh, fW − 1 − kw, ci, co], straight over the heap (one
 * JavaScript pass over the filter: 0.1-0.3 ms for the SimpleCNN's, where the wasm Reverse +
 * Transpose kernels took ~2 ms each).
 */
function rotateFilter(
  backend: WasmBackendInternals,
  filter: TensorInfo,
  out: TensorInfo,
  fH: number,
  fW: number,
  inC: number,
  outC: number,
): void {
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer); // after the last allocation
  const src = backend.getMemoryOffset(filter.dataId) / 4;
  let d = backend.getMemoryOffset(out.dataId) / 4;
  const block = inC * outC;
  for (let kh = 0; kh < fH; kh++) {
    for (let kw = 0; kw < fW; kw++) {
      const s = src + ((fH - 1 - kh) * fW + (fW - 1 - kw)) * block;
      for (let co = 0; co < outC; co++) {
        for (let ci = 0, at = s + co; ci < inC; ci++, at += outC) heap[d++] = heap[at]!;
      }
    }
  }
}

const replacement = wasmKernelReplacement(Conv2DBackpropInput, wasmConv2DBackpropInput);
export const wasmConv2DBackpropInputConfig = replacement.config;
/** Replaces the wasm backend's Conv2DBackpropInput, keeping it as the fallback. Idempotent and silent. */
export const registerWasmConv2DBackpropInput = replacement.register;
export const unregisterWasmConv2DBackpropInput = replacement.unregister;
