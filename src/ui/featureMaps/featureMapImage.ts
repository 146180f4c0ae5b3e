/**
 * Lays out one conv block's activations (HWC, all ≥ 0 after the ReLU) as a grid of small heatmaps in one
 * RGBA image: one canvas per layer instead of hundreds. Pure, so the layout and scaling are unit-tested.
 */
import type { FeatureMap } from '../../shared/protocol';

/** Pixels between neighbouring maps (left transparent, so the page's background shows). */
export const GAP = 1;

export interface FeatureMapGrid {
  width: number;
  height: number;
  columns: number;
  rows: number;
  rgba: Uint8ClampedArray<ArrayBuffer>;
  /** Each channel's largest activation: a map is scaled to its own maximum, so its pattern shows. */
  maxima: Float32Array;
}

/** Dark blue → teal → yellow (viridis-like), readable for the common colour-vision deficiencies. */
const STOPS: [number, number, number][] = [
  [13, 8, 40],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** The colour for a value in [0, 1]. */
export function heatColour(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [STOPS[i], STOPS[i + 1]];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as [number, number, number];
}

export function featureMapGrid(map: FeatureMap, columns: number): FeatureMapGrid {
  const { height, width, channels, values } = map;
  if (values.length !== height * width * channels) throw new Error(`${map.layer}: expected ${height * width * channels} values, got ${values.length}`);
  const rows = Math.ceil(channels / columns);
  const gridWidth = columns * (width + GAP) - GAP;
  const gridHeight = rows * (height + GAP) - GAP;
  const maxima = new Float32Array(channels);
  for (let i = 0; i < values.length; i++) {
    const c = i % channels;
    if (values[i] > maxima[c]) maxima[c] = values[i];
  }
  const rgba = new Uint8ClampedArray(gridWidth * gridHeight * 4);
  for (let c = 0; c < channels; c++) {
    const left = (c % columns) * (width + GAP);
    const top = Math.floor(c / columns) * (height + GAP);
    const scale = maxima[c] > 0 ? 1 / maxima[c] : 0; // a map that is all zero stays at the darkest colour
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const [r, g, b] = heatColour(values[(y * width + x) * channels + c] * scale);
        rgba.set([r, g, b, 255], ((top + y) * gridWidth + left + x) * 4);
      }
    }
  }
  return { width: gridWidth, height: gridHeight, columns, rows, rgba, maxima };
}

/** Which channel's map is under a point of the grid image, or null on a gap or outside. */
export function channelAt(map: Pick<FeatureMap, 'height' | 'width' | 'channels'>, columns: number, x: number, y: number): number | null {
  const column = Math.floor(x / (map.width + GAP));
  const row = Math.floor(y / (map.height + GAP));
  if (x < 0 || y < 0 || column >= columns) return null;
  if (x - column * (map.width + GAP) >= map.width || y - row * (map.height + GAP) >= map.height) return null;
  const channel = row * columns + column;
  return channel < map.channels ? channel : null;
}
