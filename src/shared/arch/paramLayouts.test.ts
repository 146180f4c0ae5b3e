import { describe, expect, it } from 'vitest';
import { elementCount } from '../paramLayout';
import { SIMPLE_CNN_LAYOUT } from '../simpleCnnShapes';
import { SIMPLE_CNN_SPEC } from './archSpec';
import { analyzeArch } from './analysis';
import { paramLayouts } from './paramLayouts';
import { ARCH_PRESETS, ARCH_PRESET_IDS } from './presets';

describe('paramLayouts', () => {
  it("gives SimpleCNN exactly SIMPLE_CNN_LAYOUT: conv1.weight … fc2.bias, fc1 read from the 3×3×128 map", () => {
    expect(paramLayouts(SIMPLE_CNN_SPEC)).toEqual(SIMPLE_CNN_LAYOUT);
    expect(paramLayouts(SIMPLE_CNN_SPEC).map((l) => l.name)).toEqual([
      'conv1.weight',
      'conv1.bias',
      'conv2.weight',
      'conv2.bias',
      'conv3.weight',
      'conv3.bias',
      'fc1.weight',
      'fc1.bias',
      'fc2.weight',
      'fc2.bias',
    ]);
  });

  it.each(ARCH_PRESET_IDS)('covers exactly the parameters and buffers the analysis counts (%s)', (id) => {
    const spec = ARCH_PRESETS[id];
    const layouts = paramLayouts(spec);
    const count = (trainable: boolean) => layouts.filter((l) => l.trainable === trainable).reduce((n, l) => n + elementCount(l.shape), 0);
    expect(count(true)).toBe(analyzeArch(spec).totals.parameters);
    expect(count(false)).toBe(analyzeArch(spec).totals.buffers);
    for (const layout of layouts) expect(elementCount(layout.torchShape)).toBe(elementCount(layout.shape));
  });

  it('names BatchNorm as PyTorch does, its running statistics not trainable, the conv before it without bias', () => {
    const layouts = paramLayouts(ARCH_PRESETS.batchNorm);
    expect(layouts.slice(0, 5).map(({ name, shape, trainable }) => [name, shape, trainable])).toEqual([
      ['conv1.weight', [3, 3, 1, 32], true],
      ['bn1.weight', [32], true],
      ['bn1.bias', [32], true],
      ['bn1.running_mean', [32], false],
      ['bn1.running_var', [32], false],
    ]);
    expect(layouts.some((l) => l.name.endsWith('num_batches_tracked'))).toBe(false);
  });

  it('marks only the first dense weight after a flatten, with the map it reads', () => {
    const lenet = paramLayouts(ARCH_PRESETS.lenet5).filter((l) => l.kind === 'denseWeight');
    expect(lenet.map((l) => [l.name, l.torchShape, l.flattenedFrom])).toEqual([
      ['fc1.weight', [120, 400], { height: 5, width: 5, channels: 16 }],
      ['fc2.weight', [84, 120], undefined],
      ['fc3.weight', [10, 84], undefined],
    ]);
    expect(paramLayouts(ARCH_PRESETS.mlp)[0]).toMatchObject({ name: 'fc1.weight', shape: [784, 256], flattenedFrom: { height: 28, width: 28, channels: 1 } });
    expect(paramLayouts(ARCH_PRESETS.globalAvgPool).find((l) => l.name === 'fc1.weight')?.flattenedFrom).toBeUndefined();
    expect(paramLayouts(ARCH_PRESETS.lenet5)[0]).toMatchObject({ name: 'conv1.weight', shape: [5, 5, 1, 6], torchShape: [6, 1, 5, 5] });
  });

  it('refuses a spec whose map breaks', () => {
    const broken = { ...SIMPLE_CNN_SPEC, convBlocks: [...SIMPLE_CNN_SPEC.convBlocks, ...SIMPLE_CNN_SPEC.convBlocks] };
    expect(() => paramLayouts(broken)).toThrow('conv block 5 (conv5): a 2×2 pool on a 1 px map leaves 0 px');
  });
});
