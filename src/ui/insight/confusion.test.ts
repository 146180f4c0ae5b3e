import { describe, expect, it } from 'vitest';
import { cellShade, matrixTotal, perClassAccuracy, rowTotals } from './confusion';

/** Digit d: 10 images, d of them taken for (d + 1) % 10; digit 9 has none. */
function sampleMatrix(): number[] {
  const m = new Array<number>(100).fill(0);
  for (let d = 0; d < 9; d++) {
    m[11 * d] = 10 - d;
    m[10 * d + ((d + 1) % 10)] = d;
  }
  return m;
}

describe('confusion matrix arithmetic', () => {
  it('sums rows and the whole matrix', () => {
    expect(rowTotals(sampleMatrix())).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 0]);
    expect(matrixTotal(sampleMatrix())).toBe(90);
  });

  it('gives per-class accuracy as the diagonal over the row, null for an absent digit', () => {
    expect(perClassAccuracy(sampleMatrix())).toEqual([100, 90, 80, 70, 60, 50, 40, 30, 20, null]);
  });

  it('shades the diagonal by its share and keeps rare mistakes visible', () => {
    const m = sampleMatrix();
    expect(cellShade(m, 2, 2)).toBeCloseTo(0.8);
    expect(cellShade(m, 1, 2)).toBeCloseTo(Math.sqrt(0.1) * 1.5);
    expect(cellShade(m, 0, 5)).toBe(0);
    expect(cellShade(m, 9, 9)).toBe(0);
    expect(cellShade(m, 8, 9)).toBe(1); // 0.8 share, capped
  });
});
