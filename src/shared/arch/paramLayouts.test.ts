import { describe, expect, it } from 'vitest';
import { elementCount } from '../paramLayout';
import { SIMPLE_CNN_SPEC } from './archSpec';
import { analyzeArch } from './analysis';
import { paramLayouts } from './paramLayouts';
import { ARCH_PRESETS, ARCH_PRESET_IDS } from './presets';

describe('paramLayouts', () => {
  it("gives SimpleCNN the seed's state_dict: conv1.weight … fc2.bias, HWIO and [in, out] here, fc1 read from the 3×3×128 map", () => {
    const conv = (name: string, kh: number, kw: number, inC: number, outC: number) => ({ name, kind: 'convWeight', shape: [kh, kw, inC, outC], torchShape: [outC, inC, kh, kw], trainable: true });
    const dense = (name: string, inF: number, outF: number) => ({ name, kind: 'denseWeight', shape: [inF, outF], torchShape: [outF, inF], trainable: true });
    const bias = (name: string, size: number) => ({ name, kind: 'vector', shape: [size], torchShape: [size], trainable: true });
    expect(paramLayouts(SIMPLE_CNN_SPEC)).toEqual([
      conv('conv1.weight', 3, 3, 1, 32),
      bias('conv1.bias', 32),
      conv('conv2.weight', 3, 3, 32, 64),
      bias('conv2.bias', 64),
      conv('conv3.weight', 3, 3, 64, 128),
      bias('conv3.bias', 128),
      { ...dense('fc1.weight', 1152, 256), flattenedFrom: { height: 3, width: 3, channels: 128 } },
      bias('fc1.bias', 256),
      dense('fc2.weight', 256, 10),
      bias('fc2.bias', 10),
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
