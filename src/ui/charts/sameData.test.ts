import { describe, expect, it } from 'vitest';
import { sameData } from './sameData';

describe('sameData', () => {
  it('compares numbers, strings and NaN by value', () => {
    expect(sameData(1, 1)).toBe(true);
    expect(sameData(NaN, NaN)).toBe(true);
    expect(sameData(1, 2)).toBe(false);
    expect(sameData('a', 'a')).toBe(true);
    expect(sameData(null, undefined)).toBe(false);
    expect(sameData(0, '0')).toBe(false);
  });

  it('compares datasets deeply: a changed point, colour or dash pattern is a change', () => {
    const dataset = () => ({ id: 'run-1:test', borderDash: [6, 4], data: [{ x: 1, y: 0.98 }, { x: 2, y: 0.99 }], order: 3 });
    expect(sameData([dataset()], [dataset()])).toBe(true);
    expect(sameData([dataset()], [{ ...dataset(), data: [{ x: 1, y: 0.98 }, { x: 2, y: 0.991 }] }])).toBe(false);
    expect(sameData([dataset()], [{ ...dataset(), data: [{ x: 1, y: 0.98 }] }])).toBe(false);
    expect(sameData([dataset()], [{ ...dataset(), borderDash: [] }])).toBe(false);
    expect(sameData([dataset()], [dataset(), dataset()])).toBe(false);
  });

  it('a missing key is not the same as a key set to undefined, nor an extra key', () => {
    expect(sameData({ a: 1, b: undefined }, { a: 1, c: undefined })).toBe(false);
    expect(sameData({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameData({ a: [1] }, { a: { 0: 1 } })).toBe(false);
  });

  it('functions and class instances are the same only when they are the same object', () => {
    const f = () => 1;
    expect(sameData({ f }, { f })).toBe(true);
    expect(sameData({ f }, { f: () => 1 })).toBe(false);
    expect(sameData(new Date(0), new Date(0))).toBe(false);
  });
});
