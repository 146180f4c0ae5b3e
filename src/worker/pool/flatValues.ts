/**
 * Tensors to and from one flat Float32Array, the form in which weights and gradients cross between pool
 * workers: one buffer to transfer and reuse (see bufferShelf.ts) instead of one new array per tensor.
 */
import * as tf from '@tensorflow/tfjs';
import { wasmBackend } from '../backends/wasmBackendAccess';

/** The tensors' values one after another in `into`, which must hold exactly their total size. */
export async function readFlat(tensors: readonly tf.Tensor[], into: Float32Array): Promise<void> {
  const total = tensors.reduce((n, t) => n + t.size, 0);
  if (total !== into.length) throw new Error(`readFlat: ${total} values into an array of ${into.length}`);
  let at = 0;
  if (tf.getBackend() === 'wasm') {
    // Straight out of the heap: `data()` would allocate a new array per tensor.
    const backend = wasmBackend(tf.backend(), 'readFlat');
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    for (const t of tensors) {
      const from = backend.getMemoryOffset(t.dataId) / 4;
      into.set(heap.subarray(from, from + t.size), at);
      at += t.size;
    }
    return;
  }
  // Elsewhere the asynchronous `data()`: on WebGPU a synchronous read blocks and can return zeros.
  for (const t of tensors) {
    into.set((await t.data()) as Float32Array, at);
    at += t.size;
  }
}

/** Tensors of these shapes from consecutive runs of `flat`, which the caller may reuse at once. */
export function tensorsFromFlat(flat: Float32Array, shapes: readonly (readonly number[])[]): tf.Tensor[] {
  let at = 0;
  const tensors = shapes.map((shape) => {
    const size = shape.reduce((n, d) => n * d, 1);
    const run = flat.subarray(at, at + size);
    at += size;
    // The wasm backend copies the values into its heap; others may keep the array itself.
    return tf.tensor(tf.getBackend() === 'wasm' ? run : run.slice(), [...shape], 'float32');
  });
  if (at !== flat.length) throw new Error(`tensorsFromFlat: ${flat.length} values for shapes of ${at}`);
  return tensors;
}
