import { describe, expect, it } from 'vitest';
import {
  ACTIVATIONS,
  ARCH_SPEC_VERSION,
  HEAD_KINDS,
  KERNEL_SIZES,
  PADDINGS,
  POOLINGS,
  SIMPLE_CNN_SPEC,
  STRIDES,
  type ArchSpec,
  type ConvBlockSpec,
  type DenseLayerSpec,
} from './archSpec';
import { COMPACT_ARCH_MAX_LENGTH, formatCompactArch, parseCompactArch } from './compactForm';
import { ARCH_PRESETS } from './presets';
import { checkArchSpec } from './validate';

function parsed(text: string): ArchSpec {
  const result = parseCompactArch(text);
  if (!result.ok) throw new Error(`${text}: ${JSON.stringify(result.error)}`);
  return result.spec;
}

/** Specs with random choices in every field (a small LCG: the test must not depend on worker code). */
function randomSpecs(count: number): ArchSpec[] {
  let state = 12345;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const pick = <T,>(values: readonly T[]): T => values[Math.floor(next() * values.length)];
  const specs: ArchSpec[] = [];
  while (specs.length < count) {
    const convBlocks: ConvBlockSpec[] = Array.from({ length: Math.floor(next() * 5) }, () => ({
      channels: 1 + Math.floor(next() * 300),
      kernel: pick(KERNEL_SIZES),
      stride: pick(STRIDES),
      padding: pick(PADDINGS),
      batchNorm: next() < 0.5,
      activation: pick(ACTIVATIONS),
      pooling: pick(POOLINGS),
    }));
    const dense: DenseLayerSpec[] = Array.from({ length: Math.floor(next() * 4) }, () => ({
      units: 1 + Math.floor(next() * 1000),
      activation: pick(ACTIVATIONS),
      dropoutAfter: next() < 0.5,
    }));
    const spec: ArchSpec = { version: ARCH_SPEC_VERSION, convBlocks, head: { kind: pick(HEAD_KINDS), dropoutAfter: next() < 0.5 }, dense };
    if (checkArchSpec(spec).ok) specs.push(spec);
  }
  return specs;
}

describe('compact architecture form', () => {
  it('writes the presets short, SimpleCNN as the issue spells it', () => {
    const forms = Object.fromEntries(Object.entries(ARCH_PRESETS).map(([id, spec]) => [id, formatCompactArch(spec)]));
    expect(forms).toEqual({
      simpleCnn: 'c32p-c64p-c128p-f256',
      constant32: 'c32p-c32p-c32p-f256',
      stridedNoPool: 'c32s2-c64s2-c128s2-f256',
      globalAvgPool: 'c32p-c64p-c128p-gap-f256',
      batchNorm: 'c32bp-c64bp-c128bp-f256',
      lenet5: 'c6k5ta-c16k5vta-flatn-f120tn-f84tn',
      mlp: 'f256',
    });
    for (const spec of Object.values(ARCH_PRESETS)) expect(parsed(formatCompactArch(spec))).toEqual(spec);
  });

  it('round-trips every field of 300 random valid specs', () => {
    for (const spec of randomSpecs(300)) {
      const text = formatCompactArch(spec);
      expect(text.length).toBeLessThanOrEqual(COMPACT_ARCH_MAX_LENGTH);
      expect(parsed(text), text).toEqual(spec);
    }
  });

  it('writes the smallest network, flatten → 10, as its head', () => {
    const logistic: ArchSpec = { version: ARCH_SPEC_VERSION, convBlocks: [], head: { kind: 'flatten', dropoutAfter: true }, dense: [] };
    expect(formatCompactArch(logistic)).toBe('flat');
    expect(parsed('flat')).toEqual(logistic);
    expect(formatCompactArch({ ...logistic, head: { kind: 'globalAvgPool', dropoutAfter: false } })).toBe('gapn');
  });

  it('reads explicit defaults and the version prefix', () => {
    expect(parsed('v1-c32k3s1p-c64p-c128p-flat-f256')).toEqual(SIMPLE_CNN_SPEC);
  });

  it('says which token is wrong and why', () => {
    const error = (text: string) => {
      const result = parseCompactArch(text);
      return result.ok ? null : result.error;
    };
    expect(error('')).toEqual({ kind: 'empty' });
    expect(error('c32p-x7-f256')).toEqual({ kind: 'badToken', index: 1, token: 'x7' });
    expect(error('c32pb')).toEqual({ kind: 'badToken', index: 0, token: 'c32pb' }); // options out of order
    expect(error('c032p')).toEqual({ kind: 'badToken', index: 0, token: 'c032p' });
    expect(error('c32p--f256')).toEqual({ kind: 'badToken', index: 1, token: '' });
    expect(error('c32k7p')).toEqual({ kind: 'badValue', index: 0, token: 'c32k7p', option: 'kernel', value: 7 });
    expect(error('c32s3')).toEqual({ kind: 'badValue', index: 0, token: 'c32s3', option: 'stride', value: 3 });
    expect(error('c32p-f256-c64p')).toEqual({ kind: 'outOfOrder', index: 2, token: 'c64p' });
    expect(error('c32p-gap-flat')).toEqual({ kind: 'outOfOrder', index: 2, token: 'flat' });
    expect(error('c32p-v1')).toEqual({ kind: 'outOfOrder', index: 1, token: 'v1' });
    expect(error('v2-c32p')).toEqual({ kind: 'unknownVersion', version: 2 });
    expect(error('c32p'.repeat(200))).toEqual({ kind: 'tooLong', length: 800, limit: COMPACT_ARCH_MAX_LENGTH });
  });

  it('hands a well-formed but refused spec back with the reasons, naming the layer', () => {
    expect(parseCompactArch('c0p-f256')).toEqual({
      ok: false,
      error: { kind: 'invalidSpec', problems: [{ kind: 'notPositive', at: { kind: 'conv', block: 0 }, field: 'channels', value: 0 }] },
    });
    expect(parseCompactArch('c8p-c8p-c8p-c8p-c8p')).toEqual({
      ok: false,
      error: { kind: 'invalidSpec', problems: [{ kind: 'pooledBelowOnePixel', at: { kind: 'conv', block: 4 }, inputSize: 1 }] },
    });
  });
});
