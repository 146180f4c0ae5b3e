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
 * How: im2col + one matrix product, built only from the wasm backend's own kernels.
 *   1. PadV2: pad x once, top/left by padInfo and bottom/right just enough for the last window.
 *   2. For each of the K = fH·fW filter taps (kh, kw): a (strided) slice of the padded x gives
 *      the input pixel every output position sees through that tap, [b, outH, outW, inC], which
 *      read flat is a [N, inC] matrix with N = b·outH·outW.
 *   3. Concat the K slices along a new leading axis: [K, N, inC]. Concatenating along axis 0 is
 *      K plain block copies; concatenating along the last axis (the textbook [N, K·inC] patch
 *      matrix) makes the wasm Concat kernel (JavaScript) copy N·K tiny runs of inC floats, which is
 *      far slower for small inC (inC = 1 on the first layer).
 *   4. Transpose [K, N, inC] → [K, inC, N] (skipped when inC = 1, where it is a no-op). Read as a
 *      matrix this is Pᵀ, [K·inC, N], rows in the filter's own (kh, kw, ci) order.
 *   5. BatchMatMul Pᵀ · dY, with dY read as [N, outC], → [K·inC, outC], which read flat is
 *      exactly dW with shape [fH, fW, inC, outC]; no transpose of the result.
 *
 * Why materialize Pᵀ instead of multiplying with `transposeA: true`: the wasm BatchMatMul sends
 * only the untransposed, batch-1 case to XNNPACK's SIMD GEMM; any transpose flag falls back to a
 * plain scalar triple loop in C++ (tfjs-backend-wasm/src/cc/batch_mat_mul_impl.cc), which for the
 * SimpleCNN's second and third layers (~0.46 GMAC each at batch 128) took ~520-560 ms against
 * ~36-43 ms for the XNNPACK product, far more than the one extra copy the Transpose costs
 * (~6-20 ms). The test file's benchmark block (WASM_KERNEL_BENCH=1) times both.
 *
 * Why a private copy of dY for the product: XNNPACK's fully-connected operator packs the second
 * operand ("weights") and tfjs caches that operator keyed only by the operand's tensor id (not
 * its shape) until that tensor is disposed. Handing the caller's dy in directly would hang packed
 * weights (N·outC floats) on a tensor we do not own and could be served to an unrelated later
 * matMul that uses the same dy as its second operand under another 2-D shape. A copy we create
 * and dispose inside this call costs one memcpy and keeps the cache entry's life inside the call.
 *
 * Where the time goes (Node 20, SIMD, 1 thread; SimpleCNN conv2 at batch 128, ~100-125 ms on a
 * quiet 2-core machine): ~35-40 % in the K Slice calls (the JavaScript Slice kernel copies its
 * whole input out of the wasm heap with readSync on every call, before copying the rows), ~40 % in
 * the GEMM (including XNNPACK packing dY), ~20 % in the Transpose, little in Pad/Concat. A
 * hand-written im2col straight into the heap in Pᵀ layout (no readSync, no Concat, no Pad, no
 * Transpose) is the obvious next step.
 */
import {
  BatchMatMul,
  Concat,
  Conv2DBackpropFilter,
  Fill,
  PadV2,
  Slice,
  StridedSlice,
  Transpose,
  Identity,
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
  NamedAttrMap,
  TensorInfo,
} from '@tensorflow/tfjs';

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
 *   - return the product's buffer under a view with the filter's shape, which hands its one
 *     reference to the engine.
 * A try/finally releases whatever is still owned if any step throws.
 */

/** Calls another registered wasm kernel directly, bypassing the engine (no tensors, no tape). */
function runWasmKernel(
  kernelName: string,
  inputs: Record<string, TensorInfo> | TensorInfo[],
  backend: KernelBackend,
  attrs: NamedAttrMap,
): TensorInfo {
  const kernel = getKernel(kernelName, BACKEND);
  if (kernel == null) {
    throw new Error(`wasmConv2DBackpropFilter needs the wasm kernel '${kernelName}', which is not registered`);
  }
  // Concat takes its inputs as an array; KernelFunc's type says a map, the wasm kernel reads an array.
  const out = kernel.kernelFunc({ inputs: inputs as Record<string, TensorInfo>, backend, attrs });
  if (Array.isArray(out)) {
    throw new Error(`wasm kernel '${kernelName}' returned ${out.length} outputs, expected one`);
  }
  return out;
}

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
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    outChannels,
    strideHeight: sH,
    strideWidth: sW,
    filterHeight: fH,
    filterWidth: fW,
    padInfo,
  } = convInfo;
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
  const taps = fH * fW;
  const rows = taps * inChannels; // rows of Pᵀ: the filter's (kh, kw, ci) flattened
  const n = batchSize * outHeight * outWidth; // columns of Pᵀ: every output position

  if (n === 0 || rows === 0 || outChannels === 0) {
    // Nothing to sum over: the gradient is all zeros (and XNNPACK rejects empty operands).
    return runWasmKernel(Fill, {}, backend, { shape: outShape, value: 0, dtype: 'float32' });
  }

  const owned = new Set<TensorInfo>();
  const own = (info: TensorInfo): TensorInfo => {
    owned.add(info);
    return info;
  };
  const release = (info: TensorInfo): void => {
    if (owned.delete(info)) backend.disposeData(info.dataId);
  };

  try {
    // 1. Pad once. The last window of tap (kh, kw) reads padded rows up to
    //    (outH - 1)·sH + fH - 1, so pad the bottom/right just that far (which equals padInfo's
    //    bottom/right for 'same' and explicit pads, and is never more than x plus padInfo).
    //    Rows x has beyond that are never read, and no padding is needed at all for 'valid'.
    const top = padInfo.top;
    const left = padInfo.left;
    const bottom = Math.max(0, (outHeight - 1) * sH + fH - top - inHeight);
    const right = Math.max(0, (outWidth - 1) * sW + fW - left - inWidth);
    let xp = x; // borrowed unless we pad
    if (top > 0 || bottom > 0 || left > 0 || right > 0) {
      xp = own(
        runWasmKernel(PadV2, { x }, backend, {
          paddings: [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ],
          constantValue: 0,
        }),
      );
    }
    const [, hp, wp] = xp.shape as [number, number, number, number];

    // 2. One slice per tap. With sW = 1 a window row is one contiguous run of outW·inC floats,
    //    so slice a rank-3 view [b, Hp, Wp·inC]: the JavaScript Slice kernel then copies b·outH
    //    runs instead of b·outH·outW runs of inC floats. Strided cases need StridedSlice, whose
    //    C++ loop is correct but slow (~0.2 µs per element measured); the SimpleCNN has stride 1.
    const spanH = (outHeight - 1) * sH + 1;
    const spanW = (outWidth - 1) * sW + 1;
    const xp3 = view(xp, [batchSize, hp, wp * inChannels]);
    const noMasks = { beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 };
    const slices: TensorInfo[] = [];
    for (let kh = 0; kh < fH; kh++) {
      for (let kw = 0; kw < fW; kw++) {
        let s: TensorInfo;
        if (sW === 1 && sH === 1) {
          s = runWasmKernel(Slice, { x: xp3 }, backend, {
            begin: [0, kh, kw * inChannels],
            size: [batchSize, outHeight, outWidth * inChannels],
          });
        } else if (sW === 1) {
          s = runWasmKernel(StridedSlice, { x: xp3 }, backend, {
            begin: [0, kh, kw * inChannels],
            end: [batchSize, kh + spanH, (kw + outWidth) * inChannels],
            strides: [1, sH, 1],
            ...noMasks,
          });
        } else {
          s = runWasmKernel(StridedSlice, { x: xp }, backend, {
            begin: [0, kh, kw, 0],
            end: [batchSize, kh + spanH, kw + spanW, inChannels],
            strides: [1, sH, sW, 1],
            ...noMasks,
          });
        }
        slices.push(own(s));
      }
    }
    if (xp !== x) release(xp);

    // 3. [K, N, inC] by K block copies.
    const q = own(
      runWasmKernel(
        Concat,
        slices.map((s) => view(s, [1, n, inChannels])),
        backend,
        { axis: 0 },
      ),
    );
    for (const s of slices) release(s);

    // 4. Pᵀ = [K, inC, N] read as [K·inC, N].
    let pT = q;
    if (inChannels > 1) {
      pT = own(runWasmKernel(Transpose, { x: view(q, [taps, n, inChannels]) }, backend, { perm: [0, 2, 1] }));
      release(q);
    }

    // 5. dW = Pᵀ · dY on XNNPACK's GEMM (untransposed, batch 1), dY as a private copy (see top;
    //    for an oversized dy, the copy is its leading outH × outW block).
    const dyCopy = own(
      dyH === outHeight && dyW === outWidth
        ? runWasmKernel(Identity, { x: dy }, backend, {})
        : runWasmKernel(Slice, { x: dy }, backend, {
            begin: [0, 0, 0, 0],
            size: [batchSize, outHeight, outWidth, outChannels],
          }),
    );
    const product = own(
      runWasmKernel(
        BatchMatMul,
        { a: view(pT, [1, rows, n]), b: view(dyCopy, [1, n, outChannels]) },
        backend,
        { transposeA: false, transposeB: false },
      ),
    );
    release(pT);
    release(dyCopy);

    // Hand the product's single reference to the engine under the filter's shape.
    owned.delete(product);
    return view(product, outShape);
  } finally {
    for (const info of owned) backend.disposeData(info.dataId);
    owned.clear();
  }
};

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
