import { expect, test, type Page, type TestInfo } from '@playwright/test';
import type { FilterGradientCase, FilterGradientCheck, GpuBackendName } from './harness/gpuHarnessApi';

/*
 * This project's GPU Conv2DBackpropFilter (src/worker/backends/gpuKernels.ts) on webgpu and webgl against
 * the cpu backend's kernel, in headless Chromium's software adapters (SwiftShader: WebGPU only with
 * --enable-unsafe-webgpu, hence the file name, which puts it in the chromium-webgpu project).
 *
 * Tolerance. Summing n float32 terms in any order errs by at most about n·2⁻²⁴·Σ|terms|, in practice
 * by about √n·2⁻²⁴·Σ|terms|; and for a weight (kh, kw, ci, co) Σ|terms| ≤ ‖x[…, ci]‖·‖dy[…, co]‖
 * (Cauchy–Schwarz), a scale that costs nothing to compute. For the longest sums here (conv1 at batch
 * 128, ~10⁵ terms) the practical bound is ≈ 2·10⁻⁵ of that scale; the kernels, which sum in blocks,
 * measure ≤ 1.6·10⁻⁷ on these adapters. The limit, 4·10⁻⁶, is 25× what is measured and far under what
 * a real bug gives (a missed image, row, tap or padding offset: 10⁻² to 10⁻¹ when tried).
 */
const TOLERANCE = 4e-6;

const MODEL_CONVS = [
  { name: 'conv1', x: [28, 28, 1], filter: [3, 3, 1, 32] },
  { name: 'conv2', x: [14, 14, 32], filter: [3, 3, 32, 64] },
  { name: 'conv3', x: [7, 7, 64], filter: [3, 3, 64, 128] },
] as const;

/** The kernel handles these: every conv of the SimpleCNN at batch 1, 7 and 128, and other shapes. */
const COVERED: FilterGradientCase[] = [
  ...[1, 7, 128].flatMap((batch) =>
    MODEL_CONVS.map(({ name, x, filter }, i) => ({
      name: `SimpleCNN ${name} at batch ${batch}`,
      x: [batch, ...x] as FilterGradientCase['x'],
      filter: [...filter] as FilterGradientCase['filter'],
      strides: 1,
      pad: 'same' as const,
      seed: batch * 10 + i,
    })),
  ),
  { name: '5×5 same', x: [3, 12, 12, 8], filter: [5, 5, 8, 16], strides: 1, pad: 'same', seed: 1 },
  { name: '3×3 valid', x: [4, 13, 13, 4], filter: [3, 3, 4, 8], strides: 1, pad: 'valid', seed: 2 },
  // Odd sizes: 'same' at stride 2 pads unevenly; channels that are not multiples of 4.
  { name: 'stride 2, same', x: [5, 15, 15, 6], filter: [3, 3, 6, 12], strides: 2, pad: 'same', seed: 3 },
  { name: '5×5 stride 2, valid', x: [2, 16, 16, 4], filter: [5, 5, 4, 8], strides: 2, pad: 'valid', seed: 4 },
  {
    name: 'explicit padding, strides [2, 1], 3 → 5 channels',
    x: [2, 11, 10, 3],
    filter: [5, 5, 3, 5],
    strides: [2, 1],
    pad: [[0, 0], [1, 2], [2, 0], [0, 0]],
    seed: 5,
  },
  // WebGL's im2col runs in passes of at most 2^23 patch values: 784 × 800 per image here, so 4 passes.
  { name: 'several im2col passes', x: [40, 28, 28, 32], filter: [5, 5, 32, 2], strides: 1, pad: 'same', seed: 6 },
];

/** Arguments the kernel leaves to the one it replaced. */
const FALLBACK: FilterGradientCase[] = [
  { name: 'NCHW (fallback)', x: [2, 6, 9, 9], filter: [3, 3, 6, 4], strides: 1, pad: 'same', dataFormat: 'NCHW', seed: 7 },
  // After a 'ceil' forward conv, tfjs hands the gradient a dy larger than its own conv info expects.
  { name: "dy of a 'ceil' forward (fallback)", x: [2, 10, 10, 4], filter: [3, 3, 4, 4], strides: 2, pad: 1, forwardDimRoundingMode: 'ceil', seed: 8 },
];

/** The program each backend's kernel runs (and the stock kernel's, which it must not). */
const OWN_PROGRAM: Record<GpuBackendName, string> = { webgpu: 'FilterGradientProgram', webgl: 'FilterGradientIm2ColProgram' };
const STOCK_PROGRAM = 'Conv2DDerFilterProgram';

/** The harness page is served by the dev server (the build holds only the app): the chromium-dev project's address. */
async function openHarness(page: Page, testInfo: TestInfo): Promise<void> {
  const devBaseUrl = testInfo.config.projects.find((project) => project.name === 'chromium-dev')?.use.baseURL;
  if (!devBaseUrl) throw new Error('playwright.config.ts has no chromium-dev project with a baseURL');
  await page.goto(new URL('/e2e/harness/gpuKernels.html', devBaseUrl).href);
  await page.waitForFunction(() => window.gpuHarness != null);
}

function check(page: Page, backend: GpuBackendName, cases: FilterGradientCase[]): Promise<FilterGradientCheck[]> {
  return page.evaluate(([name, list]) => window.gpuHarness!.checkFilterGradient(name, list), [backend, cases] as const);
}

// One page for both backends: it computes each case's cpu reference once (the batch-128 ones take seconds).
test.describe.configure({ mode: 'serial' });
let page: Page;
test.beforeAll(async ({ browser }, testInfo) => {
  page = await browser.newPage();
  await openHarness(page, testInfo);
});
test.afterAll(async () => {
  await page.close();
});

for (const backend of ['webgpu', 'webgl'] as const) {
  test(`Conv2DBackpropFilter on ${backend} matches the cpu kernel, frees what it makes, and falls back where it must`, async () => {
    for (const result of await check(page, backend, COVERED)) {
      expect.soft(result.errorRatio, `${result.name}: error / (‖x_ci‖·‖dy_co‖)`).toBeLessThan(TOLERANCE);
      expect.soft(result.maxAbsReference, `${result.name}: a non-trivial gradient`).toBeGreaterThan(1);
      expect.soft(result.programs[OWN_PROGRAM[backend]], `${result.name}: this project's program ran`).toBeGreaterThan(0);
      expect.soft(result.programs[STOCK_PROGRAM], `${result.name}: tfjs's own kernel did not`).toBeUndefined();
      expect.soft([result.tensorsLeaked, result.buffersLeaked], `${result.name}: tensors and buffers left`).toEqual([0, 0]);
    }
    for (const result of await check(page, backend, FALLBACK)) {
      expect.soft(result.errorRatio, `${result.name}: error / (‖x_ci‖·‖dy_co‖)`).toBeLessThan(TOLERANCE);
      expect.soft(result.programs[STOCK_PROGRAM], `${result.name}: tfjs's own kernel ran`).toBe(1);
      expect.soft(result.programs[OWN_PROGRAM[backend]], `${result.name}: this project's did not`).toBeUndefined();
      expect.soft([result.tensorsLeaked, result.buffersLeaked], `${result.name}: tensors and buffers left`).toEqual([0, 0]);
    }
  });
}
