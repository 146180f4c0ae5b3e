/**
 * kernelReplacement on a backend other than wasm (the cpu backend, which runs in Node): the
 * replacement runs, falls back to the kernel it replaced, registers idempotently and unregisters.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kernelReplacement } from './kernelReplacement';

describe('kernelReplacement', () => {
  const registeredNeg = () => tf.getKernel('Neg', 'cpu');
  const original = registeredNeg();
  let calls = 0;
  // Negates by calling the replaced kernel, except for inputs of one element, which it handles itself.
  const replacement = kernelReplacement('Neg', 'cpu', (args) => {
    calls++;
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.shape.reduce((a, b) => a * b, 1) !== 1) return replacement.fallback(args);
    return (args.backend as tf.KernelBackend & { makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo })
      .makeTensorInfo(x.shape, 'float32', Float32Array.of(42));
  });

  const negate = (values: number | number[]) => tf.tidy(() => tf.neg(tf.tensor(values)).arraySync());

  beforeAll(async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
  });
  afterEach(() => {
    replacement.unregister();
    calls = 0;
  });

  it('replaces the kernel, and runs the replaced one for what it leaves to it', () => {
    replacement.register();
    expect(registeredNeg()).toBe(replacement.config);
    expect(negate(3)).toBe(42);
    expect(negate([1, -2])).toEqual([-1, 2]);
    expect(calls).toBe(2);
  });

  it('registers idempotently and puts the original back', () => {
    replacement.register();
    replacement.register();
    expect(negate([5, 6])).toEqual([-5, -6]); // a second register must not make it its own fallback
    replacement.unregister();
    expect(registeredNeg()).toBe(original);
    expect(negate(3)).toBe(-3);
    replacement.unregister(); // nothing to undo: leaves the original in place
    expect(registeredNeg()).toBe(original);
  });
});
