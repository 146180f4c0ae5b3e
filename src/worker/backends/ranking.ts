/**
 * The automatic backend order, as a pure function of what the probes found, so the policy is testable
 * without a browser: a hardware WebGPU adapter, then a hardware WebGL renderer, then WASM, then the
 * software GPUs (SwiftShader and friends are correct but several times slower than WASM), then plain JS.
 */
import type { BackendName } from '../../shared/config';

export interface GpuProbe {
  available: boolean;
  /** Adapter or renderer description, or why it is unavailable. */
  description: string;
  software: boolean;
}

export interface Candidate {
  name: BackendName;
  software: boolean;
  adapter: string;
  /** Why this candidate sits where it does in the order. */
  reason: string;
}

const SOFTWARE_GPU = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|microsoft basic/i;

/** True for renderer or adapter strings that name a CPU rasterizer. */
export function looksLikeSoftwareGpu(text: string): boolean {
  return SOFTWARE_GPU.test(text);
}

export function rankBackends(webgpu: GpuProbe, webgl: GpuProbe, wasmDescription: string): Candidate[] {
  const gpu = (name: 'webgpu' | 'webgl', probe: GpuProbe, label: string): Candidate => ({
    name,
    software: probe.software,
    adapter: probe.description,
    reason: probe.software
      ? `${label} runs on a software adapter (${probe.description}), slower than WASM`
      : `${label} has a hardware adapter (${probe.description})`,
  });
  const hardware: Candidate[] = [];
  const software: Candidate[] = [];
  for (const [name, probe, label] of [
    ['webgpu', webgpu, 'WebGPU'],
    ['webgl', webgl, 'WebGL'],
  ] as const) {
    if (!probe.available) continue;
    (probe.software ? software : hardware).push(gpu(name, probe, label));
  }
  const noHardwareGpu = describeMissingGpu(webgpu, webgl);
  return [
    ...hardware,
    {
      name: 'wasm',
      software: false,
      adapter: wasmDescription,
      reason: hardware.length ? 'WASM is next after the hardware GPU backends' : `${noHardwareGpu}; WASM is the fastest CPU path`,
    },
    // Software WebGL measured ~2× faster than software WebGPU on SwiftShader (shared/notes/backends.md).
    ...software.sort((a, b) => (a.name === 'webgl' ? -1 : b.name === 'webgl' ? 1 : 0)),
    { name: 'cpu', software: false, adapter: 'JavaScript', reason: 'plain JavaScript is the last resort' },
  ];
}

function describeMissingGpu(webgpu: GpuProbe, webgl: GpuProbe): string {
  const part = (label: string, probe: GpuProbe) =>
    !probe.available ? `${label} unavailable (${probe.description})` : `${label} is software (${probe.description})`;
  return `${part('WebGPU', webgpu)}, ${part('WebGL', webgl)}`;
}
