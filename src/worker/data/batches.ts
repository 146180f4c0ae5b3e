/**
 * Turning raw MNIST bytes into model input, exactly as torchvision's ToTensor + Normalize((0.1307,),
 * (0.3081,)) do: x = (pixel/255 − 0.1307) / 0.3081, each operation rounded to float32 like PyTorch's.
 * Pure typed-array code: no tfjs, no DOM.
 */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;
export const IMAGE_SIZE = 28 * 28;

const f32 = Math.fround;

/** The 256 possible normalized values, so a batch is a table look-up per pixel. */
export const NORMALIZED_PIXEL: Float32Array = Float32Array.from({ length: 256 }, (_, pixel) =>
  f32(f32(f32(pixel / 255) - f32(MNIST_MEAN)) / f32(MNIST_STD)),
);

/**
 * Normalized pixels of images `order[start…end)`, row-major [count, 28, 28] (i.e. NHWC with C = 1),
 * written into `into` when given (exactly that long), else into a new array.
 */
export function gatherImages(images: Uint8Array, order: ArrayLike<number>, start: number, end: number, into?: Float32Array): Float32Array {
  const length = (end - start) * IMAGE_SIZE;
  if (into && into.length !== length) throw new Error(`gatherImages: ${end - start} images into an array of ${into.length} values`);
  const out = into ?? new Float32Array(length);
  for (let row = 0; row < end - start; row++) {
    const source = order[start + row] * IMAGE_SIZE;
    const target = row * IMAGE_SIZE;
    for (let i = 0; i < IMAGE_SIZE; i++) out[target + i] = NORMALIZED_PIXEL[images[source + i]];
  }
  return out;
}

export function gatherLabels(labels: Uint8Array, order: ArrayLike<number>, start: number, end: number): Int32Array {
  const out = new Int32Array(end - start);
  for (let row = 0; row < end - start; row++) out[row] = labels[order[start + row]];
  return out;
}

/** Intensities in [0, 1] (a drawn digit after preprocessing) normalized like the training images. */
export function normalizeIntensities(intensities: Float32Array): Float32Array {
  const mean = f32(MNIST_MEAN);
  const std = f32(MNIST_STD);
  return intensities.map((x) => f32(f32(x - mean) / std));
}

/** Batches of an epoch with the last partial batch kept (DataLoader's default drop_last=False). */
export function batchCount(samples: number, batchSize: number): number {
  return Math.ceil(samples / batchSize);
}

/** The identity order 0…n−1, for evaluation in dataset order. */
export function sequentialOrder(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => i);
}
