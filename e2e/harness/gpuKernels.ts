/**
 * The GPU kernel harness, served by the dev server at /e2e/harness/gpuKernels.html: checks this
 * project's GPU Conv2DBackpropFilter against the cpu backend's, and times a SimpleCNN training step,
 * in the page's main thread (the app runs the same code in its worker).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { SIMPLE_CNN_SPEC } from '../../src/shared/arch/archSpec';
import { registerGpuTrainingKernels, unregisterGpuTrainingKernels } from '../../src/worker/backends/gpuKernels';
import { registerWasmTrainingKernels } from '../../src/worker/backends/wasmKernels';
import { createSpecNetwork, disposeSpecNetwork, initialSpecValues } from '../../src/worker/model/specNetwork';
import { createOptimizer } from '../../src/worker/training/optimizer';
import { SeededRandom } from '../../src/worker/training/random';
import { trainStep } from '../../src/worker/training/trainStep';
import type {
  BenchBackendName,
  FilterGradientCase,
  FilterGradientCheck,
  FilterGradientTiming,
  GpuBackendName,
  KernelVariant,
  GpuHarness,
  TrainingStepBench,
  TrainingStepBenchOptions,
} from './gpuHarnessApi';

// The dev server serves node_modules as is: the wasm binaries sit beside tfjs-backend-wasm's bundle.
setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
registerWasmTrainingKernels();

declare global {
  interface Window {
    gpuHarness?: GpuHarness;
  }
}

function uniformValues(n: number, random: SeededRandom): Float32Array {
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = random.next() * 2 - 1;
  return values;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

async function useBackend(name: BenchBackendName | 'cpu'): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} did not start`);
}

interface ProgramCounter {
  /** Stops counting; the programs run since `countPrograms`, by class name. */
  stop(): Record<string, number>;
}

/**
 * Counts the GPU programs the active backend runs, by wrapping its one entry point for them on the
 * instance (`runWebGPUProgram` / `runWebGLProgram`; WebGL's pack, unpack and decode programs go through it too).
 */
function countPrograms(): ProgramCounter {
  const backend = tf.backend() as unknown as Record<string, unknown>;
  const method = ['runWebGPUProgram', 'runWebGLProgram'].find((name) => name in backend);
  const counts: Record<string, number> = {};
  if (method == null) return { stop: () => counts }; // wasm, cpu: no GPU programs
  const original = backend[method] as (program: object, ...rest: unknown[]) => unknown;
  backend[method] = function (this: unknown, program: object, ...rest: unknown[]) {
    const name = program.constructor.name;
    counts[name] = (counts[name] ?? 0) + 1;
    return original.call(this, program, ...rest);
  };
  return {
    stop() {
      delete backend[method]; // the prototype's method shows through again
      return counts;
    },
  };
}

function filterGradientAttrs(c: FilterGradientCase) {
  const attrs: Record<string, unknown> = {
    strides: c.strides,
    pad: c.pad,
    dataFormat: c.dataFormat ?? 'NHWC',
    filterShape: c.filter,
  };
  if (c.dimRoundingMode != null) attrs.dimRoundingMode = c.dimRoundingMode;
  return attrs as unknown as tf.NamedAttrMap;
}

/** dy's shape for the case: the forward conv2d's output, in the case's data format. */
function dyShapeOf(c: FilterGradientCase): number[] {
  const dataFormat = c.dataFormat === 'NCHW' ? 'channelsFirst' : 'channelsLast';
  const rounding = c.forwardDimRoundingMode ?? c.dimRoundingMode;
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, rounding, false, dataFormat);
  return [...info.outShape];
}

function runFilterGradient(x: tf.Tensor, dy: tf.Tensor, c: FilterGradientCase): tf.Tensor {
  return tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, filterGradientAttrs(c)) as tf.Tensor;
}

/** The cpu kernel's results, by case: computed once per page (the spec checks two backends against them). */
const cpuReferences = new Map<string, Promise<Float32Array>>();

function cpuReference(xValues: Float32Array, dyValues: Float32Array, c: FilterGradientCase): Promise<Float32Array> {
  const key = JSON.stringify(c);
  let reference = cpuReferences.get(key);
  if (!reference) {
    reference = (async () => {
      await useBackend('cpu');
      const x = tf.tensor(xValues, c.x);
      const dy = tf.tensor(dyValues, dyShapeOf(c));
      const result = runFilterGradient(x, dy, c);
      const values = (await result.data()) as Float32Array;
      tf.dispose([x, dy, result]);
      return values;
    })();
    cpuReferences.set(key, reference);
  }
  return reference;
}

/** ‖values[…, channel, …]‖₂ for every channel along `axis`. */
function channelNorms(values: Float32Array, shape: readonly number[], axis: number): Float64Array {
  const channels = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const squares = new Float64Array(channels);
  for (let i = 0; i < values.length; i++) {
    const channel = Math.floor(i / inner) % channels;
    squares[channel] += values[i] * values[i];
  }
  return squares.map(Math.sqrt);
}

async function checkOne(backendName: GpuBackendName, c: FilterGradientCase): Promise<FilterGradientCheck> {
  const random = new SeededRandom(c.seed);
  const dyShape = dyShapeOf(c);
  const xValues = uniformValues(sizeOf(c.x), random);
  const dyValues = uniformValues(sizeOf(dyShape), random);
  const reference = await cpuReference(xValues, dyValues, c);
  // Weight (…, ci, co) sums products of x's channel ci and dy's channel co: by Cauchy–Schwarz their
  // absolute values add up to at most ‖x[…, ci]‖·‖dy[…, co]‖, the scale of that weight's rounding error.
  const channelAxis = c.dataFormat === 'NCHW' ? 1 : 3;
  const xNorms = channelNorms(xValues, c.x, channelAxis);
  const dyNorms = channelNorms(dyValues, dyShape, channelAxis);

  await useBackend(backendName);
  const backend = tf.backend();
  const x = tf.tensor(xValues, c.x);
  const dy = tf.tensor(dyValues, dyShape);
  const tensorsBefore = tf.memory().numTensors;
  const buffersBefore = backend.numDataIds();
  const counter = countPrograms();
  const result = runFilterGradient(x, dy, c);
  const programs = counter.stop();
  const values = await result.data();
  result.dispose();
  const tensorsLeaked = tf.memory().numTensors - tensorsBefore;
  const buffersLeaked = backend.numDataIds() - buffersBefore;
  tf.dispose([x, dy]);

  const [inChannels, outChannels] = [c.filter[2], c.filter[3]];
  let errorRatio = 0;
  let maxAbsError = 0;
  let maxAbsReference = 0;
  for (let i = 0; i < values.length; i++) {
    const error = Math.abs(values[i] - reference[i]);
    const scale = xNorms[Math.floor(i / outChannels) % inChannels] * dyNorms[i % outChannels];
    maxAbsError = Math.max(maxAbsError, error);
    maxAbsReference = Math.max(maxAbsReference, Math.abs(reference[i]));
    errorRatio = Math.max(errorRatio, scale > 0 ? error / scale : error > 0 ? Infinity : 0);
  }
  return { name: c.name, errorRatio, maxAbsError, maxAbsReference, programs, tensorsLeaked, buffersLeaked };
}

async function checkFilterGradient(backendName: GpuBackendName, cases: FilterGradientCase[]): Promise<FilterGradientCheck[]> {
  registerGpuTrainingKernels();
  const results: FilterGradientCheck[] = [];
  for (const c of cases) results.push(await checkOne(backendName, c));
  return results;
}

function deviceOf(backendName: BenchBackendName): string {
  if (backendName === 'wasm') {
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD';
    return `WebAssembly (${simd}, ${getThreadsCount()} thread${getThreadsCount() === 1 ? '' : 's'})`;
  }
  const backend = tf.backend() as unknown as {
    adapterInfo?: { vendor?: string; architecture?: string };
    gpgpu?: { gl: WebGL2RenderingContext };
  };
  if (backendName === 'webgpu') return `${backend.adapterInfo?.vendor ?? '?'} ${backend.adapterInfo?.architecture ?? ''}`.trim();
  const gl = backend.gpgpu?.gl;
  const debug = gl?.getExtension('WEBGL_debug_renderer_info');
  return gl ? String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : '?';
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function useVariant(variant: KernelVariant): void {
  if (variant === 'project') registerGpuTrainingKernels();
  else unregisterGpuTrainingKernels();
}

/**
 * The app's training step (SimpleCNN, Adam as the seed sets it up) on random images and labels, each
 * variant on its own copy of the network, their steps alternating.
 */
async function benchTrainingStep({ backend: backendName, variants, batch, steps }: TrainingStepBenchOptions): Promise<TrainingStepBench[]> {
  await useBackend(backendName);
  const tensorsBefore = tf.memory().numTensors;
  const random = new SeededRandom(1);
  const initial = initialSpecValues(SIMPLE_CNN_SPEC, random);
  const images = tf.tensor4d(uniformValues(batch * 28 * 28, random), [batch, 28, 28, 1]);
  const labels = tf.tensor1d(Int32Array.from({ length: batch }, () => random.nextInt(10)), 'int32');
  const runs = variants.map((variant) => {
    const network = createSpecNetwork(SIMPLE_CNN_SPEC, initial);
    return { variant, network, optimizer: createOptimizer('adam', network.params, { lr: 1e-3, weightDecay: 1e-4 }), msPerStep: [] as number[], loss: NaN };
  });
  const step = async (run: (typeof runs)[number], dropoutSeed: number) => {
    useVariant(run.variant);
    const start = performance.now();
    const result = trainStep(run.network, run.optimizer, { images, labels, dropoutRate: 0.25, dropoutSeed });
    [run.loss] = await result.data();
    result.dispose();
    return performance.now() - start;
  };
  const programs = new Map<KernelVariant, Record<string, number>>();
  try {
    for (const run of runs) await step(run, 0); // compiles the shaders
    for (let i = 0; i < steps; i++) {
      for (const run of runs) {
        // The first timed step also counts the programs (a counter per call: no measurable cost).
        const counter = i === 0 ? countPrograms() : null;
        run.msPerStep.push(await step(run, 1 + i));
        if (counter) programs.set(run.variant, counter.stop());
      }
    }
  } finally {
    registerGpuTrainingKernels();
    tf.dispose([images, labels]);
    for (const run of runs) {
      run.optimizer.dispose();
      disposeSpecNetwork(run.network);
    }
  }
  const tensorsLeaked = tf.memory().numTensors - tensorsBefore;
  return runs.map((run) => {
    const programsByName = programs.get(run.variant) ?? {};
    return {
      backend: backendName,
      variant: run.variant,
      device: deviceOf(backendName),
      msPerStep: run.msPerStep,
      medianMs: median(run.msPerStep),
      programsPerStep: Object.values(programsByName).reduce((a, b) => a + b, 0),
      programsByName,
      loss: run.loss,
      tensorsLeaked,
    };
  });
}

async function timeFilterGradient(backendName: GpuBackendName, c: FilterGradientCase, repeats: number): Promise<FilterGradientTiming> {
  await useBackend(backendName);
  const random = new SeededRandom(c.seed);
  const x = tf.tensor(uniformValues(sizeOf(c.x), random), c.x);
  const dy = tf.tensor(uniformValues(sizeOf(dyShapeOf(c)), random), dyShapeOf(c));
  const variants: KernelVariant[] = ['stock', 'project'];
  const times: Record<KernelVariant, number[]> = { stock: [], project: [] };
  const call = async (variant: KernelVariant) => {
    useVariant(variant);
    const start = performance.now();
    const result = runFilterGradient(x, dy, c);
    await result.data();
    result.dispose();
    return performance.now() - start;
  };
  try {
    for (const variant of variants) await call(variant); // compiles the shaders
    for (let i = 0; i < repeats; i++) for (const variant of variants) times[variant].push(await call(variant));
  } finally {
    registerGpuTrainingKernels();
    tf.dispose([x, dy]);
  }
  return { name: c.name, backend: backendName, medianMs: { stock: median(times.stock), project: median(times.project) } };
}

window.gpuHarness = { checkFilterGradient, benchTrainingStep, timeFilterGradient };
