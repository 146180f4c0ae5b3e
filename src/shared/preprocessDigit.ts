/**
 * Turns a hand-drawn digit into a 28×28 input prepared the way the MNIST digits were (LeCun et al.):
 * the ink's bounding box is size-normalized, preserving its aspect ratio, so that its longer side is
 * 20 px, anti-aliased, and the result is placed in a 28×28 frame with its centre of mass at the centre.
 *
 * Coordinates are continuous throughout: pixel i covers [i, i + 1), so its centre is i + 0.5. The
 * scale and the centring translation are one affine map, source → frame, applied in a single
 * resampling pass: no intermediate 20×20 image whose size would have to be rounded, and no second
 * interpolation (a separate sub-pixel shift would blur the strokes a second time).
 *
 * Where MNIST's centre of mass sits: on the 10,000 test images the intensity-weighted centre, in
 * this convention, has mean (14.51, 14.49), standard deviation 0.29 on each axis, and every value in
 * [14, 15]. That is a uniform spread over one pixel (1/√12 ≈ 0.289): MNIST translated by whole pixels
 * so that the centre of mass fell inside pixel (14, 14), i.e. at (14, 14) in integer-index
 * coordinates, not at the frame's geometric centre 14.0 here. This module centres at the middle of
 * that pixel, 14.5, the mean of what the model was trained on, and does so exactly rather than to the
 * nearest pixel: rounding would add up to half a pixel of jitter that depends on where on the canvas
 * the digit happened to be drawn.
 */

/** A grayscale image: `values` row-major, width×height, ink intensity in [0, 1] (0 = background). */
export interface GrayImage {
  width: number;
  height: number;
  values: Float32Array;
}

/** A rectangle of whole pixels: columns [left, right), rows [top, bottom). */
export interface PixelBox {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** A point in continuous pixel coordinates (pixel i covers [i, i + 1)). */
export interface Point {
  x: number;
  y: number;
}

/** Maps source coordinates to destination ones: destination = scale · source + offset, per axis. */
export interface ScaleAndOffset {
  scale: number;
  offsetX: number;
  offsetY: number;
}

export const MNIST_SIDE = 28;
/** The longer side of the ink's bounding box after size normalization. */
export const MNIST_DIGIT_BOX = 20;
/** Where MNIST's centres of mass sit on average, on both axes (see the module comment). */
export const MNIST_CENTER_OF_MASS = 14.5;
/**
 * Pixels at or below this count as background: they neither widen the bounding box nor pull the
 * centre of mass, so canvas noise and the faint fringes of anti-aliased strokes are ignored.
 */
export const DEFAULT_INK_THRESHOLD = 0.05;
/** How far (px) the output's centre of mass may sit from the target before the offset is corrected. */
const CENTRING_TOLERANCE = 0.01;
/** Corrections converge in one or two; the bound matters when clipped ink keeps the target out of reach. */
const MAX_CENTRING_CORRECTIONS = 3;

/** The smallest box holding every pixel brighter than `inkThreshold`, or null when there is none. */
export function inkBoundingBox(image: GrayImage, inkThreshold = DEFAULT_INK_THRESHOLD): PixelBox | null {
  const { width, height, values } = image;
  let left = width;
  let right = 0;
  let top = height;
  let bottom = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (values[row + x] > inkThreshold) {
        if (x < left) left = x;
        if (x >= right) right = x + 1;
        if (y < top) top = y;
        bottom = y + 1;
      }
    }
  }
  return right > left ? { left, top, right, bottom } : null;
}

/** Intensity-weighted centre of the pixels brighter than `inkThreshold`, or null when there is no ink. */
export function centerOfMass(image: GrayImage, inkThreshold = 0): Point | null {
  const { width, height, values } = image;
  let mass = 0;
  let momentX = 0;
  let momentY = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const value = values[row + x];
      if (value > inkThreshold) {
        mass += value;
        momentX += value * (x + 0.5);
        momentY += value * (y + 0.5);
      }
    }
  }
  return mass > 0 ? { x: momentX / mass, y: momentY / mass } : null;
}

/** The pixels of `box`, with everything at or below `inkThreshold` set to background. */
function cropInk(image: GrayImage, box: PixelBox, inkThreshold: number): GrayImage {
  const width = box.right - box.left;
  const height = box.bottom - box.top;
  const values = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const sourceRow = (box.top + y) * image.width + box.left;
    for (let x = 0; x < width; x++) {
      const value = image.values[sourceRow + x];
      values[y * width + x] = value > inkThreshold ? value : 0;
    }
  }
  return { width, height, values };
}

/** The source pixels one destination pixel reads along an axis: source[first + k] · weights[k]. */
interface Taps {
  first: number;
  weights: Float64Array;
}

/**
 * For each destination pixel along one axis, the weights of the source pixels it averages. The
 * destination pixel's footprint, mapped back into the source, is a window `1 / scale` source pixels
 * wide; its value is the mean of the (piecewise-constant) source over that window, i.e. each source
 * pixel weighs by the length of its overlap. When shrinking this is exact area averaging, fractional
 * window edges included, so a 14× reduction of a 280-px drawing cannot alias. When enlarging, a
 * window narrower than a source pixel would just pick one pixel (nearest neighbour, blocky), so the
 * window is widened to one source pixel: a one-pixel box over a box-shaped source is the tent kernel,
 * i.e. bilinear interpolation between pixel centres. Both rules agree at scale 1, so the result does
 * not jump as a drawing's size crosses 20 px. Source pixels outside the image count as background.
 */
function axisTaps(sourceLength: number, destinationLength: number, scale: number, offset: number): Taps[] {
  const windowWidth = Math.max(1 / scale, 1);
  const taps: Taps[] = [];
  for (let i = 0; i < destinationLength; i++) {
    const centre = (i + 0.5 - offset) / scale;
    const start = centre - windowWidth / 2;
    const end = centre + windowWidth / 2;
    const first = Math.max(0, Math.floor(start));
    const last = Math.min(sourceLength, Math.ceil(end));
    const weights = new Float64Array(Math.max(0, last - first));
    for (let j = first; j < last; j++) {
      weights[j - first] = (Math.min(end, j + 1) - Math.max(start, j)) / windowWidth;
    }
    taps.push({ first, weights });
  }
  return taps;
}

/**
 * Resamples `image` through `destination = scale · source + offset` into a width×height image, by
 * area averaging (see `axisTaps`). Scaling and translation are separable, so this runs as a
 * horizontal pass over the source rows followed by a vertical pass: about (source height × width ×
 * window) + (width × height × window) multiply-adds, not one per source pixel per destination pixel.
 */
export function resampleArea(image: GrayImage, transform: ScaleAndOffset, width: number, height: number): GrayImage {
  const columnTaps = axisTaps(image.width, width, transform.scale, transform.offsetX);
  const rowTaps = axisTaps(image.height, height, transform.scale, transform.offsetY);

  const rowsResampled = new Float64Array(image.height * width);
  for (let y = 0; y < image.height; y++) {
    const sourceRow = y * image.width;
    for (let x = 0; x < width; x++) {
      const { first, weights } = columnTaps[x];
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * image.values[sourceRow + first + k];
      rowsResampled[y * width + x] = sum;
    }
  }

  const values = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const { first, weights } = rowTaps[y];
    for (let k = 0; k < weights.length; k++) {
      const weight = weights[k];
      const sourceRow = (first + k) * width;
      for (let x = 0; x < width; x++) values[y * width + x] += weight * rowsResampled[sourceRow + x];
    }
  }
  return { width, height, values };
}

/**
 * 784 intensities in [0, 1] (ink bright, like MNIST after ToTensor), row-major 28×28, or null when
 * there is no ink. Normalization with MNIST's mean and standard deviation is left to the model's side.
 */
export function preprocessDigit(image: GrayImage, options?: { inkThreshold?: number }): Float32Array | null {
  const inkThreshold = options?.inkThreshold ?? DEFAULT_INK_THRESHOLD;
  const box = inkBoundingBox(image, inkThreshold);
  if (box === null) return null;
  const ink = cropInk(image, box, inkThreshold);
  // The crop holds ink by construction, so it has a centre of mass.
  const centre = centerOfMass(ink) as Point;

  const scale = MNIST_DIGIT_BOX / Math.max(ink.width, ink.height);
  const transform: ScaleAndOffset = {
    scale,
    offsetX: MNIST_CENTER_OF_MASS - scale * centre.x,
    offsetY: MNIST_CENTER_OF_MASS - scale * centre.y,
  };
  // The map sends the source's centre of mass to the target, but the 28×28 image's own centre of
  // mass (what MNIST centred) differs from it by pixel quantization: about 0.001 px when a 280-px
  // drawing is shrunk 10×, but up to about 0.2 px when a small one is enlarged and each source pixel
  // spans only a few output pixels. So measure the output and resample again from the source with the
  // offset corrected; each pass is a fresh single resampling, so nothing is blurred twice.
  let output = resampleArea(ink, transform, MNIST_SIDE, MNIST_SIDE);
  for (let correction = 0; correction < MAX_CENTRING_CORRECTIONS; correction++) {
    const outputCentre = centerOfMass(output);
    if (outputCentre === null) break;
    const errorX = outputCentre.x - MNIST_CENTER_OF_MASS;
    const errorY = outputCentre.y - MNIST_CENTER_OF_MASS;
    if (Math.max(Math.abs(errorX), Math.abs(errorY)) < CENTRING_TOLERANCE) break;
    transform.offsetX -= errorX;
    transform.offsetY -= errorY;
    output = resampleArea(ink, transform, MNIST_SIDE, MNIST_SIDE);
  }
  // Ink mapped outside the frame (only extreme, lopsided shapes reach it) is dropped by the taps.
  const { values } = output;
  // Each output pixel is a weighted mean of input pixels, so only float rounding, or input outside
  // the documented [0, 1], can leave the range.
  for (let i = 0; i < values.length; i++) values[i] = Math.min(1, Math.max(0, values[i]));
  return values;
}
