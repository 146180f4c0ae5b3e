/**
 * The network as data: a typed, versioned architecture spec from which the worker builds the model,
 * and from which the shapes, the parameter layout, the checkpoint layout and the model files follow.
 *
 * A spec is a stack of conv blocks, a head that turns the last map into a vector, hidden dense
 * layers, and the fixed 10-way output layer. The input is always one 28×28 grayscale image.
 *
 *   conv block  = conv (k×k, stride 1 or 2, padding 'same' = ⌊k/2⌋ or 'valid' = 0)
 *                 → BatchNorm2d (optional) → activation → 2×2 pool, stride 2 (max, avg or none)
 *   head        = flatten (NHWC here, NCHW in PyTorch) or global average pooling, then dropout (optional)
 *   dense layer = linear → activation → dropout (optional)
 *   output      = linear to 10 logits
 *
 * Dropout: the spec says WHERE dropout sits (after the head, after each hidden dense layer); its rate is
 * always the run's live `dropout` setting, the same at every site. That is exactly the seed, whose one
 * `nn.Dropout(0.25)` module runs twice (after the flatten and after fc1), and it keeps a single slider
 * meaningful for every architecture. Site k (0-based, in forward order) draws its mask with the step's
 * dropout seed + k (SimpleCNN: seed after the flatten, seed + 1 after fc1).
 *
 * A conv followed by BatchNorm has no bias (`bias=False`, as in torchvision's ResNets): BatchNorm's
 * shift replaces it, and such a bias gets a gradient of exactly zero in exact arithmetic, i.e. rounding
 * noise that Adam's normalization would turn into steps of ±lr.
 */

export const ARCH_SPEC_VERSION = 1;

/** The input every spec reads: normalized MNIST images, [batch, 28, 28, 1] here. */
export const INPUT_SIZE = 28;
export const INPUT_CHANNELS = 1;
export const CLASS_COUNT = 10;

export const ACTIVATIONS = ['relu', 'gelu', 'tanh'] as const;
/** `gelu` is PyTorch's default `nn.GELU()`, the exact erf form (not the tanh approximation). */
export type Activation = (typeof ACTIVATIONS)[number];

export const POOLINGS = ['max', 'avg', 'none'] as const;
/** 2×2 window, stride 2, no padding: `nn.MaxPool2d(2)` / `nn.AvgPool2d(2)` (floor: 7 → 3). */
export type Pooling = (typeof POOLINGS)[number];

export const KERNEL_SIZES = [3, 5] as const;
export type KernelSize = (typeof KERNEL_SIZES)[number];

export const STRIDES = [1, 2] as const;
export type Stride = (typeof STRIDES)[number];

export const PADDINGS = ['same', 'valid'] as const;
/** 'same' is PyTorch's `padding=k // 2` on every side (at stride 2 too), 'valid' is `padding=0`. */
export type Padding = (typeof PADDINGS)[number];

export const HEAD_KINDS = ['flatten', 'globalAvgPool'] as const;
export type HeadKind = (typeof HEAD_KINDS)[number];

export interface ConvBlockSpec {
  channels: number;
  kernel: KernelSize;
  stride: Stride;
  padding: Padding;
  batchNorm: boolean;
  activation: Activation;
  pooling: Pooling;
}

export interface HeadSpec {
  kind: HeadKind;
  /** Dropout (at the run's rate) on the head's output, before the first dense layer. */
  dropoutAfter: boolean;
}

export interface DenseLayerSpec {
  units: number;
  activation: Activation;
  /** Dropout (at the run's rate) after this layer's activation. */
  dropoutAfter: boolean;
}

export interface ArchSpec {
  version: typeof ARCH_SPEC_VERSION;
  convBlocks: readonly ConvBlockSpec[];
  head: HeadSpec;
  /** Hidden dense layers; the 10-way output layer follows them and is not listed. */
  dense: readonly DenseLayerSpec[];
}

/** Refusal limits (see validate.ts): what the page can still train, and what a URL may ask for. */
export const ARCH_LIMITS = {
  /** Trainable parameters. */
  parameters: 20_000_000,
  convBlocks: 12,
  denseLayers: 8,
  /** Per conv block: one 28×28 map of 1,024 channels is already 3 MB per image. */
  channels: 1024,
  units: 8192,
} as const;

/** A conv block with the seed's choices; spread it and override what differs. */
export const SEED_CONV_BLOCK: ConvBlockSpec = {
  channels: 32,
  kernel: 3,
  stride: 1,
  padding: 'same',
  batchNorm: false,
  activation: 'relu',
  pooling: 'max',
};

/**
 * The seed's SimpleCNN, exactly: three conv3×3 (padding 1) + ReLU + max-pool blocks, 1 → 32 → 64 → 128
 * channels, 28 → 14 → 7 → 3 px; flatten 1,152; dropout; fc1 256 + ReLU; dropout; fc2 10. 390,410 parameters.
 */
export const SIMPLE_CNN_SPEC: ArchSpec = {
  version: ARCH_SPEC_VERSION,
  convBlocks: [
    { ...SEED_CONV_BLOCK, channels: 32 },
    { ...SEED_CONV_BLOCK, channels: 64 },
    { ...SEED_CONV_BLOCK, channels: 128 },
  ],
  head: { kind: 'flatten', dropoutAfter: true },
  dense: [{ units: 256, activation: 'relu', dropoutAfter: true }],
};

/** Whether two specs describe the same network (field by field; key order does not matter). */
export function archSpecsEqual(a: ArchSpec, b: ArchSpec): boolean {
  const convEqual = (x: ConvBlockSpec, y: ConvBlockSpec) =>
    x.channels === y.channels &&
    x.kernel === y.kernel &&
    x.stride === y.stride &&
    x.padding === y.padding &&
    x.batchNorm === y.batchNorm &&
    x.activation === y.activation &&
    x.pooling === y.pooling;
  const denseEqual = (x: DenseLayerSpec, y: DenseLayerSpec) =>
    x.units === y.units && x.activation === y.activation && x.dropoutAfter === y.dropoutAfter;
  return (
    a.version === b.version &&
    a.head.kind === b.head.kind &&
    a.head.dropoutAfter === b.head.dropoutAfter &&
    a.convBlocks.length === b.convBlocks.length &&
    a.convBlocks.every((block, i) => convEqual(block, b.convBlocks[i])) &&
    a.dense.length === b.dense.length &&
    a.dense.every((layer, i) => denseEqual(layer, b.dense[i]))
  );
}

/** Layer names shared by the analysis, the parameter layout and the PyTorch model (1-based, as the seed's). */
export const convName = (block: number): string => `conv${block + 1}`;
export const batchNormName = (block: number): string => `bn${block + 1}`;
export const poolName = (block: number): string => `pool${block + 1}`;
/** Dense layers are fc1 … fcN, the output layer included (SimpleCNN: fc1 hidden, fc2 output). */
export const denseName = (index: number): string => `fc${index + 1}`;
