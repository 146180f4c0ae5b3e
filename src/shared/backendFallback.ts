/**
 * Where to go when a backend fails twice in one run: the next backend of the auto order (hardware
 * WebGPU → hardware WebGL → WASM → software GPUs → CPU), as a UI choice. A software GPU is slower than
 * WASM, so from one the way leads to the CPU backends; from the CPU there is nowhere further.
 */
import type { BackendName } from './config';

export function nextBackend(failed: BackendName, software: boolean): BackendName | null {
  if (software) return failed === 'cpu' ? null : failed === 'wasm' ? 'cpu' : 'wasm';
  switch (failed) {
    case 'webgpu':
      return 'webgl';
    case 'webgl':
      return 'wasm';
    case 'wasm':
      return 'cpu';
    case 'cpu':
      return null;
  }
}
