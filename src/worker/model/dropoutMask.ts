/**
 * The multipliers `tf.dropout(x, rate, undefined, seed)` applies, for rows `offset … offset + count` of
 * a `total`-row batch only: a shard of a data-parallel step drops exactly what the whole batch drops.
 *
 * tfjs draws the batch's uniform noise row by row from `seedrandom.alea(String(seed))` (its
 * `randomUniform`), rounds each draw to float32, and keeps a unit where ⌊u + keep⌋ = 1, scaling it by
 * 1 / keep, all in float32. This reproduces that stream here, so a shard draws (and skips) the values
 * before its rows and stops after them, and builds its multipliers directly: a third of the work of
 * drawing the whole batch's noise as a tensor and slicing it, and no whole-batch array per step.
 */
import seedrandom from 'seedrandom';

export function dropoutMultipliers(rate: number, seed: number, offset: number, count: number, features: number): Float32Array {
  const draw = seedrandom.alea(String(seed));
  for (let i = offset * features; i > 0; i--) draw();
  const keep = Math.fround(1 - rate);
  const kept = Math.fround(1 / keep);
  const multipliers = new Float32Array(count * features);
  for (let i = 0; i < multipliers.length; i++) {
    multipliers[i] = Math.fround(Math.fround(draw()) + keep) >= 1 ? kept : 0;
  }
  return multipliers;
}
