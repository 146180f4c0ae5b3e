import { describe, expect, it } from 'vitest';
import { BufferShelf } from './bufferShelf';

describe('BufferShelf', () => {
  it('hands back a kept buffer of the exact size, once, and a new one otherwise', () => {
    const shelf = new BufferShelf();
    const first = shelf.float32(10);
    shelf.put([first.buffer]);
    const again = shelf.float32(10);
    expect(again.buffer).toBe(first.buffer);
    expect(shelf.float32(10).buffer).not.toBe(first.buffer); // taken already
    shelf.put([again.buffer]);
    expect(shelf.float32(11).buffer).not.toBe(first.buffer); // another size
    expect(shelf.int32(10).buffer).toBe(first.buffer); // same bytes, another type
  });

  it('ignores detached, empty and repeated buffers, and keeps at most its capacity', () => {
    const shelf = new BufferShelf(2);
    const moved = new Float32Array(4);
    structuredClone(moved.buffer, { transfer: [moved.buffer] });
    expect(moved.buffer.byteLength).toBe(0);
    const kept = new ArrayBuffer(8);
    shelf.put([moved.buffer, new ArrayBuffer(0), kept, kept]);
    expect(shelf.size).toBe(1);
    const [a, b] = [new ArrayBuffer(8), new ArrayBuffer(8)];
    shelf.put([a, b]);
    expect(shelf.size).toBe(2);
    expect(shelf.float32(2).buffer).toBe(a); // the oldest, `kept`, was let go
  });
});
