/**
 * `Conv2DBackpropFilter` for the webgpu and webgl backends as a matrix product.
 *
 * Why: tfjs 4.22's own kernels on both backends run one GPU thread per filter weight, each summing
 * over the whole batch serially (conv1 of the SimpleCNN at batch 128: 288 threads of 100,352 products
 * each), a poor fit for a GPU and about half of a training step's time on both backends.
 *
 * What (NHWC, dilation 1, as tfjs-backend-cpu's kernel):
 *
 *   dW[kh, kw, ci, co] = Σ_{b, y, x} Xpad[b, y·sH + kh, x·sW + kw, ci] · dY[b, y, x, co]
 *
 * With cols = im2col(x) (one row per output position (b, y, x), one column per filter tap
 * k = (kh, kw, ci)) this is dW = colsᵀ · dY, dY read as [positions, outC], K = fH·fW·inC rows. The
 * sum over positions is long and the result small, so both routes cut the batch into splits of whole
 * images (`splitCount`), sum each split in its own GPU threads and add the partial results: a GPU
 * then has thousands of threads for conv1's 9 × 32 result instead of a handful.
 *
 * Two routes, chosen per backend by measurement (headless Chromium's SwiftShader adapters, SimpleCNN
 * at batch 128, the kernel alone; stock → this):
 *   - WebGPU: one program of our own that multiplies with im2col done on the fly
 *     (./gpuFilterGradientWebGpu): conv1 257 → 79 ms, conv2 3,700 → 820 ms, conv3 3,660 → 1,590 ms.
 *     im2col + tfjs-webgpu's matMul measured slower there (conv1 1,190 ms, conv2 5,640, conv3 6,630
 *     under the same load as stock's 590 / 8,900 / 7,900): its tiled matMul programs crawl on this
 *     adapter, and cols is a 29 MB buffer (conv2).
 *   - WebGL: `im2ColMatMul` below, im2col (./gpuIm2ColWebGl) then tfjs-webgl's packed matMul, one
 *     batched product over the splits and a Sum: conv1 328 → 78 ms, conv2 6,860 → 920 ms, conv3
 *     1,730 → 310 ms. A fragment shader cannot share loads between threads, and the packed matMul
 *     reads 2 × 2 blocks of both operands per fetch; a fused shader would fetch twice as often.
 *
 * Anything else (NCHW, other dtypes, a dy larger than conv2d's output, which tfjs passes after a
 * 'ceil'/'round' forward) goes to the kernel this one replaced (./kernelReplacement).
 *
 * Memory: the inputs x and dy are borrowed; every TensorInfo another kernel or program returns holds
 * one reference on its buffer and is released with `backend.disposeData` once (`KernelScope`); the
 * result's single reference goes to the engine.
 */
import { Add, BatchMatMul, Reshape, Slice, Sum, backend_util, getKernel } from '@tensorflow/tfjs';
import type {
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropFilterInputs,
  KernelBackend,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs';
import type { KernelReplacement } from './kernelReplacement';

/** Patch values one im2col pass may hold: 2^23 floats, 32 MiB (the SimpleCNN's largest at batch 128 is 7.2 M). */
export const MAX_IM2COL_FLOATS = 1 << 23;
/** Aim for at least this many GPU threads per product (a large GPU runs tens of thousands at once). */
export const TARGET_THREADS = 16384;

/**
 * How many splits of whole images a batch's sum is cut into: the fewest that divide the batch and give
 * `target` threads at `threadsPerSplit` each (one per image at most).
 */
export function splitCount(batchSize: number, threadsPerSplit: number, target = TARGET_THREADS): number {
  for (let splits = 1; splits < batchSize; splits++) {
    if (batchSize % splits === 0 && splits * threadsPerSplit >= target) return splits;
  }
  return Math.max(1, batchSize);
}

/** One im2col pass: its images, and the shape [splits, rows per split, K] of its patch matrix. */
export interface Im2ColPass {
  firstImage: number;
  images: number;
  outputShape: [number, number, number];
}

interface PlanInput {
  batchSize: number;
  positionsPerImage: number;
  patchSize: number;
  /** GPU threads the product of one split runs. */
  threadsPerSplit: number;
  maxIm2ColFloats?: number;
  targetThreads?: number;
}

/**
 * The passes over the batch: as few as the memory bound allows, of equal size but for a smaller last
 * one; each pass cut into `splitCount` splits.
 */
export function planIm2ColPasses({
  batchSize,
  positionsPerImage,
  patchSize,
  threadsPerSplit,
  maxIm2ColFloats = MAX_IM2COL_FLOATS,
  targetThreads = TARGET_THREADS,
}: PlanInput): Im2ColPass[] {
  const imagesFit = Math.max(1, Math.floor(maxIm2ColFloats / (positionsPerImage * patchSize)));
  const passCount = Math.ceil(batchSize / imagesFit);
  const imagesPerPass = Math.ceil(batchSize / passCount);
  const passes: Im2ColPass[] = [];
  for (let firstImage = 0; firstImage < batchSize; firstImage += imagesPerPass) {
    const images = Math.min(imagesPerPass, batchSize - firstImage);
    const splits = splitCount(images, threadsPerSplit, targetThreads);
    passes.push({ firstImage, images, outputShape: [splits, (images / splits) * positionsPerImage, patchSize] });
  }
  return passes;
}

/** Writes one pass's patch matrix; the result belongs to the caller. */
export type Im2Col<B extends KernelBackend> = (
  backend: B,
  x: TensorInfo,
  convInfo: backend_util.Conv2DInfo,
  pass: Im2ColPass,
) => TensorInfo;

/** Runs other kernels of the same backend, and keeps account of the buffers a computation owns. */
export interface KernelScope<B extends KernelBackend> {
  backend: B;
  run(kernelName: string, inputs: NamedTensorInfoMap, attrs?: NamedAttrMap): TensorInfo;
  /** Marks a buffer as the computation's to release (any still owned are released if it throws). */
  own(info: TensorInfo): TensorInfo;
  release(info: TensorInfo): void;
}

/**
 * Computes dW as a [K, outC] matrix (K = fH·fW·inC) owned by the caller. x and dy are NHWC float32,
 * dy exactly conv2d's output shape, and no dimension is 0.
 */
export type FilterGradientMatrix<B extends KernelBackend> = (
  scope: KernelScope<B>,
  x: TensorInfo,
  dy: TensorInfo,
  convInfo: backend_util.Conv2DInfo,
) => TensorInfo;

/**
 * The im2col route: per pass, im2col → cols [splits, rows, K], one batched colsᵀ · dY → [splits, K,
 * outC], a Sum over the splits; the passes' sums added. The passes bound cols to MAX_IM2COL_FLOATS
 * (the SimpleCNN at batch 128 fits in one: conv2's cols is 7.2 M floats).
 */
export function im2ColMatMul<B extends KernelBackend>(im2col: Im2Col<B>): FilterGradientMatrix<B> {
  return ({ backend, run, own, release }, x, dy, convInfo) => {
    const { batchSize, outHeight, outWidth, outChannels, filterHeight, filterWidth, inChannels } = convInfo;
    const patchSize = filterHeight * filterWidth * inChannels;
    let total: TensorInfo | null = null;
    // tfjs-webgl's matMul program: one thread per 2 × 2 block of the [K, outC] result.
    const threadsPerSplit = Math.ceil(patchSize / 2) * Math.ceil(outChannels / 2);
    for (const pass of planIm2ColPasses({ batchSize, positionsPerImage: outHeight * outWidth, patchSize, threadsPerSplit })) {
      const [splits, rows] = pass.outputShape;
      const cols = own(im2col(backend, x, convInfo, pass));
      const dyPass: TensorInfo =
        pass.images === batchSize
          ? dy
          : own(run(Slice, { x: dy }, { begin: [pass.firstImage, 0, 0, 0], size: [pass.images, outHeight, outWidth, outChannels] }));
      const dyRows = own(run(Reshape, { x: dyPass }, { shape: [splits, rows, outChannels] }));
      if (dyPass !== dy) release(dyPass);
      const products = own(run(BatchMatMul, { a: cols, b: dyRows }, { transposeA: true, transposeB: false }));
      release(cols);
      release(dyRows);
      const sum = own(
        splits === 1
          ? run(Reshape, { x: products }, { shape: [patchSize, outChannels] })
          : run(Sum, { x: products }, { axis: 0, keepDims: false }),
      );
      release(products);
      if (total == null) {
        total = sum;
      } else {
        const added = own(run(Add, { a: total, b: sum }));
        release(total);
        release(sum);
        total = added;
      }
    }
    return total as TensorInfo;
  };
}

/**
 * The kernel for one backend, given how it computes the [K, outC] matrix; `replacement()` is the
 * registration whose fallback runs the kernel this one replaced (a function: each is made from the other).
 */
export function gpuConv2DBackpropFilter<B extends KernelBackend>(
  backendName: string,
  filterGradientMatrix: FilterGradientMatrix<B>,
  replacement: () => KernelReplacement,
): KernelFunc {
  return (args) => {
    const backend = args.backend as B;
    const { x, dy } = args.inputs as Conv2DBackpropFilterInputs;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    if (x == null || dy == null) throw new Error(`Conv2DBackpropFilter (${backendName}): inputs x and dy are required`);
    if (
      backend_util.convertConv2DDataFormat(dataFormat) !== 'channelsLast' ||
      x.dtype !== 'float32' ||
      dy.dtype !== 'float32' ||
      x.shape.length !== 4 ||
      dy.shape.length !== 4
    ) {
      return replacement().fallback(args);
    }
    const convInfo = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      1 /* dilations: conv2d's gradient only supports 1 */,
      pad,
      dimRoundingMode,
      false /* depthwise */,
      'channelsLast',
    );
    const { batchSize, outHeight, outWidth, outChannels, filterHeight, filterWidth, inChannels } = convInfo;
    const dyMatchesOutput = dy.shape.every((d, i) => d === [batchSize, outHeight, outWidth, outChannels][i]);
    if (!dyMatchesOutput || batchSize * outHeight * outWidth * filterHeight * filterWidth * inChannels * outChannels === 0) {
      return replacement().fallback(args);
    }

    const owned = new Set<TensorInfo>();
    const scope: KernelScope<B> = {
      backend,
      run(kernelName, inputs, attrs = {}) {
        const kernel = getKernel(kernelName, backendName);
        if (kernel == null) throw new Error(`Conv2DBackpropFilter (${backendName}): kernel ${kernelName} is not registered`);
        return kernel.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
      },
      own(info) {
        owned.add(info);
        return info;
      },
      release(info) {
        owned.delete(info);
        backend.disposeData(info.dataId);
      },
    };
    try {
      const matrix = scope.own(filterGradientMatrix(scope, x, dy, convInfo));
      const result = scope.run(Reshape, { x: matrix }, { shape: [...convInfo.filterShape] });
      scope.release(matrix);
      return result;
    } finally {
      for (const info of [...owned]) scope.release(info);
    }
  };
}
