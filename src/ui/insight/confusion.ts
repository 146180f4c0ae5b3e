/** Pure arithmetic on a 10×10 confusion matrix (`confusion[10 * label + predicted]`). */

export const DIGITS = Array.from({ length: 10 }, (_, d) => d);

export function cellCount(confusion: readonly number[], label: number, predicted: number): number {
  return confusion[10 * label + predicted];
}

/** Test images of each true digit (the row sums). */
export function rowTotals(confusion: readonly number[]): number[] {
  return DIGITS.map((label) => DIGITS.reduce((sum, predicted) => sum + cellCount(confusion, label, predicted), 0));
}

export function matrixTotal(confusion: readonly number[]): number {
  return confusion.reduce((a, b) => a + b, 0);
}

/** Percent of each true digit classified correctly; null for a digit with no test images. */
export function perClassAccuracy(confusion: readonly number[]): (number | null)[] {
  const totals = rowTotals(confusion);
  return DIGITS.map((d) => (totals[d] > 0 ? (100 * cellCount(confusion, d, d)) / totals[d] : null));
}

/**
 * How strongly to shade a cell, 0–1: its share of the true digit's row. Mistakes are rare (a few in a
 * thousand), so off-diagonal cells take the square root of their share to stay visible beside the diagonal.
 */
export function cellShade(confusion: readonly number[], label: number, predicted: number): number {
  const total = rowTotals(confusion)[label];
  if (total === 0) return 0;
  const share = cellCount(confusion, label, predicted) / total;
  return label === predicted ? share : Math.min(1, Math.sqrt(share) * 1.5);
}
