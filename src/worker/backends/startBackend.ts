/**
 * Starting a TensorFlow.js backend inside the worker: probe the GPUs, order the candidates (auto) or put
 * the user's choice first, and fall back down the order, with a notice, when one fails to start.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// The .wasm binaries are emitted as assets; in a worker tfjs would otherwise look beside the worker script.
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendChoice, BackendName } from '../../shared/config';
import type { BackendInfo } from '../../shared/protocol';
import { looksLikeSoftwareGpu, rankBackends, type Candidate, type GpuProbe } from './ranking';
import { registerWasmTrainingKernels } from './wasmKernels';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlainUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});
registerWasmTrainingKernels();

const LABELS: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };

async function probeWebGpu(): Promise<GpuProbe> {
  if (!('gpu' in navigator) || !navigator.gpu) return { available: false, software: false, description: 'no navigator.gpu' };
  try {
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { available: false, software: false, description: 'no WebGPU adapter' };
    const info = adapter.info;
    const description = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unnamed adapter';
    // `isFallbackAdapter` moved from the adapter to its info; either marks a CPU implementation.
    const fallback = Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter) ||
      Boolean((adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter);
    return {
      available: true,
      software: fallback || looksLikeSoftwareGpu(description),
      description: fallback ? `${description}, fallback adapter` : description,
    };
  } catch (error) {
    return { available: false, software: false, description: `requestAdapter failed: ${String(error)}` };
  }
}

function probeWebGl(): GpuProbe {
  try {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    if (!gl) return { available: false, software: false, description: 'no WebGL2 context' };
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext(); // the probe's context is not the one tfjs uses
    return { available: true, software: looksLikeSoftwareGpu(renderer), description: renderer };
  } catch (error) {
    return { available: false, software: false, description: `WebGL2 failed: ${String(error)}` };
  }
}

/** A backend that registers but cannot compute (a lost context, a broken driver) must not be chosen. */
async function smokeTest(): Promise<void> {
  const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])));
  const values = await sum.data();
  sum.dispose();
  if (values[0] !== 4 || values[1] !== 6) throw new Error(`returned [${Array.from(values)}] for [1,2]+[3,4]`);
}

async function tryStart(name: BackendName): Promise<string | null> {
  try {
    if (!(await tf.setBackend(name))) return 'it did not initialize';
    await smokeTest();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Starts the first candidate that works. `notify` receives one line per backend that failed before it.
 */
export async function startBackend(choice: BackendChoice, notify: (message: string) => void): Promise<BackendInfo> {
  const [webgpu, webgl] = await Promise.all([probeWebGpu(), Promise.resolve(probeWebGl())]);
  const ranked = rankBackends(webgpu, webgl, 'WebAssembly');
  const order: Candidate[] =
    choice === 'auto'
      ? ranked
      : [
          ranked.find((c) => c.name === choice) ?? {
            name: choice,
            software: false,
            adapter: (choice === 'webgpu' ? webgpu : webgl).description,
            reason: '',
          },
          ...ranked.filter((c) => c.name !== choice),
        ];
  const failures: string[] = [];
  for (const [index, candidate] of order.entries()) {
    const failure = await tryStart(candidate.name);
    if (failure !== null) {
      failures.push(`${LABELS[candidate.name]} could not start (${failure})`);
      const next = order[index + 1];
      if (next) notify(`${LABELS[candidate.name]} could not start (${failure}); trying ${LABELS[next.name]}.`);
      continue;
    }
    const chosenBy =
      choice === 'auto'
        ? `Auto: ${candidate.reason}.`
        : candidate.name === choice
          ? `Chosen in the Backend menu.`
          : `Fallback: ${LABELS[choice]} was chosen but could not start.`;
    return {
      name: candidate.name,
      adapter: candidate.name === 'wasm' ? describeWasm() : candidate.adapter,
      software: candidate.software,
      reason: failures.length && choice === 'auto' ? `${chosenBy} (${failures.join('; ')})` : chosenBy,
    };
  }
  throw new Error(`No TensorFlow.js backend could start: ${failures.join('; ')}`);
}

/** Read after the backend started: SIMD support and the thread count are settled only then. */
function describeWasm(): string {
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  const threads = getThreadsCount();
  return `WebAssembly${simd ? ' SIMD' : ''}, ${threads} thread${threads === 1 ? '' : 's'}`;
}
