/**
 * The automatic backend order, as a pure function of what the probes found, so the policy is testable
 * without a browser: a hardware WebGPU adapter, then a hardware WebGL renderer, then WASM, then the
 * software GPUs (SwiftShader and friends are correct but several times slower than WASM), then plain JS.
 */
import type { BackendName } from '../../shared/config';
import { englishText, type BackendReasonText, type ProbeProblem } from '../../shared/texts';

export interface GpuProbe {
  available: boolean;
  /** Adapter or renderer description, or why it is unavailable. */
  description: string;
  software: boolean;
  /** Why it is unavailable, as data (then `description` is its English). */
  problem?: ProbeProblem;
}

export interface Candidate {
  name: BackendName;
  software: boolean;
  adapter: string;
  /** Why this candidate sits where it does in the order: `englishText(reasonText)`. */
  reason: string;
  reasonText: BackendReasonText;
}

const SOFTWARE_GPU = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|microsoft basic/i;

/** True for renderer or adapter strings that name a CPU rasterizer. */
export function looksLikeSoftwareGpu(text: string): boolean {
  return SOFTWARE_GPU.test(text);
}

export function rankBackends(webgpu: GpuProbe, webgl: GpuProbe, wasmDescription: string): Candidate[] {
  const gpu = (name: 'webgpu' | 'webgl', probe: GpuProbe): Candidate =>
    withReason(
      { name, software: probe.software, adapter: probe.description },
      { key: probe.software ? 'ranking.softwareGpu' : 'ranking.hardwareGpu', backend: name, adapter: probe.description },
    );
  const hardware: Candidate[] = [];
  const software: Candidate[] = [];
  for (const [name, probe] of [
    ['webgpu', webgpu],
    ['webgl', webgl],
  ] as const) {
    if (!probe.available) continue;
    (probe.software ? software : hardware).push(gpu(name, probe));
  }
  const status = (probe: GpuProbe) => ({ available: probe.available, description: probe.description, ...(probe.problem && { problem: probe.problem }) });
  return [
    ...hardware,
    withReason(
      { name: 'wasm', software: false, adapter: wasmDescription },
      hardware.length ? { key: 'ranking.wasmAfterGpu' } : { key: 'ranking.wasmNoGpu', webgpu: status(webgpu), webgl: status(webgl) },
    ),
    // Software WebGL measured ~2× faster than software WebGPU on SwiftShader (shared/notes/backends.md).
    ...software.sort((a, b) => (a.name === 'webgl' ? -1 : b.name === 'webgl' ? 1 : 0)),
    withReason({ name: 'cpu', software: false, adapter: 'JavaScript' }, { key: 'ranking.cpuLastResort' }),
  ];
}

function withReason(candidate: Omit<Candidate, 'reason' | 'reasonText'>, reasonText: BackendReasonText): Candidate {
  return { ...candidate, reason: englishText(reasonText), reasonText };
}
