import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../training/random';
import { PARAM_NAMES, PARAM_SHAPES, createParams, disposeParams, forward, initialParamValues, parameterCount } from './simpleCnn';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('SimpleCNN', () => {
  it("has the seed's 390,410 parameters", () => {
    expect(parameterCount()).toBe(390_410);
    const values = initialParamValues(new SeededRandom(0));
    expect([...values.values()].reduce((n, a) => n + a.length, 0)).toBe(390_410);
  });

  it('initializes every weight and bias as PyTorch does: U(±1/√fan_in)', () => {
    const values = initialParamValues(new SeededRandom(1));
    const fanIn: Record<string, number> = { conv1: 9, conv2: 9 * 32, conv3: 9 * 64, fc1: 1152, fc2: 256 };
    for (const name of PARAM_NAMES) {
      const bound = 1 / Math.sqrt(fanIn[name.split('.')[0]]);
      const array = values.get(name) as Float32Array;
      let min = Infinity;
      let max = -Infinity;
      let sumSquares = 0;
      for (const x of array) {
        min = Math.min(min, x);
        max = Math.max(max, x);
        sumSquares += x * x;
      }
      expect(min).toBeGreaterThanOrEqual(-bound);
      expect(max).toBeLessThanOrEqual(bound);
      // A uniform on ±b has standard deviation b/√3; the bound must be used, not just respected.
      const std = Math.sqrt(sumSquares / array.length);
      const tolerance = array.length > 1000 ? 0.05 : 0.35;
      expect(Math.abs(std / (bound / Math.sqrt(3)) - 1)).toBeLessThan(tolerance);
    }
  });

  it('maps [batch, 28, 28, 1] to [batch, 10] and uses dropout only in training', () => {
    const params = createParams(initialParamValues(new SeededRandom(2)));
    const before = tf.memory().numTensors;
    const images = tf.randomNormal([3, 28, 28, 1]) as tf.Tensor4D;
    const evalA = forward(params, images, { training: false, dropoutRate: 0.25 });
    const evalB = forward(params, images, { training: false, dropoutRate: 0.25, dropoutSeed: 5 });
    const trainA = forward(params, images, { training: true, dropoutRate: 0.25, dropoutSeed: 5 });
    const trainB = forward(params, images, { training: true, dropoutRate: 0.25, dropoutSeed: 5 });
    const trainC = forward(params, images, { training: true, dropoutRate: 0.25, dropoutSeed: 6 });
    expect(evalA.shape).toEqual([3, 10]);
    const [a, b, ta, tb, tc] = [evalA, evalB, trainA, trainB, trainC].map((t) => Array.from(t.dataSync()));
    expect(b).toEqual(a);
    expect(tb).toEqual(ta); // same seed, same masks
    expect(tc).not.toEqual(ta);
    expect(ta).not.toEqual(a);
    tf.dispose([images, evalA, evalB, trainA, trainB, trainC]);
    expect(tf.memory().numTensors).toBe(before);
    disposeParams(params);
  });

  it('keeps the declared shapes', () => {
    const params = createParams(initialParamValues(new SeededRandom(3)));
    for (const name of PARAM_NAMES) expect(params.get(name)?.shape).toEqual([...PARAM_SHAPES[name]]);
    disposeParams(params);
  });
});
