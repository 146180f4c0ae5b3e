import { describe, expect, it } from 'vitest';
import { SeededRandom, shuffledIndices } from './random';

describe('SeededRandom', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
  });

  it('draws uniformly in [0, 1)', () => {
    const random = new SeededRandom(7);
    const bins = new Array(10).fill(0);
    let min = 1;
    let max = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = random.next();
      min = Math.min(min, x);
      max = Math.max(max, x);
      bins[Math.floor(x * 10)]++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    for (const count of bins) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});

describe('shuffledIndices', () => {
  it('is a permutation, different every epoch, reproducible from the seed', () => {
    const random = new SeededRandom(0);
    const first = shuffledIndices(1000, random);
    const second = shuffledIndices(1000, random);
    expect([...first].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...second]).not.toEqual([...first]);
    expect([...shuffledIndices(1000, new SeededRandom(0))]).toEqual([...first]);
  });
});
