/**
 * A faster `MaxPoolGrad` kernel for the tfjs wasm backend.
 *
 * Why: tfjs-backend-wasm 4.22.0's MaxPoolGrad (src/cc/kernels/MaxPoolGrad.cc, through
 * pool3d_impl.h's generic NDHWC pool-gradient loop) took ~127 ms CPU of a ~600 ms SimpleCNN
 * training step at batch 128 (74 ms for the first layer's [128,28,28,32] alone, ~23 ns per dx
 * element). It also differs from tfjs's cpu kernel (and from PyTorch) on ties: it starts each
 * window's maximum at FLT_MIN (the smallest positive float, not −∞) and lets a later equal value
 * win (`>=`), so windows with no value above 1.2e-38 send their gradient nowhere and ties go to the
 * last position; cpu and PyTorch pick the first maximum.
 *
 * What it computes: exactly tfjs-backend-cpu's MaxPoolGrad: for every pooling window
 * (`backend_util.computePool2DInfo`, the same call, so filter size, strides, 'same' / 'valid' /
 * numeric padding and dimRoundingMode mean the same), the first position (row-major within the
 * window, padding skipped) holding a value greater than all before it, starting from −∞, receives
 * the window's dy; windows that overlap add up, in window order. NaN never wins (as on cpu).
 *
 * How: a JavaScript loop straight over the wasm heap (no copies): zero dx, then for each window,
 * for each channel, find the argmax and add dy there. 2×2 windows with stride ≥ 2 get an unrolled,
 * branch-free loop that finds the first cell equal to the window's maximum, read from the forward
 * pass's `output` (recomputing it with Math.max cost twice the time), and writes all four cells, so
 * a map tiled by its windows needs no zeroing; ~10 ms CPU for the SimpleCNN's first layer (vs 74 ms).
 *
 * Memory rules as in wasmConv2DBackpropFilter.ts: inputs borrowed, the output allocated with the
 * backend's makeOutput (one reference, handed to the engine), the heap view taken after the last
 * allocation. Non-float32 inputs go to the kernel registered before this one.
 */
import { MaxPoolGrad, backend_util } from '@tensorflow/tfjs';
import type { KernelBackend, KernelFunc, MaxPoolGradAttrs, MaxPoolGradInputs } from '@tensorflow/tfjs';
import { poolGrad2x2Kernel } from './simd/poolGradKernel';
import { wasmMemory, type WasmBackendInternals } from './wasmBackendAccess';
import { wasmKernelReplacement } from './kernelReplacement';

const wasmMaxPoolGrad: KernelFunc = (args) => {
  const { inputs, backend: anyBackend, attrs } = args;
  const backend = anyBackend as unknown as KernelBackend & WasmBackendInternals;
  const { dy, input, output } = inputs as MaxPoolGradInputs;
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  if (dy == null || input == null || output == null) throw new Error('MaxPoolGrad (wasm): inputs dy, input and output are required');
  if (dy.dtype !== 'float32' || input.dtype !== 'float32' || output.dtype !== 'float32' || input.shape.length !== 4) {
    return replacement.fallback(args);
  }
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1 /* dilations */,
    pad,
    dimRoundingMode,
  );
  const { batchSize: nb, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sH, strideWidth: sW, effectiveFilterHeight: fH, effectiveFilterWidth: fW } = info;
  const { top, left } = info.padInfo;
  for (const [name, t] of [['dy', dy], ['output', output]] as const) {
    if (t.shape[1] !== oh || t.shape[2] !== ow || t.shape[0] !== nb || t.shape[3] !== c) {
      throw new Error(`MaxPoolGrad (wasm): ${name} has shape [${t.shape}], expected [${[nb, oh, ow, c]}]`);
    }
  }

  const dx = backend.makeOutput([...input.shape], 'float32');
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer); // after the last allocation
  const xo = backend.getMemoryOffset(input.dataId) / 4;
  const dyo = backend.getMemoryOffset(dy.dataId) / 4;
  const yo = backend.getMemoryOffset(output.dataId) / 4;
  const dxo = backend.getMemoryOffset(dx.dataId) / 4;

  const image = h * w * c;
  const rowStride = w * c;
  // Windows that cannot overlap (stride ≥ filter) each own their dx cells, so a plain store is
  // the same as cpu's sum; the common 2×2 / stride 2 case gets an unrolled loop that writes all
  // four cells of each window, so dx needs zeroing only where no window reaches.
  const disjoint = sH >= fH && sW >= fW;
  const tiled = disjoint && fH === 2 && fW === 2 && sH === 2 && sW === 2 && top === 0 && left === 0 && oh * 2 === h && ow * 2 === w;
  // The tiled case four channels at a time (simd/poolGradKernel.ts), when it has no ties to −∞, NaN
  // or non-finite dy to settle by cpu's scalar rules below (then it returns 1 and they redo it all).
  const memory = tiled && c % 4 === 0 && nb * oh * ow > 0 ? wasmMemory(backend) : null;
  if (memory !== null && poolGrad2x2Kernel(memory)(xo * 4, yo * 4, dyo * 4, dxo * 4, nb * oh, ow, c) === 0) return dx;
  if (!tiled) heap.fill(0, dxo, dxo + nb * h * w * c);
  for (let b = 0; b < nb; b++) {
    const xb = xo + b * image;
    const dxb = dxo + b * image;
    for (let oy = 0; oy < oh; oy++) {
      const yCorner = oy * sH - top;
      const y0 = Math.max(0, yCorner);
      const y1 = Math.min(h, yCorner + fH);
      for (let ox = 0; ox < ow; ox++) {
        const xCorner = ox * sW - left;
        const x0 = Math.max(0, xCorner);
        const x1 = Math.min(w, xCorner + fW);
        const dyAt = dyo + ((b * oh + oy) * ow + ox) * c;
        const yAt = yo + ((b * oh + oy) * ow + ox) * c;
        if (disjoint && fH === 2 && fW === 2 && y1 - y0 === 2 && x1 - x0 === 2) {
          const p0 = (y0 * w + x0) * c;
          const p1 = p0 + c;
          const p2 = p0 + rowStride;
          const p3 = p2 + c;
          for (let ch = 0; ch < c; ch++) {
            const v0 = heap[xb + p0 + ch]!;
            const v1 = heap[xb + p1 + ch]!;
            const v2 = heap[xb + p2 + ch]!;
            const v3 = heap[xb + p3 + ch]!;
            const g = heap[dyAt + ch]!;
            const largest = heap[yAt + ch]!; // the forward pass's maximum of this window
            // The first cell equal to the maximum, picked by arithmetic rather than branches: which
            // cell wins is noise to a branch predictor (max pooling before ReLU, see specNetwork.ts).
            // `+ 0` turns −0 into cpu's +0.
            const is0 = +(v0 === largest);
            const is1 = (1 - is0) * +(v1 === largest);
            const is2 = (1 - is0 - is1) * +(v2 === largest);
            const is3 = (1 - is0 - is1 - is2) * +(v3 === largest);
            if (is0 + is1 + is2 + is3 === 1 && largest > -Infinity && g - g === 0) {
              heap[dxb + p0 + ch] = g * is0 + 0;
              heap[dxb + p1 + ch] = g * is1 + 0;
              heap[dxb + p2 + ch] = g * is2 + 0;
              heap[dxb + p3 + ch] = g * is3 + 0;
              continue;
            }
            // A NaN or −∞ maximum, a non-finite dy, or an `output` that is not this window's maximum:
            // cpu's rule, branch by branch.
            heap[dxb + p0 + ch] = 0;
            heap[dxb + p1 + ch] = 0;
            heap[dxb + p2 + ch] = 0;
            heap[dxb + p3 + ch] = 0;
            // Strictly greater than everything before it, starting from −∞ (cpu's rule).
            let best = heap[xb + p0 + ch]!;
            let at = best > -Infinity ? p0 + ch : -1;
            if (at < 0) best = -Infinity;
            let v = heap[xb + p1 + ch]!;
            if (v > best) {
              best = v;
              at = p1 + ch;
            }
            v = heap[xb + p2 + ch]!;
            if (v > best) {
              best = v;
              at = p2 + ch;
            }
            v = heap[xb + p3 + ch]!;
            if (v > best) at = p3 + ch;
            if (at >= 0) heap[dxb + at] = heap[dyAt + ch]!;
          }
          continue;
        }
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = -1; // offset within the image, or −1 when no value beat −∞
          for (let y = y0; y < y1; y++) {
            for (let x = x0; x < x1; x++) {
              const o = (y * w + x) * c + ch;
              const v = heap[xb + o]!;
              if (v > best) {
                best = v;
                at = o;
              }
            }
          }
          if (at >= 0) heap[dxb + at] += heap[dyAt + ch]!;
        }
      }
    }
  }
  return dx;
};

const replacement = wasmKernelReplacement(MaxPoolGrad, wasmMaxPoolGrad);
export const wasmMaxPoolGradConfig = replacement.config;
/** Replaces the wasm backend's MaxPoolGrad, keeping it as the fallback. Idempotent and silent. */
export const registerWasmMaxPoolGrad = replacement.register;
export const unregisterWasmMaxPoolGrad = replacement.unregister;
