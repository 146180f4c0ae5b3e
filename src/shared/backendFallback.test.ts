import { describe, expect, it } from 'vitest';
import { nextBackend } from './backendFallback';

describe('nextBackend', () => {
  it('follows the auto order down from a hardware GPU', () => {
    expect(nextBackend('webgpu', false)).toBe('webgl');
    expect(nextBackend('webgl', false)).toBe('wasm');
    expect(nextBackend('wasm', false)).toBe('cpu');
    expect(nextBackend('cpu', false)).toBeNull();
  });

  it('leaves a software GPU for WASM, which is faster than it', () => {
    expect(nextBackend('webgpu', true)).toBe('wasm');
    expect(nextBackend('webgl', true)).toBe('wasm');
  });
});
