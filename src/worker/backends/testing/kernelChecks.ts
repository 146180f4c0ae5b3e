/**
 * Checks shared by the wasm kernel tests (imported by tests only): seeded inputs, and the two memory
 * properties every kernel here must have — it leaves exactly its one output buffer, and it passes
 * tfjs-core's own per-kernel leak check.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { SeededRandom } from '../../training/random';

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** `n` values uniform in [−1, 1) from the test's seeded generator, so failures reproduce. */
export function randomValues(n: number, random: SeededRandom): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = random.next() * 2 - 1;
  return out;
}

/**
 * Runs a kernel call `repeats` times inside tidy and with an explicit dispose: each call adds exactly
 * its one result buffer, and the tensor and wasm-buffer counts end where they started.
 */
export function expectOnlyItsOutputBuffer(runKernel: () => tf.Tensor, repeats = 5): void {
  const backend = tf.engine().backend;
  const tensorsBefore = tf.memory().numTensors;
  const idsBefore = backend.numDataIds();
  for (let i = 0; i < repeats; i++) {
    tf.tidy(() => void runKernel());
    const out = runKernel();
    expect(backend.numDataIds()).toBe(idsBefore + 1); // exactly the one result buffer
    out.dispose();
  }
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  expect(backend.numDataIds()).toBe(idsBefore);
}

/**
 * Runs `fn` with IS_TEST on: the engine then throws "Backend 'wasm' has an internal memory leak" if a
 * kernel leaves more than its one output buffer behind.
 */
export function withEngineLeakCheck(fn: () => void): void {
  const wasTest = tf.env().getBool('IS_TEST');
  tf.env().set('IS_TEST', true);
  try {
    fn();
  } finally {
    tf.env().set('IS_TEST', wasTest);
  }
}

/** Runs `fn` with `backend` active, then switches back to wasm (the kernel suites' default). */
export async function onBackend<T>(backend: 'cpu' | 'wasm', fn: () => T | Promise<T>): Promise<T> {
  expect(await tf.setBackend(backend)).toBe(true);
  try {
    return await fn();
  } finally {
    await tf.setBackend('wasm');
  }
}
