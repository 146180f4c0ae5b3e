/**
 * PyTorch's StepLR, stepped once per epoch: the rate used in epoch e (0-based) is
 * base · γ^⌊e / stepSize⌋. With the seed's step 7 and γ 0.5, epochs 1–7 use 1e-3 and epochs 8–10 use 5e-4.
 */
export function stepLrRate(baseLr: number, epochIndex: number, stepSize: number, gamma: number): number {
  return baseLr * gamma ** Math.floor(epochIndex / stepSize);
}
