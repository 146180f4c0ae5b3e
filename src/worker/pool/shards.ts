/**
 * How a data-parallel pool splits work: a batch (or a block of test images) into contiguous shards, one
 * per worker, in order. Pure, so the coordinator and the tests split the same way.
 */

/** A half-open range of positions `[start, end)` in the batch's order. */
export interface ShardRange {
  start: number;
  end: number;
}

/**
 * `[start, end)` in at most `parts` contiguous shards whose sizes differ by at most one, the larger
 * ones first; never an empty shard (a batch of 3 on 4 workers is 3 shards of 1).
 */
export function shardRanges(start: number, end: number, parts: number): ShardRange[] {
  const count = Math.max(0, end - start);
  const shards = Math.max(1, Math.min(Math.floor(parts), count));
  const base = Math.floor(count / shards);
  const larger = count % shards;
  const ranges: ShardRange[] = [];
  let at = start;
  for (let i = 0; i < shards; i++) {
    const size = base + (i < larger ? 1 : 0);
    ranges.push({ start: at, end: at + size });
    at += size;
  }
  return ranges;
}

/** The pool size `workers` asks for: 0 is `auto`, every logical core the browser reports. */
export function resolveWorkerCount(workers: number, hardwareConcurrency: number | undefined, max: number): number {
  const wanted = workers > 0 ? workers : (hardwareConcurrency ?? 1);
  return Math.max(1, Math.min(max, Math.floor(wanted)));
}
