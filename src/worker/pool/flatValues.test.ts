import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { readFlat, tensorsFromFlat } from './flatValues';

describe.each(['wasm', 'cpu'])('flat values on %s', (backend) => {
  it('reads tensors one after another and rebuilds them, the array free for reuse at once', async () => {
    expect(await tf.setBackend(backend)).toBe(true);
    const tensors = [tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]), tf.tensor([7], [1]), tf.tensor([8, 9, 10, 11], [2, 1, 2])];
    const flat = new Float32Array(11);
    await readFlat(tensors, flat);
    expect(Array.from(flat)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const rebuilt = tensorsFromFlat(flat, tensors.map((t) => t.shape));
    flat.fill(-1); // reused by the caller: the tensors keep their values
    expect(rebuilt.map((t) => t.shape)).toEqual([[2, 3], [1], [2, 1, 2]]);
    expect(rebuilt.map((t) => Array.from(t.dataSync()))).toEqual([[1, 2, 3, 4, 5, 6], [7], [8, 9, 10, 11]]);
    await expect(readFlat(tensors, new Float32Array(10))).rejects.toThrow('11 values into an array of 10');
    expect(() => tensorsFromFlat(new Float32Array(12), [[11]])).toThrow('12 values for shapes of 11');
    tf.dispose([...tensors, ...rebuilt]);
  });
});

afterAll(async () => {
  await tf.setBackend('wasm');
});
