import { describe, expect, it } from 'vitest';
import { SEED_CONV_BLOCK, SIMPLE_CNN_SPEC, type ArchSpec } from './archSpec';
import { analyzeArch, spatialSummary } from './analysis';
import { ARCH_PRESETS, type ArchPresetId } from './presets';

/** Worked out by hand from the layer formulas (see each preset's comment), not by running the code. */
const EXPECTED: Record<ArchPresetId, { parameters: number; buffers: number; macs: number; summary: string }> = {
  simpleCnn: { parameters: 390_410, buffers: 0, macs: 7_748_608, summary: '28→14→7→3' },
  constant32: { parameters: 95_370, buffers: 0, macs: 2_560_000, summary: '28→14→7→3' },
  stridedNoPool: { parameters: 619_786, buffers: 0, macs: 2_666_112, summary: '28→14→7→4' },
  globalAvgPool: { parameters: 128_266, buffers: 0, macs: 7_486_464, summary: '28→14→7→3' },
  batchNorm: { parameters: 390_634, buffers: 448, macs: 7_748_608, summary: '28→14→7→3' },
  lenet5: { parameters: 61_706, buffers: 0, macs: 416_520, summary: '28→14→5' },
  mlp: { parameters: 203_530, buffers: 0, macs: 203_264, summary: '28' },
};

describe('analyzeArch', () => {
  it("gives the seed's SimpleCNN layer by layer: shapes, 390,410 parameters, MACs, receptive fields", () => {
    const analysis = analyzeArch(SIMPLE_CNN_SPEC);
    expect(analysis.problems).toEqual([]);
    expect(spatialSummary(analysis)).toBe('28→14→7→3');
    const rows = analysis.layers.map(({ name, outputShape, parameters, macs, receptiveField }) => [name, outputShape, parameters, macs, receptiveField]);
    expect(rows).toEqual([
      ['conv1', [28, 28, 32], 320, 28 * 28 * 32 * 9, { size: 3, jump: 1 }],
      ['pool1', [14, 14, 32], 0, 0, { size: 4, jump: 2 }],
      ['conv2', [14, 14, 64], 18_496, 14 * 14 * 64 * 9 * 32, { size: 8, jump: 2 }],
      ['pool2', [7, 7, 64], 0, 0, { size: 10, jump: 4 }],
      ['conv3', [7, 7, 128], 73_856, 7 * 7 * 128 * 9 * 64, { size: 18, jump: 4 }],
      ['pool3', [3, 3, 128], 0, 0, { size: 22, jump: 8 }],
      ['flatten', [1152], 0, 0, null],
      ['fc1', [256], 295_168, 1152 * 256, null],
      ['fc2', [10], 2570, 2560, null],
    ]);
    expect(analysis.totals).toEqual({ parameters: 390_410, buffers: 0, macs: 7_748_608 });
  });

  it.each(Object.keys(EXPECTED) as ArchPresetId[])('gives preset %s its parameters, MACs and map sizes', (id) => {
    const analysis = analyzeArch(ARCH_PRESETS[id]);
    expect(analysis.problems).toEqual([]);
    const { summary, ...totals } = EXPECTED[id];
    expect(analysis.totals).toEqual(totals);
    expect(spatialSummary(analysis)).toBe(summary);
  });

  it('follows stride, padding and kernel size through the receptive field (LeNet-5, strided convs)', () => {
    const field = (spec: ArchSpec) => analyzeArch(spec).layers.filter((l) => l.receptiveField).map((l) => [l.name, l.receptiveField?.size, l.receptiveField?.jump]);
    expect(field(ARCH_PRESETS.lenet5)).toEqual([
      ['conv1', 5, 1],
      ['pool1', 6, 2],
      ['conv2', 14, 2],
      ['pool2', 16, 4],
    ]);
    expect(field(ARCH_PRESETS.stridedNoPool)).toEqual([
      ['conv1', 3, 2],
      ['conv2', 7, 4],
      ['conv3', 15, 8],
    ]);
  });

  it('counts BatchNorm as 2 parameters and 2 buffers per channel and drops the conv bias before it', () => {
    const layers = analyzeArch(ARCH_PRESETS.batchNorm).layers;
    expect(layers.slice(0, 3).map(({ name, parameters, buffers }) => [name, parameters, buffers])).toEqual([
      ['conv1', 288, 0],
      ['bn1', 64, 64],
      ['pool1', 0, 0],
    ]);
  });

  it('reads the pooled map, not the image, after global average pooling', () => {
    const layers = analyzeArch(ARCH_PRESETS.globalAvgPool).layers;
    expect(layers.find((l) => l.name === 'gap')).toMatchObject({ inputShape: [3, 3, 128], outputShape: [128] });
    expect(layers.find((l) => l.name === 'fc1')).toMatchObject({ inputShape: [128], parameters: 128 * 256 + 256 });
  });

  it('stops at the layer whose map breaks and says why', () => {
    const fivePools: ArchSpec = { ...SIMPLE_CNN_SPEC, convBlocks: Array.from({ length: 5 }, () => SEED_CONV_BLOCK) };
    const analysis = analyzeArch(fivePools);
    // 28 → 14 → 7 → 3 → 1, then the fifth pool would leave 0 px.
    expect(analysis.problems).toEqual([{ kind: 'pooledBelowOnePixel', at: { kind: 'conv', block: 4 }, inputSize: 1 }]);
    expect(spatialSummary(analysis)).toBe('28→14→7→3→1');
    expect(analysis.layers.at(-1)?.name).toBe('conv5');

    const validTooSmall: ArchSpec = { ...SIMPLE_CNN_SPEC, convBlocks: [...SIMPLE_CNN_SPEC.convBlocks, { ...SEED_CONV_BLOCK, kernel: 5, padding: 'valid' }] };
    expect(analyzeArch(validTooSmall).problems).toEqual([{ kind: 'kernelLargerThanInput', at: { kind: 'conv', block: 3 }, kernel: 5, inputSize: 3 }]);
  });

  it('lets a stride-2 conv with padding shrink a 1 px map no further', () => {
    const spec: ArchSpec = { ...SIMPLE_CNN_SPEC, convBlocks: Array.from({ length: 7 }, () => ({ ...SEED_CONV_BLOCK, stride: 2 as const, pooling: 'none' as const })) };
    const analysis = analyzeArch(spec);
    expect(analysis.problems).toEqual([]);
    expect(spatialSummary(analysis)).toBe('28→14→7→4→2→1→1→1');
  });

  it('refuses more than 20 M parameters, with the count', () => {
    const wide: ArchSpec = { ...SIMPLE_CNN_SPEC, convBlocks: [{ ...SEED_CONV_BLOCK, channels: 64, pooling: 'none' }], dense: [{ units: 512, activation: 'relu', dropoutAfter: true }] };
    // flatten 28·28·64 = 50,176 features × 512 units: 25.7 M weights in fc1.
    const analysis = analyzeArch(wide);
    expect(analysis.totals.parameters).toBe(640 + 50_176 * 512 + 512 + 5130);
    expect(analysis.problems).toEqual([{ kind: 'tooManyParameters', count: analysis.totals.parameters, limit: 20_000_000 }]);
  });
});
