import { describe, expect, it } from 'vitest';
import { smoothLoss } from './smoothing';

describe('smoothLoss (debiased EMA)', () => {
  it('returns the same length, and nothing for nothing', () => {
    expect(smoothLoss([])).toEqual([]);
    expect(smoothLoss([1, 2, 3])).toHaveLength(3);
  });

  it('maps a constant series to exactly the constant', () => {
    expect(smoothLoss(Array(50).fill(0.3))).toEqual(Array(50).fill(0.3));
    expect(smoothLoss([2, 2, 2], 0.99)).toEqual([2, 2, 2]);
  });

  it('is unbiased at the first value (no drag towards 0)', () => {
    expect(smoothLoss([2.3, 1, 1])[0]).toBe(2.3);
    expect(smoothLoss([5, 0])[0]).toBe(5);
  });

  it('matches the debiased EMA formula', () => {
    const w = 0.9;
    const values = [2, 1, 0.5, 0.8];
    let ema = 0;
    const expected = values.map((v, i) => {
      ema = w * ema + (1 - w) * v;
      return ema / (1 - w ** (i + 1));
    });
    smoothLoss(values, w).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });

  it('converges monotonically to a step', () => {
    const values = [...Array(10).fill(0), ...Array(200).fill(1)];
    const out = smoothLoss(values, 0.9);
    expect(out.slice(0, 10)).toEqual(Array(10).fill(0));
    for (let i = 11; i < out.length; i++) expect(out[i]).toBeGreaterThanOrEqual(out[i - 1]);
    expect(out[10]).toBeGreaterThan(0);
    expect(out[10]).toBeLessThan(0.5);
    expect(out[out.length - 1]).toBeCloseTo(1, 6);
  });

  it('weight 0 is the identity; more weight is smoother', () => {
    const values = [3, 1, 4, 1, 5, 9, 2, 6];
    expect(smoothLoss(values, 0)).toEqual(values);
    const spread = (xs: number[]) => Math.max(...xs.slice(2)) - Math.min(...xs.slice(2));
    expect(spread(smoothLoss(values, 0.95))).toBeLessThan(spread(smoothLoss(values, 0.5)));
  });

  it('passes NaN and infinities through without poisoning the rest', () => {
    const out = smoothLoss([1, Number.NaN, 1, Number.POSITIVE_INFINITY, 1], 0.9);
    expect(out[1]).toBeNaN();
    expect(out[3]).toBe(Number.POSITIVE_INFINITY);
    expect([out[0], out[2], out[4]]).toEqual([1, 1, 1]);
    const mixed = smoothLoss([2, Number.NaN, 1], 0.5);
    expect(mixed[0]).toBe(2);
    // The NaN does not count as a step: the third value is the second finite one.
    expect(mixed[2]).toBeCloseTo((0.5 * 0.5 * 2 + 0.5 * 1) / (1 - 0.25), 12);
    expect(smoothLoss([Number.NaN, Number.NaN])).toEqual([Number.NaN, Number.NaN]);
  });

  it('clamps out-of-range weights instead of blowing up', () => {
    for (const w of [1, 2, -1, Number.NaN]) {
      const out = smoothLoss([1, 2, 3], w);
      expect(out.every(Number.isFinite)).toBe(true);
      expect(out[0]).toBeCloseTo(1, 12);
    }
  });
});
