/**
 * Buffers kept for reuse across training steps, so a step allocates no large ArrayBuffer.
 *
 * Why: a fresh ArrayBuffer is zeroed memory that the OS hands out page by page on first touch. On the
 * 2-core machine (a VM) filling a fresh 1.56 MB array, the SimpleCNN's weights, took 4.7 ms against
 * 0.06 ms for one reused; a pool step moved four such arrays (weights out, gradients back, each read
 * out of a wasm heap and rebuilt on the other side), ~20 ms of a ~200 ms step. Buffers that cross to
 * another worker are transferred, not copied, and come back with its next message for reuse.
 */
export class BufferShelf {
  private readonly free: ArrayBuffer[] = [];

  /** @param capacity how many buffers it keeps; beyond that the oldest is let go */
  constructor(private readonly capacity = 8) {}

  /** A Float32Array of `length` on a kept buffer of that exact size, else a new one. Its contents are stale. */
  float32(length: number): Float32Array {
    return new Float32Array(this.take(length * Float32Array.BYTES_PER_ELEMENT) ?? new ArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
  }

  int32(length: number): Int32Array {
    return new Int32Array(this.take(length * Int32Array.BYTES_PER_ELEMENT) ?? new ArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT));
  }

  /** Keeps buffers for later; empty and detached (transferred away) ones are ignored. */
  put(buffers: readonly ArrayBufferLike[]): void {
    for (const buffer of buffers) {
      if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0 || this.free.includes(buffer)) continue;
      this.free.push(buffer);
      if (this.free.length > this.capacity) this.free.shift();
    }
  }

  get size(): number {
    return this.free.length;
  }

  private take(byteLength: number): ArrayBuffer | undefined {
    const at = this.free.findIndex((buffer) => buffer.byteLength === byteLength);
    return at < 0 ? undefined : this.free.splice(at, 1)[0];
  }
}
