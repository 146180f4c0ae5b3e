/**
 * A `Conv2DBackpropFilter` kernel for the tfjs wasm backend.
 *
 * Why: @tensorflow/tfjs-backend-wasm 4.22.0 registers no kernel for `Conv2DBackpropFilter`, the
 * gradient of conv2d with respect to its filter, so training any conv net on wasm throws
 * "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'". This file fills the gap.
 *
 * What it computes (NHWC, dilation 1), identical in meaning to tfjs-backend-cpu's kernel:
 *
 *   dW[kh, kw, ci, co] = Σ_{b, y, x} Xpad[b, y·sH + kh, x·sW + kw, ci] · dY[b, y, x, co]
 *
 * where Xpad is x padded by `convInfo.padInfo` (from `backend_util.computeConv2DInfo`, the same
 * call the cpu kernel makes, so 'same' / 'valid' / numeric / explicit padding and
 * `dimRoundingMode` all mean exactly what they mean there). Positions outside x read as zero.
 *
 * How: one matrix product dW = Pᵀ · dY, with the patch matrix Pᵀ written straight into the wasm
 * heap. The sum runs over N = b·outH·outW output positions; we order them (y, x, b),
 * batch innermost, because then every piece of Pᵀ is a long contiguous run of memory:
 *   1. Transpose x [b, H, W, inC] → xT [inC, H, W, b] (the wasm Transpose kernel, C++).
 *   2. Pᵀ [fH·fW·inC, N], row (kh, kw, ci), column (y, x, b), = xT[ci, y·sH + kh − top,
 *      x·sW + kw − left, b]. For stride-1 width, a row's block for one output row y is ONE
 *      contiguous run of xT (outW·b floats: 1,792 to 3,584 for the SimpleCNN), so building Pᵀ is
 *      fH·fW·inC·outH `copyWithin` calls inside the heap plus zero fills for the padding (a strided
 *      width copies runs of b floats instead). No Pad, no Slice, no Concat, no readSync.
 *   3. Transpose dy [b, outH, outW, outC] → dyT [outH, outW, b, outC], i.e. dY with rows in the
 *      same (y, x, b) order, read as [N, outC].
 *   4. Pᵀ · dyT → [fH·fW·inC, outC], which read flat is exactly dW with shape [fH, fW, inC, outC],
 *      on the project's heap GEMM (simd/heapGemm.ts: fused multiply-add where the engine has relaxed
 *      SIMD, dyT read in place); for output channel counts it does not take (not a multiple of 4),
 *      on tfjs's BatchMatMul (untransposed, batch 1: XNNPACK's SIMD GEMM).
 *
 * Why materialize Pᵀ instead of multiplying with `transposeA: true` (the XNNPACK path's reason, and
 * the heap GEMM reads A row by row as well): the wasm BatchMatMul sends
 * only the untransposed, batch-1 case to XNNPACK's SIMD GEMM; any transpose flag falls back to a
 * plain scalar triple loop in C++ (tfjs-backend-wasm/src/cc/batch_mat_mul_impl.cc), which for the
 * SimpleCNN's second and third layers (~0.46 GMAC each at batch 128) took ~520-560 ms against
 * ~36-43 ms for the XNNPACK product. The test file's benchmark block (WASM_KERNEL_BENCH=1) times both.
 *
 * Why dY must be a buffer of our own on the XNNPACK path (dyT is): its fully-connected operator packs the second
 * operand ("weights") and tfjs caches that operator keyed only by the operand's tensor id (not
 * its shape) until that tensor is disposed. Handing the caller's dy in directly would hang packed
 * weights (N·outC floats) on a tensor we do not own and could be served to an unrelated later
 * matMul that uses the same dy as its second operand under another 2-D shape. dyT is created and
 * disposed inside this call (the wasm Transpose always writes a new buffer, even for a no-op
 * permutation), so the cache entry lives and dies inside the call.
 *
 * Where the time goes (Node 20, SIMD, 1 thread; SimpleCNN at batch 128, CPU time): most in the
 * product (on XNNPACK ~12-13 GMAC/s plus ~10 ms packing dyT for conv2, ~16 ms for conv1's 9-row
 * product; on the heap GEMM, fused, conv2's whole kernel 60 → 38 ms, conv3's 40 → 24, conv1's
 * 16 → 12); building Pᵀ and the two transposes take 1-6 ms per layer. An earlier version built Pᵀ
 * from fH·fW Slice calls + Concat + Transpose and spent ~35-40 % of its time in the JavaScript
 * Slice kernel (which copies its whole input out of the heap with readSync on every call).
 * Interleaved A/B: conv2 ~105 → ~52 ms, conv3 ~65 → ~45 ms, conv1 unchanged at ~24 ms.
 *
 * Heap access: Pᵀ is allocated with the backend's `makeOutput`; the Float32Array view over the
 * heap is taken only after the last allocation (an allocation may grow the wasm memory, which
 * detaches earlier views) and dropped before the next kernel call.
 */
import {
  BatchMatMul,
  Conv2DBackpropFilter,
  Fill,
  Slice,
  Transpose,
  backend_util,
  getKernel,
  registerKernel,
} from '@tensorflow/tfjs';
import type {
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropFilterInputs,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs';
import { supportsColumns } from './simd/heapGemm';
import { OwnedBuffers, runWasmKernel, wasmBackend, wasmHeapGemm, type WasmBackendInternals } from './wasmBackendAccess';

const BACKEND = 'wasm';

/*
 * Memory / refcount rules of this kernel (why it neither leaks nor frees live buffers).
 *
 * tfjs-core 4.22's engine hands a kernel `TensorInfo`s ({dataId, shape, dtype}) that the engine's
 * tensors own; the wasm backend keeps a refCount per dataId and frees the buffer when
 * `disposeData` brings it to 0. The engine does NOT add a reference for what a kernel returns:
 * `runKernelFunc` wraps each returned TensorInfo with `makeTensorFromTensorInfo`, which only
 * tracks a new Tensor on the existing dataId (no incRef), so the returned info must carry exactly
 * one reference that becomes the result tensor's.
 *
 * That is also why wrapping the *inputs* as tensors (makeTensorFromTensorInfo + ordinary tf ops +
 * dispose/tidy) is a trap: the wrapper's dispose calls `disposeData` and drops the reference that
 * belongs to the caller's tensor, freeing x or dy while they are still alive (unless the kernel
 * incRef's them first). We avoid the engine altogether, the way tfjs's own composite wasm kernels
 * do (e.g. StridedSlice, BatchMatMul): call the other wasm kernels' `kernelFunc` directly with
 * this `backend`, and
 *   - never dispose the inputs x and dy (borrowed);
 *   - own every TensorInfo another kernel returns (each holds one reference: a fresh buffer, or
 *     an incRef'd shared one) and release it with `backend.disposeData` exactly once;
 *   - reshape by `view()`: a new TensorInfo literal on the same dataId with no refcount change,
 *     valid only while its owner is, never disposed itself (the wasm Transpose kernel does the
 *     same internally);
 *   - a buffer we allocate ourselves with `makeOutput` is owned the same way (refCount 1);
 *   - return the product's buffer under a view with the filter's shape, which hands its one
 *     reference to the engine.
 * A try/finally releases whatever is still owned if any step throws.
 */

/** Same buffer, another shape; borrows the owner's reference (see the rules above). */
function view(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

const wasmConv2DBackpropFilter: KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as KernelBackend;
  const { x, dy } = inputs as Conv2DBackpropFilterInputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    attrs as unknown as Conv2DBackpropFilterAttrs;
  if (x == null || dy == null) {
    throw new Error('Conv2DBackpropFilter (wasm): inputs x and dy are required');
  }

  if (backend_util.convertConv2DDataFormat(dataFormat) !== 'channelsLast') {
    throw new Error(
      `Conv2DBackpropFilter (wasm): only dataFormat 'NHWC' is supported, got '${dataFormat}'`,
    );
  }
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(
      `Conv2DBackpropFilter (wasm): x and dy must be float32, got ${x.dtype} and ${dy.dtype}`,
    );
  }
  if (x.shape.length !== 4 || dy.shape.length !== 4) {
    throw new Error(
      `Conv2DBackpropFilter (wasm): x and dy must be rank 4, got [${x.shape}] and [${dy.shape}]`,
    );
  }

  const convInfo = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1 /* dilations: conv2d's gradient only supports 1 */,
    pad,
    dimRoundingMode,
    false /* depthwise */,
    'channelsLast',
  );
  const { batchSize, inChannels, outHeight, outWidth, outChannels, filterHeight: fH, filterWidth: fW } = convInfo;
  // dy normally has exactly conv2d's output shape. It can be larger: tfjs-core's Conv2D gradient
  // calls this kernel without the forward pass's dimRoundingMode, so after a 'ceil' / 'round'
  // forward conv2d, convInfo here (truncating) has fewer output rows/columns than dy. The cpu and
  // webgl kernels then use only dy's leading outH × outW block (a tfjs quirk); we do the same, so
  // every backend trains identically. A dy smaller than that, or with other batch/channels, is an error.
  const [dyB, dyH, dyW, dyC] = dy.shape as [number, number, number, number];
  const dyExpected = [batchSize, outHeight, outWidth, outChannels];
  if (dyB !== batchSize || dyC !== outChannels || dyH < outHeight || dyW < outWidth) {
    throw new Error(
      `Conv2DBackpropFilter (wasm): dy has shape [${dy.shape}], expected [${dyExpected}] ` +
        `for x [${x.shape}], filter [${filterShape}], strides ${JSON.stringify(strides)}, pad ${JSON.stringify(pad)}`,
    );
  }

  const outShape = [...convInfo.filterShape];
  const rows = fH * fW * inChannels; // rows of Pᵀ: the filter's (kh, kw, ci) flattened
  const n = batchSize * outHeight * outWidth; // columns of Pᵀ: every output position, as (y, x, b)

  if (n === 0 || rows === 0 || outChannels === 0) {
    // Nothing to sum over: the gradient is all zeros (and XNNPACK rejects empty operands).
    return runWasmKernel(Fill, {}, backend, { shape: outShape, value: 0, dtype: 'float32' });
  }

  const buffers = new OwnedBuffers(backend);

  try {
    // dy's leading outH × outW block when it is oversized (see above).
    let dyUsed = dy; // borrowed unless sliced
    if (dyH !== outHeight || dyW !== outWidth) {
      dyUsed = buffers.own(
        runWasmKernel(Slice, { x: dy }, backend, {
          begin: [0, 0, 0, 0],
          size: [batchSize, outHeight, outWidth, outChannels],
        }),
      );
    }
    // 3. dY in (y, x, b) row order, [n, outC], a buffer of our own (see above).
    const dyT = buffers.own(runWasmKernel(Transpose, { x: dyUsed }, backend, { perm: [1, 2, 0, 3] }));
    if (dyUsed !== dy) buffers.release(dyUsed);

    // 1. xT [inC, H, W, b].
    const xT = buffers.own(runWasmKernel(Transpose, { x }, backend, { perm: [3, 1, 2, 0] }));

    // 2. Pᵀ, written in place.
    const pT = buffers.own(wasmBackend(backend, Conv2DBackpropFilter).makeOutput([rows, n], 'float32'));
    fillPatchesTransposed(wasmBackend(backend, Conv2DBackpropFilter), xT, pT, convInfo);
    buffers.release(xT);

    // 4. dW = Pᵀ · dY: on the heap GEMM where it takes the shape, else XNNPACK's (untransposed, batch 1).
    const product = buffers.own(multiplyPatchesByGradient(backend, pT, dyT, rows, n, outChannels));
    buffers.release(pT);
    buffers.release(dyT); // also frees the XNNPACK operator (packed dyT) cached for it

    // Hand the product's single reference to the engine under the filter's shape.
    return view(buffers.handOver(product), outShape);
  } finally {
    buffers.releaseAll();
  }
};

/**
 * Pᵀ [rows, n] · dyT [n, outC] into a new buffer [rows, outC]. The heap GEMM (simd/heapGemm.ts) reads
 * dyT where it is; XNNPACK would first pack it, 10-16 ms per layer at batch 128, and has no fused
 * multiply-add in tfjs's build. XNNPACK remains for channel counts the heap GEMM does not take.
 */
function multiplyPatchesByGradient(
  backend: KernelBackend,
  pT: TensorInfo,
  dyT: TensorInfo,
  rows: number,
  n: number,
  outChannels: number,
): TensorInfo {
  const wasm = wasmBackend(backend, Conv2DBackpropFilter);
  const gemm = supportsColumns(outChannels) ? wasmHeapGemm(wasm) : null;
  if (gemm === null) {
    return runWasmKernel(
      BatchMatMul,
      { a: view(pT, [1, rows, n]), b: view(dyT, [1, n, outChannels]) },
      backend,
      { transposeA: false, transposeB: false },
    );
  }
  const product = wasm.makeOutput([rows, outChannels], 'float32');
  gemm.multiply({
    a: wasm.getMemoryOffset(pT.dataId),
    b: wasm.getMemoryOffset(dyT.dataId),
    c: wasm.getMemoryOffset(product.dataId),
    m: rows,
    k: n,
    n: outChannels,
  });
  return product;
}

/**
 * Writes Pᵀ[(kh, kw, ci), (y, x, b)] = xT[ci, y·sH + kh − top, x·sW + kw − left, b] (zero outside
 * x) into pT's heap buffer. xT is [inC, H, W, b]; pT is [fH·fW·inC, outH·outW·b]. Exported for tests.
 */
export function fillPatchesTransposed(
  backend: WasmBackendInternals,
  xT: TensorInfo,
  pT: TensorInfo,
  convInfo: backend_util.Conv2DInfo,
): void {
  const {
    batchSize: nb,
    inHeight: h,
    inWidth: w,
    inChannels: c,
    outHeight: oh,
    outWidth: ow,
    strideHeight: sH,
    strideWidth: sW,
    filterHeight: fH,
    filterWidth: fW,
    padInfo,
  } = convInfo;
  const { top, left } = padInfo;
  // One view over the whole heap, taken now (after every allocation), so copyWithin can move
  // data between the two buffers. Offsets are in floats; malloc aligns to at least 8 bytes.
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  const src = backend.getMemoryOffset(xT.dataId) / 4;
  let d = backend.getMemoryOffset(pT.dataId) / 4;
  const rowLen = ow * nb; // one output row y of one Pᵀ row: (x, b)
  const srcRow = w * nb; // one input row of one channel plane of xT
  for (let kh = 0; kh < fH; kh++) {
    for (let kw = 0; kw < fW; kw++) {
      // Output columns x whose input column x·sW + kw − left lies inside [0, w).
      const x0 = Math.min(ow, Math.max(0, Math.ceil((left - kw) / sW)));
      const x1 = Math.max(x0, Math.min(ow, Math.floor((w - 1 + left - kw) / sW) + 1));
      for (let ci = 0; ci < c; ci++) {
        const plane = src + ci * h * srcRow;
        for (let y = 0; y < oh; y++, d += rowLen) {
          const iy = y * sH + kh - top;
          if (iy < 0 || iy >= h || x1 === x0) {
            heap.fill(0, d, d + rowLen);
            continue;
          }
          if (x0 > 0) heap.fill(0, d, d + x0 * nb);
          if (x1 < ow) heap.fill(0, d + x1 * nb, d + rowLen);
          const rowStart = plane + iy * srcRow;
          if (sW === 1) {
            const from = rowStart + (x0 + kw - left) * nb;
            heap.copyWithin(d + x0 * nb, from, from + (x1 - x0) * nb);
          } else {
            for (let x = x0; x < x1; x++) {
              const from = rowStart + (x * sW + kw - left) * nb;
              heap.copyWithin(d + x * nb, from, from + nb);
            }
          }
        }
      }
    }
  }
}

export const wasmConv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: BACKEND,
  kernelFunc: wasmConv2DBackpropFilter,
};

/**
 * Registers the kernel for the 'wasm' backend. Idempotent: a second call (or a wasm backend that
 * one day ships its own kernel) leaves the registry alone instead of re-registering, which tfjs
 * would log as a warning. May be called before or after the wasm backend is initialized; the
 * kernel looks its helper kernels up when it runs.
 */
export function registerWasmConv2DBackpropFilter(): void {
  if (getKernel(Conv2DBackpropFilter, BACKEND) != null) return;
  registerKernel(wasmConv2DBackpropFilterConfig);
}
