import { describe, expect, it } from 'vitest';
import { KERNEL_SIZES, PADDINGS, POOLINGS, SEED_CONV_BLOCK, STRIDES, type ConvBlockSpec } from './archSpec';
import { convPadding } from './convPadding';

/** Output size of a conv with these paddings on an input of `size` cut by `crop`, from the textbook formula. */
const convOutput = (size: number, block: ConvBlockSpec, top: number, bottom: number, crop: number) =>
  Math.floor((size - crop + top + bottom - block.kernel) / block.stride) + 1;

describe('convPadding', () => {
  it("trims the SimpleCNN's conv3 (7×7, of which the pool reads 6×6) by padding 0 at the bottom and right", () => {
    expect(convPadding(SEED_CONV_BLOCK, 7, true)).toEqual({ top: 1, bottom: 0, left: 1, right: 0, cropInput: 0, outputSize: 6 });
    expect(convPadding(SEED_CONV_BLOCK, 7, false)).toEqual({ top: 1, bottom: 1, left: 1, right: 1, cropInput: 0, outputSize: 7 });
    // Even maps are read whole by their pool.
    expect(convPadding(SEED_CONV_BLOCK, 28, true)).toEqual({ top: 1, bottom: 1, left: 1, right: 1, cropInput: 0, outputSize: 28 });
    expect(convPadding(SEED_CONV_BLOCK, 14, true).outputSize).toBe(14);
  });

  it('cuts the input where the padding is narrower than the stride', () => {
    // 'valid' 5×5 on 14: 10 (even, whole); on 13: 9 → 8, one input row cut.
    const valid5: ConvBlockSpec = { ...SEED_CONV_BLOCK, kernel: 5, padding: 'valid' };
    expect(convPadding(valid5, 13, true)).toEqual({ top: 0, bottom: 0, left: 0, right: 0, cropInput: 1, outputSize: 8 });
    // Stride 2, pad 1 on 14: 7 → 6, padding 1 − 2 < 0, so one input row cut.
    const strided: ConvBlockSpec = { ...SEED_CONV_BLOCK, stride: 2 };
    expect(convPadding(strided, 14, true)).toEqual({ top: 1, bottom: 0, left: 1, right: 0, cropInput: 1, outputSize: 6 });
  });

  it('leaves whole the blocks whose whole map matters: BatchNorm (statistics), no pooling, one-pixel maps', () => {
    expect(convPadding({ ...SEED_CONV_BLOCK, batchNorm: true }, 7, true).outputSize).toBe(7);
    expect(convPadding({ ...SEED_CONV_BLOCK, pooling: 'none' }, 7, true).outputSize).toBe(7);
    expect(convPadding({ ...SEED_CONV_BLOCK, padding: 'valid' }, 3, true).outputSize).toBe(1);
  });

  it('for every block and input size: keeps the same windows, exactly those the 2×2 floor pool reads', () => {
    let trimmed = 0;
    for (const kernel of KERNEL_SIZES)
      for (const stride of STRIDES)
        for (const padding of PADDINGS)
          for (const pooling of POOLINGS)
            for (let size = kernel; size <= 28; size++) {
              const block: ConvBlockSpec = { ...SEED_CONV_BLOCK, kernel, stride, padding, pooling };
              const whole = convPadding(block, size, false);
              const cut = convPadding(block, size, true);
              const label = JSON.stringify({ kernel, stride, padding, pooling, size });
              expect(convOutput(size, block, whole.top, whole.bottom, 0), label).toBe(whole.outputSize);
              // The formula agrees with the padding and crop it gives, top-left windows stay where they were
              // (same top padding), and the trimmed size is what the pool reads: 2·⌊n/2⌋.
              expect(convOutput(size, block, cut.top, cut.bottom, cut.cropInput), label).toBe(cut.outputSize);
              expect(cut.top, label).toBe(whole.top);
              expect(cut.bottom, label).toBeGreaterThanOrEqual(0);
              const read = pooling === 'none' || whole.outputSize < 3 ? whole.outputSize : 2 * Math.floor(whole.outputSize / 2);
              expect(cut.outputSize, label).toBe(read);
              // The last kept window lies inside the cut, padded input.
              expect((cut.outputSize - 1) * stride + kernel, label).toBeLessThanOrEqual(size - cut.cropInput + cut.top + cut.bottom);
              if (cut.outputSize < whole.outputSize) trimmed += 1;
            }
    expect(trimmed).toBeGreaterThan(0);
  });
});
