/**
 * The GPU filter gradient's plan: how the batch is cut into splits and im2col passes. (The kernels
 * themselves run only in a browser's WebGPU / WebGL: e2e/gpuKernels.webgpu.spec.ts checks them.)
 */
import { describe, expect, it } from 'vitest';
import { MAX_IM2COL_FLOATS, planIm2ColPasses, splitCount } from './gpuConv2DBackpropFilter';

describe('splitCount', () => {
  it('takes the fewest splits that divide the batch and reach the target', () => {
    expect(splitCount(128, 4608, 16384)).toBe(4); // 3 would reach it but does not divide 128
    expect(splitCount(128, 20000, 16384)).toBe(1);
    expect(splitCount(12, 1000, 5000)).toBe(6); // 5 does not divide 12
  });

  it('stops at one split per image', () => {
    expect(splitCount(7, 100, 16384)).toBe(7);
    expect(splitCount(1, 100)).toBe(1);
  });

  it("gives the SimpleCNN's convolutions at batch 128 enough threads (tfjs-webgl: 2 × 2 outputs each)", () => {
    const threads = (taps: number, outChannels: number) => Math.ceil(taps / 2) * Math.ceil(outChannels / 2);
    expect(splitCount(128, threads(9, 32))).toBe(128);
    expect(splitCount(128, threads(288, 64))).toBe(4);
    expect(splitCount(128, threads(576, 128))).toBe(1);
  });
});

describe('planIm2ColPasses', () => {
  it('runs the SimpleCNN at batch 128 in one pass per convolution', () => {
    for (const [positions, taps] of [[784, 9], [196, 288], [49, 576]]) {
      const passes = planIm2ColPasses({ batchSize: 128, positionsPerImage: positions, patchSize: taps, threadsPerSplit: 16384 });
      expect(passes).toEqual([{ firstImage: 0, images: 128, outputShape: [1, 128 * positions, taps] }]);
    }
    expect(MAX_IM2COL_FLOATS).toBeGreaterThanOrEqual(128 * 196 * 288);
  });

  it('cuts a batch whose patches exceed the bound into equal passes, a smaller last one, each within the bound', () => {
    // 100 floats per image, at most 350 per pass: 3 images fit, so 4 passes of 3 (the last of 1).
    const passes = planIm2ColPasses({ batchSize: 10, positionsPerImage: 10, patchSize: 10, threadsPerSplit: 1, maxIm2ColFloats: 350, targetThreads: 2 });
    expect(passes.map((p) => [p.firstImage, p.images])).toEqual([[0, 3], [3, 3], [6, 3], [9, 1]]);
    for (const { images, outputShape: [splits, rows, taps] } of passes) {
      expect(splits * rows).toBe(images * 10); // every position of the pass's images, once
      expect(taps).toBe(10);
      expect(splits * rows * taps).toBeLessThanOrEqual(350);
    }
    expect(passes.map((p) => p.outputShape[0])).toEqual([3, 3, 3, 1]); // 2 threads wanted: 3 images → 3 splits
  });

  it('gives an image that alone exceeds the bound a pass of its own', () => {
    const passes = planIm2ColPasses({ batchSize: 3, positionsPerImage: 100, patchSize: 100, threadsPerSplit: 1, maxIm2ColFloats: 50 });
    expect(passes.map((p) => p.images)).toEqual([1, 1, 1]);
  });
});
