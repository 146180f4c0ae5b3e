/**
 * What the GPU kernel harness page (gpuKernels.html) exposes on `window.gpuHarness`, shared by the page,
 * the Playwright spec (e2e/gpuKernels.webgpu.spec.ts) and the benchmark (scripts/gpu-bench.mjs).
 */
export type GpuBackendName = 'webgpu' | 'webgl';
export type Shape4 = [number, number, number, number];

export interface FilterGradientCase {
  name: string;
  /** x's shape in `dataFormat` order (NHWC unless said). */
  x: Shape4;
  /** [fH, fW, inC, outC]. */
  filter: Shape4;
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  /**
   * The forward conv's rounding where it differs: it sets dy's shape, and the kernel does not get it (so
   * tfjs-core's Conv2D gradient calls the kernel after a 'ceil' or 'round' forward conv).
   */
  forwardDimRoundingMode?: 'round' | 'ceil';
  /** Seeds x and dy (uniform in [−1, 1)). */
  seed: number;
}

export interface FilterGradientCheck {
  name: string;
  /**
   * Largest |gpu − cpu| / (‖x[…, ci]‖₂·‖dy[…, co]‖₂) over the filter's weights (…, ci, co): the error
   * against a bound on the sum of the absolute values of the terms summed (Cauchy–Schwarz), which is
   * what any order of summation errs in proportion to.
   */
  errorRatio: number;
  maxAbsError: number;
  maxAbsReference: number;
  /** GPU programs the kernel ran, by program class name (the stock kernel's is `Conv2DDerFilterProgram`). */
  programs: Record<string, number>;
  /** Tensors and backend buffers left behind by a call of the kernel (0 when it frees what it makes). */
  tensorsLeaked: number;
  buffersLeaked: number;
}

export type BenchBackendName = GpuBackendName | 'wasm';
/**
 * 'stock': tfjs's own Conv2DBackpropFilter; 'project': this project's (on wasm, which ships none, the
 * project's wasm kernels: the only variant there).
 */
export type KernelVariant = 'stock' | 'project';

export interface TrainingStepBenchOptions {
  backend: BenchBackendName;
  /** The variants to time, their steps alternating so that a drifting load hits them alike. */
  variants: KernelVariant[];
  batch: number;
  /** Timed steps of each variant, after one untimed warm-up step of each (which compiles the shaders). */
  steps: number;
}

export interface TrainingStepBench {
  backend: BenchBackendName;
  variant: KernelVariant;
  /** What the backend runs on: the WebGPU adapter, the WebGL renderer, or 'WebAssembly'. */
  device: string;
  msPerStep: number[];
  medianMs: number;
  /** GPU programs dispatched in one step (forward, backward, Adam), in total and by program class. */
  programsPerStep: number;
  programsByName: Record<string, number>;
  /** The last step's loss: a fresh network on random labels gives about ln 10 ≈ 2.3 (a sanity check). */
  loss: number;
  tensorsLeaked: number;
}

export interface FilterGradientTiming {
  name: string;
  backend: GpuBackendName;
  /** Median ms of one kernel call, awaited with data(), per variant. */
  medianMs: Record<KernelVariant, number>;
}

export interface GpuHarness {
  checkFilterGradient(backend: GpuBackendName, cases: FilterGradientCase[]): Promise<FilterGradientCheck[]>;
  benchTrainingStep(options: TrainingStepBenchOptions): Promise<TrainingStepBench[]>;
  /** Times the filter gradient alone, the variants interleaved call by call. */
  timeFilterGradient(backend: GpuBackendName, c: FilterGradientCase, repeats: number): Promise<FilterGradientTiming>;
}
