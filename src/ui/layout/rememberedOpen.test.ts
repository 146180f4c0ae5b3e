import { describe, expect, it } from 'vitest';
import { readOpenState, writeOpenState } from './rememberedOpen';

function memoryStorage() {
  const items = new Map<string, string>();
  return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value) };
}

const refusing = () => {
  throw new DOMException('The operation is insecure.', 'SecurityError');
};

describe('remembered open state', () => {
  it('is the default until the user toggles, then what they left it at', () => {
    const storage = memoryStorage();
    expect(readOpenState(() => storage, 'group', false)).toBe(false);
    writeOpenState(() => storage, 'group', true);
    expect(readOpenState(() => storage, 'group', false)).toBe(true);
    writeOpenState(() => storage, 'group', false);
    expect(readOpenState(() => storage, 'group', true)).toBe(false);
  });

  it('keeps each key apart', () => {
    const storage = memoryStorage();
    writeOpenState(() => storage, 'a', true);
    expect(readOpenState(() => storage, 'b', false)).toBe(false);
  });

  it('ignores a value it did not write', () => {
    const storage = memoryStorage();
    storage.setItem('group', 'true');
    expect(readOpenState(() => storage, 'group', false)).toBe(false);
  });

  it('falls back to the default, without throwing, when storage is refused', () => {
    expect(readOpenState(refusing, 'group', true)).toBe(true);
    expect(() => writeOpenState(refusing, 'group', true)).not.toThrow();
  });
});
