/**
 * A logarithmic slider that also offers zero: weight decay is 0 (off) or 1e-6 … 1e-1, decades apart.
 * Positions below `zeroBelow` (the slider's first notches) mean 0; the rest are 10^position.
 */
export interface LogSliderSpec {
  min: number;
  max: number;
  step: number;
  /** Positions below this are 0; it is log10 of the smallest non-zero value. */
  zeroBelow: number;
}

export const WEIGHT_DECAY_SLIDER: LogSliderSpec = { min: -6.25, max: -1, step: 0.05, zeroBelow: -6 };

export function toLogSlider(value: number, spec: LogSliderSpec): number {
  if (value <= 0) return spec.min;
  return Math.min(spec.max, Math.max(spec.zeroBelow, Math.log10(value)));
}

/** The value at a slider position, to three significant digits (so 10^-4.0000001 reads 1e-4). */
export function fromLogSlider(position: number, spec: LogSliderSpec): number {
  if (position < spec.zeroBelow - 1e-9) return 0;
  return Number((10 ** Math.min(spec.max, position)).toPrecision(3));
}
