/**
 * The architecture presets: the seed's SimpleCNN and one variation per claim of the seed's notes, plus two
 * classic reference points. Ids are stable English identifiers (URL, run records, fixtures); the page
 * supplies the display names in each language.
 */
import { ARCH_SPEC_VERSION, SEED_CONV_BLOCK, SIMPLE_CNN_SPEC, type ArchSpec, type ConvBlockSpec } from './archSpec';

export const ARCH_PRESET_IDS = ['simpleCnn', 'constant32', 'stridedNoPool', 'globalAvgPool', 'batchNorm', 'lenet5', 'mlp'] as const;
export type ArchPresetId = (typeof ARCH_PRESET_IDS)[number];

const seedBlocks = (change: Partial<ConvBlockSpec>): ConvBlockSpec[] => SIMPLE_CNN_SPEC.convBlocks.map((block) => ({ ...block, ...change }));

export const ARCH_PRESETS: Readonly<Record<ArchPresetId, ArchSpec>> = {
  /** The seed's network (390,410 parameters). */
  simpleCnn: SIMPLE_CNN_SPEC,

  /** "Channels grow to make up for the lost resolution": what if they do not (32 → 32 → 32)? */
  constant32: { ...SIMPLE_CNN_SPEC, convBlocks: seedBlocks({ channels: 32 }) },

  /**
   * "Pooling halves the map": the same halving by stride-2 convs instead (padding 1), no pooling. PyTorch's
   * arithmetic rounds up where pooling rounds down: 28 → 14 → 7 → 4, so the flatten is 2,048 wide.
   */
  stridedNoPool: { ...SIMPLE_CNN_SPEC, convBlocks: seedBlocks({ stride: 2, pooling: 'none' }) },

  /** Global average pooling instead of flatten: 128 features whatever the map size, far fewer fc1 weights. */
  globalAvgPool: { ...SIMPLE_CNN_SPEC, head: { kind: 'globalAvgPool', dropoutAfter: true } },

  /** BatchNorm2d after every conv (which then has no bias), before the ReLU. */
  batchNorm: { ...SIMPLE_CNN_SPEC, convBlocks: seedBlocks({ batchNorm: true }) },

  /**
   * LeNet-5 (LeCun et al. 1998) as it is customarily adapted to 28×28 input: conv5 padding 2 → 6, avg-pool,
   * conv5 valid → 16, avg-pool, fc 120, fc 84, 10; 61,706 parameters. Tanh, because the original squashes
   * with a (scaled) tanh and its subsampling layers are averages, and because it gives the lab a
   * saturating activation to set against ReLU. No dropout: the original has none.
   */
  lenet5: {
    version: ARCH_SPEC_VERSION,
    convBlocks: [
      { ...SEED_CONV_BLOCK, channels: 6, kernel: 5, activation: 'tanh', pooling: 'avg' },
      { ...SEED_CONV_BLOCK, channels: 16, kernel: 5, padding: 'valid', activation: 'tanh', pooling: 'avg' },
    ],
    head: { kind: 'flatten', dropoutAfter: false },
    dense: [
      { units: 120, activation: 'tanh', dropoutAfter: false },
      { units: 84, activation: 'tanh', dropoutAfter: false },
    ],
  },

  /**
   * A 2-layer MLP (two weight layers, as LeCun's MNIST table counts them): the seed's own head on the raw
   * pixels, i.e. SimpleCNN without its conv blocks: flatten 784, dropout, fc 256 + ReLU, dropout, 10.
   * What the conv blocks buy is then the whole difference.
   */
  mlp: { ...SIMPLE_CNN_SPEC, convBlocks: [] },
};
