/**
 * A `Conv2D` kernel for the tfjs wasm backend on the heap GEMM (simd/heapGemm.ts), without an im2col copy.
 *
 * Why: tfjs-backend-wasm 4.22's Conv2D runs XNNPACK's SIMD convolution, which is built without relaxed
 * SIMD: a multiply and an add per product where the CPU has a fused multiply-add. The forward convolutions
 * and, through Conv2DBackpropInput (wasmConv2DBackpropInput.ts, which is a Conv2D of dy with the rotated
 * filter), two of the backward ones are about half of a SimpleCNN training step.
 *
 * How (NHWC; any strides, dilations and padding computeConv2DInfo accepts): the output, read as
 * [b·outH·outW, outC], is P · W, where P's row for output position (b, y, x) is the fH·fW input pixels
 * its window covers, inC floats each, and W is the filter read as [fH·fW·inC, outC] — exactly the
 * filter's own layout. Each input pixel's inC floats are already contiguous in x, so P is never
 * materialized: a table of fH·fW addresses per output position (the pixel in x, or a run of inC zeros
 * for a tap in the padding) is what the indirect kernel reads its rows through. The table costs one i32
 * per tap and position (450 KB for conv2 at batch 64) against inC floats per tap for im2col.
 *
 * Left to the previous kernel (XNNPACK): fewer than MIN_IN_CHANNELS input channels (the first layer:
 * one float per tap, so the table is walked for every product — at batch 128, 7.7 ms on the table
 * against XNNPACK's 5.5 ms), output
 * channel counts that are not a multiple of 4, anything but float32 NHWC, and empty tensors.
 *
 * Memory: the table, the zero run and the output are allocated with the backend's makeOutput and
 * owned as in wasmConv2DBackpropFilter.ts (inputs borrowed, the output's one reference handed over);
 * the heap views are taken after the last allocation.
 */
import { Conv2D, backend_util } from '@tensorflow/tfjs';
import type { Conv2DAttrs, Conv2DInputs, KernelBackend, KernelFunc } from '@tensorflow/tfjs';
import { supportsColumns } from './simd/heapGemm';
import { wasmKernelReplacement } from './kernelReplacement';
import { OwnedBuffers, wasmBackend, wasmHeapGemm } from './wasmBackendAccess';

/** Input channels from which the table-driven product beats XNNPACK (see the comment above). */
const MIN_IN_CHANNELS = 4;

const wasmConv2D: KernelFunc = (args) => {
  const { inputs, backend: anyBackend, attrs } = args;
  const backend = anyBackend as KernelBackend;
  const { x, filter } = inputs as Conv2DInputs;
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as Conv2DAttrs;
  if (x == null || filter == null) throw new Error('Conv2D (wasm): inputs x and filter are required');
  if (
    x.dtype !== 'float32' ||
    filter.dtype !== 'float32' ||
    x.shape.length !== 4 ||
    filter.shape.length !== 4 ||
    backend_util.convertConv2DDataFormat(dataFormat) !== 'channelsLast'
  ) {
    return replacement.fallback(args);
  }
  const convInfo = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false /* depthwise */,
    'channelsLast',
  );
  const { batchSize, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = convInfo;
  const positions = batchSize * outHeight * outWidth;
  const taps = filterHeight * filterWidth;
  if (inChannels < MIN_IN_CHANNELS || !supportsColumns(outChannels) || positions === 0 || taps === 0) {
    return replacement.fallback(args);
  }
  const wasm = wasmBackend(backend, Conv2D);
  const gemm = wasmHeapGemm(wasm);
  if (gemm === null) return replacement.fallback(args);

  const buffers = new OwnedBuffers(backend);
  try {
    const table = buffers.own(wasm.makeOutput([positions * taps], 'float32')); // i32 entries, same size
    const zeros = buffers.own(wasm.makeOutput([inChannels], 'float32'));
    const out = buffers.own(wasm.makeOutput([batchSize, outHeight, outWidth, outChannels], 'float32'));
    const zerosAt = wasm.getMemoryOffset(zeros.dataId);
    new Float32Array(wasm.wasm.HEAPU8.buffer, zerosAt, inChannels).fill(0);
    fillTapTable(
      new Int32Array(wasm.wasm.HEAPU8.buffer, wasm.getMemoryOffset(table.dataId), positions * taps),
      wasm.getMemoryOffset(x.dataId),
      zerosAt,
      convInfo,
    );
    gemm.multiplyIndirect({
      table: wasm.getMemoryOffset(table.dataId),
      taps,
      b: wasm.getMemoryOffset(filter.dataId),
      c: wasm.getMemoryOffset(out.dataId),
      m: positions,
      k: inChannels,
      n: outChannels,
    });
    return buffers.handOver(out);
  } finally {
    buffers.releaseAll();
  }
};

/**
 * For every output position (b, y, x) and tap (kh, kw), in that order, the byte address of input
 * pixel (b, y·sH + kh·dH − top, x·sW + kw·dW − left) in x, or `zerosAt` when it lies in the padding.
 * Exported for tests.
 */
export function fillTapTable(table: Int32Array, xAt: number, zerosAt: number, convInfo: backend_util.Conv2DInfo): void {
  const {
    batchSize, inHeight, inWidth, inChannels, outHeight, outWidth,
    strideHeight, strideWidth, dilationHeight, dilationWidth, filterHeight, filterWidth, padInfo,
  } = convInfo;
  const pixelBytes = inChannels * 4;
  const rowBytes = inWidth * pixelBytes;
  let e = 0;
  for (let b = 0; b < batchSize; b++) {
    const image = xAt + b * inHeight * rowBytes;
    for (let y = 0; y < outHeight; y++) {
      for (let x = 0; x < outWidth; x++) {
        for (let kh = 0; kh < filterHeight; kh++) {
          const iy = y * strideHeight + kh * dilationHeight - padInfo.top;
          const rowInside = iy >= 0 && iy < inHeight;
          const row = image + iy * rowBytes;
          for (let kw = 0; kw < filterWidth; kw++) {
            const ix = x * strideWidth + kw * dilationWidth - padInfo.left;
            table[e++] = rowInside && ix >= 0 && ix < inWidth ? row + ix * pixelBytes : zerosAt;
          }
        }
      }
    }
  }
}

const replacement = wasmKernelReplacement(Conv2D, wasmConv2D);
export const wasmConv2DConfig = replacement.config;
/** Replaces the wasm backend's Conv2D, keeping it as the fallback. Idempotent and silent. */
export const registerWasmConv2D = replacement.register;
export const unregisterWasmConv2D = replacement.unregister;
