/**
 * The GPU kernels that training a conv net needs faster than tfjs 4.22 ships them: for now the filter
 * gradient, `Conv2DBackpropFilter`, as a matrix product on webgpu and on webgl (./gpuConv2DBackpropFilter).
 * Each replaces the backend's own kernel and falls back to it for arguments it does not handle.
 */
import { Conv2DBackpropFilter } from '@tensorflow/tfjs';
// Registers tfjs-webgpu's kernels before ours replace one (the same import as startBackend's, so no cost):
// a stock kernel registered after ours would overwrite it. (tfjs-webgl's come with @tensorflow/tfjs.)
import '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { gpuConv2DBackpropFilter, im2ColMatMul } from './gpuConv2DBackpropFilter';
import { fusedFilterGradientWebGpu } from './gpuFilterGradientWebGpu';
import { im2ColWebGl, type WebGlBackendAccess } from './gpuIm2ColWebGl';
import { kernelReplacement, type KernelReplacement } from './kernelReplacement';

const webGpuFilterGradient: KernelReplacement = kernelReplacement(
  Conv2DBackpropFilter,
  'webgpu',
  gpuConv2DBackpropFilter<WebGPUBackend>('webgpu', fusedFilterGradientWebGpu, () => webGpuFilterGradient),
);
const webGlFilterGradient: KernelReplacement = kernelReplacement(
  Conv2DBackpropFilter,
  'webgl',
  gpuConv2DBackpropFilter<WebGlBackendAccess>('webgl', im2ColMatMul(im2ColWebGl), () => webGlFilterGradient),
);
const REPLACEMENTS = [webGpuFilterGradient, webGlFilterGradient];

/** Registers them for both backends. Idempotent; callable before or after either backend starts. */
export function registerGpuTrainingKernels(): void {
  for (const replacement of REPLACEMENTS) replacement.register();
}

/** Puts tfjs's own kernels back (benchmarks compare both; a way out should one misbehave). */
export function unregisterGpuTrainingKernels(): void {
  for (const replacement of REPLACEMENTS) replacement.unregister();
}
