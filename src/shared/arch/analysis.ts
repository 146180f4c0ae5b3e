/**
 * What a spec computes, layer by layer, without building it: each layer's output shape, trainable
 * parameters, buffers (BatchNorm's running statistics), multiply-adds per image and receptive field, and
 * the totals. The editor shows these live; validation refuses on the problems found on the way.
 *
 * Shapes follow PyTorch's arithmetic: a conv gives ⌊(n + 2p − k) / s⌋ + 1 px (p = ⌊k/2⌋ for 'same', 0 for
 * 'valid'), a 2×2 pool ⌊n / 2⌋. So the seed's 28 → 14 → 7 → 3, and a stride-2 conv on 7 px gives 4.
 *
 * Multiply-adds count the convolutions and the dense layers (one per weight use: outH·outW·outC·k·k·inC
 * and in·out), the usual convention; biases, BatchNorm, activations and pooling are left out.
 *
 * The receptive field of a conv or pool output is `size` input pixels across, its neighbours `jump`
 * pixels apart: a k×k conv adds (k − 1)·jump to the size, a stride s multiplies the jump, a 2×2 pool adds
 * one jump and doubles it. After the head every feature depends on the whole image (null).
 */
import {
  CLASS_COUNT,
  INPUT_CHANNELS,
  INPUT_SIZE,
  ARCH_LIMITS,
  batchNormName,
  convName,
  denseName,
  poolName,
  type ArchSpec,
} from './archSpec';
import type { ArchLayerRef, ArchProblem } from './problems';

export type LayerKind = 'conv' | 'batchNorm' | 'pool' | 'flatten' | 'globalAvgPool' | 'dense';

export interface ReceptiveField {
  /** Input pixels across that one output value depends on. */
  size: number;
  /** Input pixels between two neighbouring outputs. */
  jump: number;
}

export interface LayerAnalysis {
  /** The PyTorch module's name (`conv1`, `bn1`, `fc2`); `pool1`, `flatten` and `gap` have no parameters. */
  name: string;
  kind: LayerKind;
  at: ArchLayerRef;
  /** [height, width, channels] for maps, [features] after the head. */
  inputShape: readonly number[];
  outputShape: readonly number[];
  /** Trainable parameters. */
  parameters: number;
  /** Non-trainable state: BatchNorm's running mean and variance. */
  buffers: number;
  /** Multiply-adds per image. */
  macs: number;
  /** Null after the head, where every feature sees the whole image. */
  receptiveField: ReceptiveField | null;
}

export interface ArchAnalysis {
  /** In forward order; when a map breaks (see `problems`) the list stops at the layer that broke it. */
  layers: LayerAnalysis[];
  totals: { parameters: number; buffers: number; macs: number };
  /** The map's size at the input and after each conv block, e.g. [28, 14, 7, 3]. */
  spatialSizes: number[];
  /** What the analysis refuses: maps that break, more parameters than the limit. */
  problems: ArchProblem[];
}

/** The analysis of a structurally valid spec (see `checkArchSpec` for arbitrary input). */
export function analyzeArch(spec: ArchSpec): ArchAnalysis {
  const layers: LayerAnalysis[] = [];
  const problems: ArchProblem[] = [];
  const spatialSizes = [INPUT_SIZE];
  let size = INPUT_SIZE;
  let channels = INPUT_CHANNELS;
  let field: ReceptiveField = { size: 1, jump: 1 };
  let mapBroken = false;

  for (const [block, conv] of spec.convBlocks.entries()) {
    const at: ArchLayerRef = { kind: 'conv', block };
    const pad = conv.padding === 'same' ? Math.floor(conv.kernel / 2) : 0;
    if (size + 2 * pad < conv.kernel) {
      problems.push({ kind: 'kernelLargerThanInput', at, kernel: conv.kernel, inputSize: size });
      mapBroken = true;
      break;
    }
    const convSize = Math.floor((size + 2 * pad - conv.kernel) / conv.stride) + 1;
    const mapIn = [size, size, channels];
    const mapOut = [convSize, convSize, conv.channels];
    field = { size: field.size + (conv.kernel - 1) * field.jump, jump: field.jump * conv.stride };
    const weights = conv.kernel * conv.kernel * channels * conv.channels;
    layers.push({
      name: convName(block),
      kind: 'conv',
      at,
      inputShape: mapIn,
      outputShape: mapOut,
      parameters: weights + (conv.batchNorm ? 0 : conv.channels),
      buffers: 0,
      macs: convSize * convSize * weights,
      receptiveField: field,
    });
    if (conv.batchNorm) {
      layers.push({
        name: batchNormName(block),
        kind: 'batchNorm',
        at,
        inputShape: mapOut,
        outputShape: mapOut,
        parameters: 2 * conv.channels,
        buffers: 2 * conv.channels,
        macs: 0,
        receptiveField: field,
      });
    }
    size = convSize;
    channels = conv.channels;
    if (conv.pooling !== 'none') {
      if (size < 2) {
        problems.push({ kind: 'pooledBelowOnePixel', at, inputSize: size });
        mapBroken = true;
        break;
      }
      field = { size: field.size + field.jump, jump: field.jump * 2 };
      layers.push({
        name: poolName(block),
        kind: 'pool',
        at,
        inputShape: [size, size, channels],
        outputShape: [size >> 1, size >> 1, channels],
        parameters: 0,
        buffers: 0,
        macs: 0,
        receptiveField: field,
      });
      size >>= 1;
    }
    spatialSizes.push(size);
  }

  if (!mapBroken) {
    const headAt: ArchLayerRef = { kind: 'head' };
    const map = [size, size, channels];
    let features = spec.head.kind === 'flatten' ? size * size * channels : channels;
    layers.push({
      name: spec.head.kind === 'flatten' ? 'flatten' : 'gap',
      kind: spec.head.kind,
      at: headAt,
      inputShape: map,
      outputShape: [features],
      parameters: 0,
      buffers: 0,
      macs: 0,
      receptiveField: null,
    });
    const widths = [...spec.dense.map((layer) => layer.units), CLASS_COUNT];
    for (const [index, units] of widths.entries()) {
      layers.push({
        name: denseName(index),
        kind: 'dense',
        at: index < spec.dense.length ? { kind: 'dense', index } : { kind: 'output' },
        inputShape: [features],
        outputShape: [units],
        parameters: features * units + units,
        buffers: 0,
        macs: features * units,
        receptiveField: null,
      });
      features = units;
    }
  }

  const totals = layers.reduce(
    (sum, layer) => ({
      parameters: sum.parameters + layer.parameters,
      buffers: sum.buffers + layer.buffers,
      macs: sum.macs + layer.macs,
    }),
    { parameters: 0, buffers: 0, macs: 0 },
  );
  if (totals.parameters > ARCH_LIMITS.parameters) {
    problems.push({ kind: 'tooManyParameters', count: totals.parameters, limit: ARCH_LIMITS.parameters });
  }
  return { layers, totals, spatialSizes, problems };
}

/** The map sizes as the seed's notes write them: `28→14→7→3` (just `28` without conv blocks). */
export function spatialSummary(analysis: ArchAnalysis): string {
  return analysis.spatialSizes.join('→');
}
