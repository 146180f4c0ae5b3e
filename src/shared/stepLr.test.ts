import { describe, expect, it } from 'vitest';
import { stepLrRate } from './stepLr';

describe('stepLrRate', () => {
  it("reproduces the seed's schedule (step 7, gamma 0.5) epoch by epoch", () => {
    const rates = Array.from({ length: 10 }, (_, e) => stepLrRate(1e-3, e, 7, 0.5));
    expect(rates.slice(0, 7)).toEqual(Array(7).fill(1e-3));
    expect(rates.slice(7)).toEqual([5e-4, 5e-4, 5e-4]);
  });

  it('decays once per completed step period', () => {
    expect(stepLrRate(0.1, 0, 2, 0.1)).toBeCloseTo(0.1, 12);
    expect(stepLrRate(0.1, 1, 2, 0.1)).toBeCloseTo(0.1, 12);
    expect(stepLrRate(0.1, 2, 2, 0.1)).toBeCloseTo(0.01, 12);
    expect(stepLrRate(0.1, 5, 2, 0.1)).toBeCloseTo(0.001, 12);
  });

  it('keeps the base rate with gamma 1', () => {
    expect(stepLrRate(3e-4, 49, 1, 1)).toBe(3e-4);
  });
});
