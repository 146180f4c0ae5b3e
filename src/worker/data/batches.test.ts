import { describe, expect, it } from 'vitest';
import { IMAGE_SIZE, NORMALIZED_PIXEL, batchCount, gatherImages, gatherLabels, normalizeIntensities, sequentialOrder } from './batches';

describe('normalization', () => {
  it('is (pixel/255 − 0.1307) / 0.3081', () => {
    expect(NORMALIZED_PIXEL[0]).toBeCloseTo(-0.1307 / 0.3081, 6);
    expect(NORMALIZED_PIXEL[255]).toBeCloseTo((1 - 0.1307) / 0.3081, 6);
    expect(NORMALIZED_PIXEL[128]).toBeCloseTo((128 / 255 - 0.1307) / 0.3081, 6);
  });
});

describe('normalizeIntensities', () => {
  it('maps k/255 exactly where the training images map pixel k', () => {
    const intensities = Float32Array.from([0, 128, 255], (k) => Math.fround(k / 255));
    expect(Array.from(normalizeIntensities(intensities))).toEqual([NORMALIZED_PIXEL[0], NORMALIZED_PIXEL[128], NORMALIZED_PIXEL[255]]);
  });
});

describe('gatherImages / gatherLabels', () => {
  const images = new Uint8Array(3 * IMAGE_SIZE);
  images.fill(0, 0, IMAGE_SIZE);
  images.fill(255, IMAGE_SIZE, 2 * IMAGE_SIZE);
  images.fill(128, 2 * IMAGE_SIZE);
  const labels = Uint8Array.from([7, 2, 9]);

  it('follows the given order and range', () => {
    const batch = gatherImages(images, [2, 0, 1], 1, 3);
    expect(batch.length).toBe(2 * IMAGE_SIZE);
    expect(batch[0]).toBe(NORMALIZED_PIXEL[0]);
    expect(batch[IMAGE_SIZE + 5]).toBe(NORMALIZED_PIXEL[255]);
    expect(Array.from(gatherLabels(labels, [2, 0, 1], 0, 3))).toEqual([9, 7, 2]);
  });

  it('writes into a given array of the right length, and refuses one of another', () => {
    const into = new Float32Array(2 * IMAGE_SIZE);
    expect(gatherImages(images, [2, 0, 1], 1, 3, into)).toBe(into);
    expect(into).toEqual(gatherImages(images, [2, 0, 1], 1, 3));
    expect(() => gatherImages(images, [2, 0, 1], 0, 3, into)).toThrow('3 images into an array of 1568 values');
  });

  it('covers the sequential order', () => {
    expect(Array.from(sequentialOrder(4))).toEqual([0, 1, 2, 3]);
  });
});

describe('batchCount', () => {
  it('keeps the last partial batch, as DataLoader does', () => {
    expect(batchCount(60000, 128)).toBe(469);
    expect(batchCount(256, 128)).toBe(2);
    expect(batchCount(1, 128)).toBe(1);
  });
});
