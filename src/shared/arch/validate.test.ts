import { describe, expect, it } from 'vitest';
import { SEED_CONV_BLOCK, SIMPLE_CNN_SPEC } from './archSpec';
import { ARCH_PRESETS, ARCH_PRESET_IDS } from './presets';
import { archProblemText } from './problems';
import { checkArchSpec } from './validate';

type Fields = Record<string, unknown>;
/** A block of the seed's kind as parsed JSON. */
const seedBlock = (): Fields => ({ ...SEED_CONV_BLOCK });

/** SimpleCNN as parsed JSON, with one change made through `edit`. */
function simpleCnnWith(edit: (spec: Fields & { convBlocks: Fields[]; dense: Fields[]; head: Fields }) => void): unknown {
  const spec = JSON.parse(JSON.stringify(SIMPLE_CNN_SPEC));
  edit(spec);
  return spec;
}

function problemsOf(value: unknown) {
  const check = checkArchSpec(value);
  if (check.ok) throw new Error('expected a refusal');
  return check.problems;
}

describe('checkArchSpec', () => {
  it.each(ARCH_PRESET_IDS)('accepts preset %s, also after a JSON round trip, and returns a clean copy', (id) => {
    const check = checkArchSpec(JSON.parse(JSON.stringify(ARCH_PRESETS[id])));
    expect(check.ok).toBe(true);
    if (check.ok) expect(check.spec).toEqual(ARCH_PRESETS[id]);
  });

  it('refuses an unknown version and reads nothing else', () => {
    expect(problemsOf({ ...SIMPLE_CNN_SPEC, version: 2 })).toEqual([{ kind: 'unknownVersion', received: '2' }]);
    expect(problemsOf({ convBlocks: 'whatever' })).toEqual([{ kind: 'unknownVersion', received: 'nothing' }]);
  });

  it('refuses what is not an object', () => {
    expect(problemsOf(null)).toEqual([{ kind: 'malformed', at: { kind: 'spec' }, field: 'spec', expected: { type: 'object' }, received: 'null' }]);
    expect(problemsOf([SIMPLE_CNN_SPEC])[0]).toMatchObject({ kind: 'malformed', received: 'a list' });
  });

  it('names the layer and field of zero, negative and fractional widths', () => {
    expect(problemsOf(simpleCnnWith((s) => (s.convBlocks[1].channels = 0)))).toEqual([
      { kind: 'notPositive', at: { kind: 'conv', block: 1 }, field: 'channels', value: 0 },
    ]);
    expect(problemsOf(simpleCnnWith((s) => (s.dense[0].units = -5)))).toEqual([{ kind: 'notPositive', at: { kind: 'dense', index: 0 }, field: 'units', value: -5 }]);
    expect(problemsOf(simpleCnnWith((s) => (s.convBlocks[2].channels = 2.5)))).toEqual([
      { kind: 'malformed', at: { kind: 'conv', block: 2 }, field: 'channels', expected: { type: 'integer' }, received: '2.5' },
    ]);
    expect(problemsOf(simpleCnnWith((s) => (s.convBlocks[0].channels = '32')))[0]).toMatchObject({ kind: 'malformed', received: '"32"' });
  });

  it('refuses values outside each field’s choices, every one of them at once', () => {
    const problems = problemsOf(
      simpleCnnWith((s) => {
        s.convBlocks[0].kernel = 7;
        s.convBlocks[0].pooling = 'min';
        s.convBlocks[2].batchNorm = 'yes';
        s.head.kind = 'attention';
        s.dense[0].activation = 'sigmoid';
      }),
    );
    expect(problems.map((p) => (p.kind === 'malformed' ? [p.at, p.field, p.expected] : p))).toEqual([
      [{ kind: 'conv', block: 0 }, 'kernel', { type: 'oneOf', values: [3, 5] }],
      [{ kind: 'conv', block: 0 }, 'pooling', { type: 'oneOf', values: ['max', 'avg', 'none'] }],
      [{ kind: 'conv', block: 2 }, 'batchNorm', { type: 'boolean' }],
      [{ kind: 'head' }, 'kind', { type: 'oneOf', values: ['flatten', 'globalAvgPool'] }],
      [{ kind: 'dense', index: 0 }, 'activation', { type: 'oneOf', values: ['relu', 'gelu', 'tanh'] }],
    ]);
  });

  it('refuses missing and unknown fields', () => {
    expect(problemsOf(simpleCnnWith((s) => delete s.convBlocks[0].stride))).toEqual([
      { kind: 'malformed', at: { kind: 'conv', block: 0 }, field: 'stride', expected: { type: 'oneOf', values: [1, 2] }, received: 'nothing' },
    ]);
    expect(problemsOf(simpleCnnWith((s) => (s.dense[0].dropout = 0.5)))).toEqual([{ kind: 'unknownField', at: { kind: 'dense', index: 0 }, field: 'dropout' }]);
    expect(problemsOf(simpleCnnWith((s) => ((s as Fields).dense = {})))).toEqual([
      { kind: 'malformed', at: { kind: 'spec' }, field: 'dense', expected: { type: 'list' }, received: 'an object' },
    ]);
  });

  it('refuses absurd sizes before building anything', () => {
    expect(problemsOf(simpleCnnWith((s) => (s.convBlocks = Array.from({ length: 5000 }, seedBlock))))).toEqual([
      { kind: 'tooManyLayers', field: 'convBlocks', count: 5000, limit: 12 },
    ]);
    expect(problemsOf(simpleCnnWith((s) => (s.convBlocks[0].channels = 1e9)))).toEqual([
      { kind: 'tooWide', at: { kind: 'conv', block: 0 }, field: 'channels', value: 1e9, limit: 1024 },
    ]);
  });

  it('refuses a map pooled below 1 px, naming the block, and keeps the analysis up to it', () => {
    const check = checkArchSpec(simpleCnnWith((s) => s.convBlocks.push(seedBlock(), seedBlock())));
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.problems).toEqual([{ kind: 'pooledBelowOnePixel', at: { kind: 'conv', block: 4 }, inputSize: 1 }]);
    expect(check.analysis?.spatialSizes).toEqual([28, 14, 7, 3, 1]);
    expect(archProblemText(check.problems[0])).toBe('conv block 5 (conv5): a 2×2 pool on a 1 px map leaves 0 px');
  });

  it('refuses more than 20 M parameters, and only that', () => {
    const wideLayer = { units: 8192, activation: 'relu', dropoutAfter: true };
    const wider = problemsOf(simpleCnnWith((s) => (s.dense = [wideLayer, wideLayer])));
    // convs 92,672 + fc1 1,152·8,192 + 8,192 + fc2 8,192·8,192 + 8,192 + fc3 8,192·10 + 10
    expect(wider).toEqual([{ kind: 'tooManyParameters', count: 92_672 + 9_445_376 + 67_117_056 + 81_930, limit: 20_000_000 }]);
    expect(archProblemText(wider[0])).toBe('76,737,034 parameters is more than the limit of 20,000,000');
    // One such layer is 9.6 M parameters: allowed.
    expect(checkArchSpec(simpleCnnWith((s) => (s.dense = [wideLayer]))).ok).toBe(true);
  });
});
