import { describe, expect, it } from 'vitest';
import { looksLikeSoftwareGpu, rankBackends, type GpuProbe } from './ranking';

const hw = (description: string): GpuProbe => ({ available: true, software: false, description });
const sw = (description: string): GpuProbe => ({ available: true, software: true, description });
const none = (description: string): GpuProbe => ({ available: false, software: false, description });

describe('rankBackends', () => {
  it('prefers hardware WebGPU, then hardware WebGL, then WASM, then CPU', () => {
    const order = rankBackends(hw('nvidia ampere'), hw('ANGLE (NVIDIA)'), 'WASM SIMD').map((c) => c.name);
    expect(order).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
  });

  it('ranks software adapters below WASM (the headless-Chromium case)', () => {
    const order = rankBackends(sw('google swiftshader'), sw('ANGLE (SwiftShader)'), 'WASM SIMD');
    expect(order.map((c) => c.name)).toEqual(['wasm', 'webgl', 'webgpu', 'cpu']);
    expect(order[0].reason).toMatch(/WebGPU is software \(google swiftshader\)/);
  });

  it('skips what is unavailable and says why WASM leads', () => {
    const order = rankBackends(none('no navigator.gpu'), hw('Apple M2'), 'WASM SIMD');
    expect(order.map((c) => c.name)).toEqual(['webgl', 'wasm', 'cpu']);
    const alone = rankBackends(none('no adapter'), none('no WebGL2 context'), 'WASM SIMD');
    expect(alone.map((c) => c.name)).toEqual(['wasm', 'cpu']);
    expect(alone[0].reason).toContain('WebGPU unavailable (no adapter)');
  });
});

describe('looksLikeSoftwareGpu', () => {
  it('recognizes CPU rasterizers and not real GPUs', () => {
    expect(looksLikeSoftwareGpu('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)')).toBe(true);
    expect(looksLikeSoftwareGpu('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(looksLikeSoftwareGpu('Microsoft Basic Render Driver')).toBe(true);
    expect(looksLikeSoftwareGpu('ANGLE (NVIDIA, NVIDIA GeForce RTX 4090 Direct3D11 vs_5_0 ps_5_0)')).toBe(false);
    expect(looksLikeSoftwareGpu('Apple M2')).toBe(false);
  });
});
