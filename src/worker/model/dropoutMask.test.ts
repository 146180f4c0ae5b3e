import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { dropoutMultipliers } from './dropoutMask';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('dropoutMultipliers', () => {
  it("are tf.dropout's multipliers, row for row, for any rows of the batch", () => {
    for (const [rate, seed] of [[0.25, 7], [0.5, 123456789], [0.1, 0]]) {
      const [total, features] = [9, 37];
      // tf.dropout of ones is its multiplier: 0 or 1 / (1 − rate), rounded as tfjs rounds it.
      const whole = tf.tidy(() => tf.dropout(tf.ones([total, features]), rate, undefined, seed).dataSync() as Float32Array);
      expect(dropoutMultipliers(rate, seed, 0, total, features)).toEqual(whole);
      expect(dropoutMultipliers(rate, seed, 3, 4, features)).toEqual(whole.subarray(3 * features, 7 * features));
      const dropped = whole.filter((m) => m === 0).length / whole.length;
      expect(dropped).toBeGreaterThan(rate / 3);
      expect(dropped).toBeLessThan(Math.min(1, rate * 3));
    }
  });
});
