/**
 * Starting a TensorFlow.js backend inside the worker: probe the GPUs, order the candidates (auto) or put
 * the user's choice first, and fall back down the order, with a notice, when one fails to start. Where
 * auto has more than one fast candidate, the order comes from timing a training step on each
 * (./calibration), cached per browser and adapter.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import './wasmSetup';
import { registerGpuTrainingKernels } from './gpuKernels';
import type { BackendChoice, BackendName } from '../../shared/config';
import type { BackendInfo } from '../../shared/protocol';
import {
  calibrate,
  calibrationKey,
  calibrationText,
  fastCandidates,
  measureTrainingStep,
  parseStoredCalibration,
  rankMeasurements,
  readCachedCalibration,
  toStoredCalibration,
  writeCachedCalibration,
  type CalibrationRecord,
  type StepTiming,
} from './calibration';
import { looksLikeSoftwareGpu, rankBackends, type Candidate, type GpuProbe } from './ranking';
import {
  englishProbeProblem,
  englishText,
  errorDetail,
  type BackendFailure,
  type BackendReasonText,
  type ProbeProblem,
  type Text,
} from '../../shared/texts';

// tfjs 4.22's GPU filter gradient is one invocation per filter weight, each summing the whole batch
// serially; ours is a matrix product (src/worker/backends/gpuKernels.ts).
registerGpuTrainingKernels();

const unavailable = (problem: ProbeProblem): GpuProbe => ({ available: false, software: false, description: englishProbeProblem(problem), problem });

async function probeWebGpu(): Promise<GpuProbe> {
  if (!('gpu' in navigator) || !navigator.gpu) return unavailable({ kind: 'noApi' });
  try {
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return unavailable({ kind: 'noAdapter' });
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
    return unavailable({ kind: 'requestFailed', detail: String(error) });
  }
}

function probeWebGl(): GpuProbe {
  try {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    if (!gl) return unavailable({ kind: 'noContext' });
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext(); // the probe's context is not the one tfjs uses
    return { available: true, software: looksLikeSoftwareGpu(renderer), description: renderer };
  } catch (error) {
    return unavailable({ kind: 'contextFailed', detail: String(error) });
  }
}

/** A backend that registers but cannot compute (a lost context, a broken driver) must not be chosen. */
async function smokeTest(): Promise<void> {
  const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])));
  const values = await sum.data();
  sum.dispose();
  if (values[0] !== 4 || values[1] !== 6) throw new Error(`returned [${Array.from(values)}] for [1,2]+[3,4]`);
}

/** Null when the backend started; otherwise why not (`detail` null: tf.setBackend said it did not initialize). */
async function tryStart(name: BackendName): Promise<BackendFailure | null> {
  try {
    if (!(await tf.setBackend(name))) return { backend: name, detail: null };
    await smokeTest();
    return null;
  } catch (error) {
    return { backend: name, detail: errorDetail(error) };
  }
}

/** tryStart for the calibration, which records the failure in English. */
async function tryStartForCalibration(name: BackendName): Promise<string | null> {
  const failure = await tryStart(name);
  return failure === null ? null : (failure.detail ?? 'it did not initialize');
}

/**
 * Starts the first candidate that works. `notify` receives one line per backend that failed before it;
 * `onStatus`, a progress line while auto measures the backends (only on a first start, and only where
 * there is more than one fast candidate to choose from).
 */
export async function startBackend(
  choice: BackendChoice,
  notify: (text: Text) => void,
  onStatus?: (text: Text) => void,
  cpu: CpuWorkers = { count: 1, measure: () => measureTrainingStep() },
): Promise<Omit<BackendInfo, 'workers'>> {
  const [webgpu, webgl] = await Promise.all([probeWebGpu(), Promise.resolve(probeWebGl())]);
  const ranked = rankBackends(webgpu, webgl, 'WebAssembly');
  const measured = choice === 'auto' ? await measuredOrder(ranked, cpu, notify, onStatus) : null;
  const order: Candidate[] =
    choice === 'auto'
      ? (measured?.order ?? ranked)
      : [
          ranked.find((c) => c.name === choice) ?? {
            name: choice,
            software: false,
            adapter: (choice === 'webgpu' ? webgpu : webgl).description,
            reason: '',
            reasonText: { key: 'backend.chosen' },
          },
          ...ranked.filter((c) => c.name !== choice),
        ];
  const failures: BackendFailure[] = [];
  for (const [index, candidate] of order.entries()) {
    const failure = await tryStart(candidate.name);
    if (failure !== null) {
      failures.push(failure);
      const next = order[index + 1];
      if (next) notify({ key: 'backend.cannotStart', failure, next: next.name });
      continue;
    }
    const reasonText: BackendReasonText =
      choice === 'auto'
        ? { key: 'backend.auto', why: measured?.summary ?? candidate.reasonText, failures }
        : candidate.name === choice
          ? { key: 'backend.chosen' }
          : { key: 'backend.chosenFailed', chosen: choice };
    const adapterText = candidate.name === 'wasm' ? describeWasm() : null;
    return {
      name: candidate.name,
      adapter: adapterText ? englishText(adapterText) : candidate.adapter,
      ...(adapterText && { adapterText }),
      software: candidate.software,
      reason: englishText(reasonText),
      reasonText,
    };
  }
  throw new NoBackendError(failures);
}

/** The wasm backend's workers: how many share each batch, and how to time a step on them all. */
export interface CpuWorkers {
  count: number;
  measure: () => Promise<StepTiming>;
}

/** No backend could start: the message lists why each failed. */
export class NoBackendError extends Error {
  readonly text: Text;

  constructor(failures: BackendFailure[]) {
    const text: Text = { key: 'backend.noneStarted', failures };
    super(englishText(text));
    this.text = text;
  }
}

/**
 * Auto's order from measurements: the cached ones for this browser and these adapters, or fresh ones
 * (then cached). The fast candidates best first, then the rest of the policy order (software GPUs, CPU)
 * as fallbacks. Null, for the policy order, where there are fewer than two fast candidates or none of
 * them could be measured.
 */
async function measuredOrder(
  ranked: Candidate[],
  cpu: CpuWorkers,
  notify: (text: Text) => void,
  onStatus?: (text: Text) => void,
): Promise<{ order: Candidate[]; summary: BackendReasonText } | null> {
  const fast = fastCandidates(ranked);
  if (fast.length < 2) return null;
  // The wasm backend's speed also depends on the core count, the workers sharing each batch and
  // cross-origin isolation (tfjs's own threads).
  const key = calibrationKey(
    navigator.userAgent,
    fast.map((c) =>
      c.name === 'wasm'
        ? {
            ...c,
            adapter: `WebAssembly, ${navigator.hardwareConcurrency} cores, ${cpu.count} workers${self.crossOriginIsolated ? ', cross-origin isolated' : ''}`,
          }
        : c,
    ),
  );
  const names = fast.map((c) => c.name);
  let record: CalibrationRecord | null = parseStoredCalibration(await readCachedCalibration(key), {
    key,
    candidates: names,
    now: Date.now(),
  });
  const cached = record !== null;
  if (!record) {
    const results = await calibrate(fast, tryStartForCalibration, {
      onCandidate: (candidate, index, count) =>
        onStatus?.({ key: 'loading.measuring', backend: candidate.name, position: index + 1, count }),
      measure: (name) => (name === 'wasm' ? cpu.measure() : measureTrainingStep()),
    });
    for (const r of results) {
      if (r.status === 'failed') notify({ key: 'backend.notMeasured', backend: r.name, detail: r.error });
    }
    if (results.every((r) => r.status === 'failed')) return null;
    record = { key, measuredAt: Date.now(), results };
    // A GPU whose first step ran past the limit may only have been compiling shaders: measure it
    // again next time (with the browser's shader cache warm) rather than remembering it as slow.
    const gpuMayBeWarmingUp = results.some((r) => r.status === 'slow' && r.name !== 'wasm');
    if (!gpuMayBeWarmingUp) await writeCachedCalibration(key, toStoredCalibration(record));
  }
  const byName = new Map(fast.map((c) => [c.name, c]));
  return {
    order: [
      ...rankMeasurements(record.results).map((r) => byName.get(r.name) as Candidate),
      ...ranked.filter((c) => !byName.has(c.name)),
    ],
    summary: calibrationText(record, cached),
  };
}

/** Read after the backend started: SIMD support and the thread count are settled only then. */
function describeWasm(): Text {
  return { key: 'adapter.wasm', simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), threads: getThreadsCount() };
}
