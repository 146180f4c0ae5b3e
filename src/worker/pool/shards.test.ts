import { describe, expect, it } from 'vitest';
import { resolveWorkerCount, shardRanges } from './shards';

const sizes = (ranges: { start: number; end: number }[]) => ranges.map((r) => r.end - r.start);

describe('shardRanges', () => {
  it('splits a batch into contiguous shards that cover it exactly, larger ones first', () => {
    const ranges = shardRanges(256, 384, 3);
    expect(sizes(ranges)).toEqual([43, 43, 42]);
    expect(ranges[0].start).toBe(256);
    expect(ranges.at(-1)?.end).toBe(384);
    ranges.slice(1).forEach((range, i) => expect(range.start).toBe(ranges[i].end));
  });

  it('gives one shard to one worker, and never an empty shard', () => {
    expect(shardRanges(0, 128, 1)).toEqual([{ start: 0, end: 128 }]);
    expect(sizes(shardRanges(59904, 60000, 4))).toEqual([24, 24, 24, 24]);
    expect(sizes(shardRanges(10, 13, 4))).toEqual([1, 1, 1]);
    expect(shardRanges(5, 5, 4)).toEqual([{ start: 5, end: 5 }]);
  });
});

describe('resolveWorkerCount', () => {
  it('takes auto as every core the browser reports, a number as itself, within 1…max', () => {
    expect(resolveWorkerCount(0, 8, 16)).toBe(8);
    expect(resolveWorkerCount(0, undefined, 16)).toBe(1);
    expect(resolveWorkerCount(0, 64, 16)).toBe(16);
    expect(resolveWorkerCount(3, 8, 16)).toBe(3);
    expect(resolveWorkerCount(20, 2, 16)).toBe(16);
  });
});
