/**
 * TensorBoard's scalar smoothing: a debiased exponential moving average. The plain EMA starts at 0 and
 * so drags the first values towards 0; dividing by `1 - weight^n` (n = finite values seen so far)
 * removes that bias, so the first smoothed value equals the first raw value.
 */

/**
 * Smoothed copy of `values`, same length. `weight` in [0, 1): 0 is no smoothing, higher is smoother
 * (0.9 suits noisy per-batch losses; TensorBoard's slider starts at 0.6). Clamped to [0, 0.999];
 * NaN means the default.
 * Non-finite values (NaN, ±Infinity) pass through unchanged and do not enter the average, so one
 * diverged batch leaves a hole rather than poisoning the rest of the curve. A constant series comes
 * back exactly constant (no rounding wobble), as in TensorBoard.
 */
export function smoothLoss(values: readonly number[], weight = 0.9): number[] {
  const w = Number.isNaN(weight) ? 0.9 : Math.min(Math.max(weight, 0), 0.999);
  let first: number | undefined;
  let constant = true;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (first === undefined) first = v;
    else if (v !== first) {
      constant = false;
      break;
    }
  }
  let last = 0;
  let seen = 0;
  return values.map((v) => {
    if (!Number.isFinite(v) || constant) return v;
    last = last * w + (1 - w) * v;
    seen++;
    return last / (1 - w ** seen);
  });
}
