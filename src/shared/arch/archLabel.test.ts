import { describe, expect, it } from 'vitest';
import { SEED_CONV_BLOCK, SIMPLE_CNN_SPEC, type ArchSpec } from './archSpec';
import { archLabel, describeArchDifference } from './archLabel';
import { ARCH_PRESETS } from './presets';

describe('architecture labels', () => {
  it('labels each preset by what sets it apart from SimpleCNN', () => {
    const labels = Object.fromEntries(Object.entries(ARCH_PRESETS).map(([id, spec]) => [id, archLabel(spec)]));
    expect(labels).toEqual({
      simpleCnn: 'SimpleCNN',
      constant32: '32-32-32',
      stridedNoPool: 'stride2 −pool',
      globalAvgPool: 'GAP',
      batchNorm: '+BN',
      lenet5: 'LeNet-5',
      mlp: 'MLP',
    });
  });

  it('is empty for equal specs and describes against any base', () => {
    expect(describeArchDifference(ARCH_PRESETS.batchNorm, ARCH_PRESETS.batchNorm)).toBe('');
    expect(describeArchDifference(SIMPLE_CNN_SPEC, ARCH_PRESETS.batchNorm)).toBe('−BN');
    expect(describeArchDifference(SIMPLE_CNN_SPEC, ARCH_PRESETS.mlp)).toBe('32-64-128');
  });

  it('lists per-block values only where the blocks disagree', () => {
    const mixed: ArchSpec = {
      ...SIMPLE_CNN_SPEC,
      convBlocks: [
        { ...SEED_CONV_BLOCK, kernel: 5, batchNorm: true, activation: 'gelu' },
        { ...SEED_CONV_BLOCK, channels: 64, stride: 2, pooling: 'avg', activation: 'gelu' },
        { ...SEED_CONV_BLOCK, channels: 128, padding: 'valid', batchNorm: true, activation: 'gelu', pooling: 'none' },
      ],
    };
    expect(describeArchDifference(mixed, SIMPLE_CNN_SPEC)).toBe('k:5-3-3 stride:1-2-1 pad:same-same-valid +BN1,3 GELU pool:max-avg-none');
    // Fewer blocks of the seed's kind: only the channels differ.
    expect(describeArchDifference({ ...SIMPLE_CNN_SPEC, convBlocks: SIMPLE_CNN_SPEC.convBlocks.slice(0, 2) }, SIMPLE_CNN_SPEC)).toBe('32-64');
  });

  it('describes the head, the dense layers and where dropout sits', () => {
    const spec: ArchSpec = {
      ...SIMPLE_CNN_SPEC,
      head: { kind: 'flatten', dropoutAfter: false },
      dense: [
        { units: 512, activation: 'tanh', dropoutAfter: true },
        { units: 128, activation: 'tanh', dropoutAfter: false },
      ],
    };
    expect(describeArchDifference(spec, SIMPLE_CNN_SPEC)).toBe('fc512-128 fc:tanh dropout:fc1');
    expect(describeArchDifference({ ...SIMPLE_CNN_SPEC, dense: [] }, SIMPLE_CNN_SPEC)).toBe('−fc');
    expect(describeArchDifference({ ...SIMPLE_CNN_SPEC, head: { kind: 'flatten', dropoutAfter: false }, dense: [{ ...SIMPLE_CNN_SPEC.dense[0], dropoutAfter: false }] }, SIMPLE_CNN_SPEC)).toBe('−dropout');
    expect(describeArchDifference(SIMPLE_CNN_SPEC, ARCH_PRESETS.lenet5)).toBe('32-64-128 3×3 same ReLU maxpool fc256 fc:relu +dropout');
  });
});
