import { describe, expect, it } from 'vitest';
import { TEST_ARCHITECTURES } from '../../../fixtures/pytorch/architectures';
import { BATCH_NORM_EPS, BATCH_NORM_MOMENTUM } from '../../worker/model/specNetwork';
import { SIMPLE_CNN_SPEC, type ArchSpec } from '../arch/archSpec';
import { parseCompactArch } from '../arch/compactForm';
import { paramLayouts } from '../arch/paramLayouts';
import { ARCH_PRESETS } from '../arch/presets';
import { KERAS_BATCH_NORM_EPSILON, KERAS_BATCH_NORM_MOMENTUM, kerasModelOf, readKerasArchitecture, type KerasLayer } from './kerasTopology';

function compact(text: string): ArchSpec {
  const parsed = parseCompactArch(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.spec;
}

/** A layer as a Keras or tfjs topology writes it. */
const layer = (className: string, name: string, config: Record<string, unknown> = {}): KerasLayer => ({ class_name: className, config: { name, ...config } });
const conv = (name: string, config: Record<string, unknown> = {}) =>
  layer('Conv2D', name, { filters: 8, kernel_size: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu', use_bias: true, ...config });
const dense = (name: string, config: Record<string, unknown> = {}) => layer('Dense', name, { units: 10, activation: 'linear', use_bias: true, ...config });
const batchNorm = (name: string, config: Record<string, unknown> = {}) => layer('BatchNormalization', name, { epsilon: 1e-5, ...config });
const sequential = (...layers: KerasLayer[]) => ({ class_name: 'Sequential', config: { name: 'm', layers } });

/** conv, pool, flatten, dropout, fc1, dropout, fc2: a small SimpleCNN. */
const SMALL: readonly KerasLayer[] = [
  conv('c'),
  layer('MaxPooling2D', 'p', { pool_size: [2, 2], strides: [2, 2], padding: 'valid' }),
  layer('Flatten', 'f'),
  layer('Dropout', 'd1', { rate: 0.25 }),
  dense('h', { units: 16, activation: 'relu' }),
  layer('Dropout', 'd2', { rate: 0.25 }),
  dense('out'),
];
const SMALL_SPEC = compact('c8p-f16');

function specOf(topology: Record<string, unknown>): ArchSpec {
  const read = readKerasArchitecture(topology);
  if (!read.ok) throw new Error(JSON.stringify(read.text));
  return read.spec;
}

function refusalOf(topology: Record<string, unknown>): unknown {
  const read = readKerasArchitecture(topology);
  if (read.ok) throw new Error(`read ${JSON.stringify(read.spec)}`);
  return read.text;
}

/** SMALL with the layer named `name` replaced by `replacement` (or removed), or `insert` put before it. */
function small(change: { name: string; replacement?: KerasLayer | null; insert?: KerasLayer }) {
  const layers = SMALL.flatMap((l) => {
    if (l.config.name !== change.name) return [l];
    if (change.insert) return [change.insert, l];
    return change.replacement ? [change.replacement] : [];
  });
  return sequential(...layers);
}

describe('kerasModelOf and readKerasArchitecture', () => {
  it.each(TEST_ARCHITECTURES)('%s: the topology reads back as the spec, its weights named in the ParamLayout order', (_id, spec) => {
    const written = kerasModelOf(spec, 0.25);
    expect(written.weights.map((w) => w.param)).toEqual(paramLayouts(spec).map((layout) => layout.name));
    const read = readKerasArchitecture(sequential(...written.layers));
    if (!read.ok) throw new Error(JSON.stringify(read.text));
    expect(read.spec).toEqual(spec);
    expect(read.weights).toEqual(written.weights);
  });

  it("uses PyTorch's BatchNorm constants in Keras's terms", () => {
    expect(KERAS_BATCH_NORM_EPSILON).toBe(BATCH_NORM_EPS);
    expect(KERAS_BATCH_NORM_MOMENTUM).toBe(1 - BATCH_NORM_MOMENTUM);
  });

  it('names SimpleCNN as the app always did, and any other network alike', () => {
    expect(kerasModelOf(SIMPLE_CNN_SPEC, 0.25).name).toBe('simple_cnn');
    expect(kerasModelOf(ARCH_PRESETS.lenet5, 0.25).name).toBe('mnist_lab_net');
  });
});

describe('readKerasArchitecture reads the equivalent spellings', () => {
  it('of a small SimpleCNN, with the dropout rate and the weights under the layers’ own names', () => {
    const read = readKerasArchitecture(sequential(...SMALL));
    if (!read.ok) throw new Error(JSON.stringify(read.text));
    expect(read.spec).toEqual(SMALL_SPEC);
    expect(read.dropout).toBe(0.25);
    expect(read.weights).toEqual([
      { param: 'conv1.weight', keras: 'c/kernel' },
      { param: 'conv1.bias', keras: 'c/bias' },
      { param: 'fc1.weight', keras: 'h/kernel' },
      { param: 'fc1.bias', keras: 'h/bias' },
      { param: 'fc2.weight', keras: 'out/kernel' },
      { param: 'fc2.bias', keras: 'out/bias' },
    ]);
  });

  it('activations as Activation layers, a softmax output, Keras defaults, an InputLayer, Keras wrappers', () => {
    const spelled = [
      layer('InputLayer', 'input', { batch_input_shape: [null, 28, 28, 1] }),
      layer('ZeroPadding2D', 'z', { padding: 1 }),
      conv('c', { kernel_size: 3, strides: undefined, padding: undefined, activation: undefined, use_bias: undefined }),
      layer('Activation', 'a', { activation: 'relu' }),
      layer('MaxPooling2D', 'p', { pool_size: 2 }),
      layer('Flatten', 'f'),
      layer('Dropout', 'd1', { rate: 0.25 }),
      dense('h', { units: 16 }),
      layer('Activation', 'ha', { activation: 'relu' }),
      layer('Dropout', 'd2', { rate: 0.25 }),
      dense('out', { activation: 'softmax' }),
    ];
    expect(specOf(sequential(...spelled))).toEqual(SMALL_SPEC);
    expect(specOf({ model_config: sequential(...spelled) })).toEqual(SMALL_SPEC);
    expect(specOf({ class_name: 'Sequential', config: spelled })).toEqual(SMALL_SPEC);
    // A softmax as its own layer after the output.
    expect(specOf(sequential(...SMALL, layer('Activation', 'sm', { activation: 'softmax' })))).toEqual(SMALL_SPEC);
  });

  it("BatchNorm from Keras: axis 3, its own momentum, a Dropout's rate where it is unusable", () => {
    const spec = specOf(
      sequential(conv('c', { activation: 'linear', use_bias: false }), batchNorm('b', { axis: [3], momentum: 0.99 }), layer('Activation', 'a', { activation: 'gelu' }), layer('GlobalAveragePooling2D', 'g'), dense('out')),
    );
    expect(spec).toEqual(compact('c8bg-gapn'));
    const read = readKerasArchitecture(small({ name: 'd1', replacement: layer('Dropout', 'd1', { rate: 'lots' }) }));
    expect(read.ok && read.dropout).toBe(0.25);
  });
});

describe('readKerasArchitecture refuses, naming the layer,', () => {
  const setting = (layerName: string, className: string, field: string, value: string, wanted: string[]) => ({
    key: 'modelArch.unsupportedSetting',
    layer: layerName,
    className,
    field,
    value,
    wanted,
  });

  it('a model that is not a Sequential stack, a layer without a class, a layer type no spec has', () => {
    expect(refusalOf({ class_name: 'Functional', config: { layers: [...SMALL] } })).toEqual({ key: 'modelArch.notSequential', className: '"Functional"' });
    expect(refusalOf({ class_name: 'Sequential', config: {} })).toEqual({ key: 'model.noLayers' });
    expect(refusalOf(sequential(SMALL[0], { config: { name: 'x' } } as unknown as KerasLayer))).toEqual({ key: 'modelArch.layerNoClass', index: 2 });
    expect(refusalOf(small({ name: 'p', replacement: layer('Conv1D', 'c1d') }))).toEqual({ key: 'modelArch.unsupportedLayer', layer: 'c1d', className: 'Conv1D' });
  });

  it('a layer out of the order of conv blocks, head and dense layers', () => {
    const misplaced = (layerName: string, className: string, previous: string | null, previousClassName: string | null) => ({
      key: 'modelArch.misplacedLayer',
      layer: layerName,
      className,
      previous,
      previousClassName,
    });
    expect(refusalOf(small({ name: 'f', replacement: null }))).toEqual(misplaced('d1', 'Dropout', 'p', 'MaxPooling2D'));
    expect(refusalOf(small({ name: 'd1', insert: layer('Dropout', 'd0') }))).toEqual(misplaced('d1', 'Dropout', 'd0', 'Dropout'));
    expect(refusalOf(small({ name: 'h', insert: layer('Conv2D', 'late', { kernel_size: 3 }) }))).toEqual(misplaced('late', 'Conv2D', 'd1', 'Dropout'));
    expect(refusalOf(sequential(layer('Activation', 'a', { activation: 'relu' }), ...SMALL))).toEqual(misplaced('a', 'Activation', null, null));
    expect(refusalOf(small({ name: 'p', insert: layer('Activation', 'twice', { activation: 'relu' }) }))).toEqual(misplaced('twice', 'Activation', 'c', 'Conv2D'));
    expect(refusalOf(sequential(...SMALL, layer('Dropout', 'after')))).toEqual(misplaced('after', 'Dropout', 'out', 'Dense'));
    expect(refusalOf(sequential(layer('ZeroPadding2D', 'z'), layer('Flatten', 'f')))).toEqual(misplaced('f', 'Flatten', 'z', 'ZeroPadding2D'));
    expect(refusalOf(small({ name: 'f', insert: batchNorm('late') }))).toEqual(misplaced('late', 'BatchNormalization', 'p', 'MaxPooling2D'));
  });

  it('layers that stop before the output layer', () => {
    expect(refusalOf(sequential())).toEqual({ key: 'modelArch.incomplete', last: null, lastClassName: null });
    expect(refusalOf(sequential(...SMALL.slice(0, 4)))).toEqual({ key: 'modelArch.incomplete', last: 'd1', lastClassName: 'Dropout' });
    expect(refusalOf(sequential(SMALL[0]))).toEqual({ key: 'modelArch.incomplete', last: 'c', lastClassName: 'Conv2D' });
    expect(refusalOf(sequential(layer('ZeroPadding2D', 'z')))).toEqual({ key: 'modelArch.incomplete', last: 'z', lastClassName: 'ZeroPadding2D' });
  });

  it('a conv block or hidden Dense layer without an activation', () => {
    expect(refusalOf(small({ name: 'c', replacement: conv('c', { activation: 'linear' }) }))).toEqual({ key: 'modelArch.noActivation', layer: 'c', className: 'Conv2D' });
    expect(refusalOf(sequential(conv('c', { activation: 'linear', use_bias: false }), batchNorm('b'), ...SMALL.slice(1)))).toEqual({
      key: 'modelArch.noActivation',
      layer: 'b',
      className: 'BatchNormalization',
    });
    expect(refusalOf(small({ name: 'h', replacement: dense('h', { units: 16 }) }))).toEqual({ key: 'modelArch.noActivation', layer: 'h', className: 'Dense' });
  });

  it('conv settings no spec has', () => {
    const withConv = (config: Record<string, unknown>) => refusalOf(small({ name: 'c', replacement: conv('c', config) }));
    expect(withConv({ kernel_size: [7, 7] })).toEqual(setting('c', 'Conv2D', 'kernel_size', '[7, 7]', ['[3, 3]', '[5, 5]']));
    expect(withConv({ kernel_size: [3, 5] })).toEqual(setting('c', 'Conv2D', 'kernel_size', '[3, 5]', ['[3, 3]', '[5, 5]']));
    expect(withConv({ strides: 3 })).toEqual(setting('c', 'Conv2D', 'strides', '3', ['[1, 1]', '[2, 2]']));
    // Keras's 'same' at stride 2 pads only the bottom and right.
    expect(withConv({ strides: [2, 2] })).toEqual(setting('c', 'Conv2D', 'padding', '"same"', ['"valid"']));
    expect(withConv({ padding: 'causal' })).toEqual(setting('c', 'Conv2D', 'padding', '"causal"', ['"same"', '"valid"']));
    expect(withConv({ dilation_rate: [2, 2] })).toEqual(setting('c', 'Conv2D', 'dilation_rate', '[2, 2]', ['[1, 1]']));
    expect(withConv({ data_format: 'channels_first' })).toEqual(setting('c', 'Conv2D', 'data_format', '"channels_first"', ['"channels_last"']));
    expect(withConv({ activation: 'selu' })).toEqual(setting('c', 'Conv2D', 'activation', '"selu"', ['"relu"', '"gelu"', '"tanh"']));
    expect(withConv({ use_bias: false })).toEqual(setting('c', 'Conv2D', 'use_bias', 'false', ['true']));
  });

  it('padding that is not PyTorch’s', () => {
    const padded = (padding: unknown, convConfig: Record<string, unknown>) =>
      refusalOf(sequential(layer('ZeroPadding2D', 'z', { padding }), conv('c', convConfig), ...SMALL.slice(1)));
    expect(padded([[1, 1], [0, 1]], { padding: 'valid' })).toEqual(setting('z', 'ZeroPadding2D', 'padding', '[[1, 1], [0, 1]]', ['[[1, 1], [1, 1]]', '[[2, 2], [2, 2]]']));
    expect(padded(2, { padding: 'valid' })).toEqual(setting('z', 'ZeroPadding2D', 'padding', '[[2, 2], [2, 2]]', ['[[1, 1], [1, 1]]']));
    expect(padded(1, { padding: 'same' })).toEqual(setting('c', 'Conv2D', 'padding', '"same"', ['"valid"']));
    expect(specOf(sequential(layer('ZeroPadding2D', 'z', { padding: [2, 2] }), conv('c', { kernel_size: [5, 5], strides: [2, 2], padding: 'valid' }), ...SMALL.slice(1)))).toEqual(
      compact('c8k5s2p-f16'),
    );
  });

  it('BatchNorm that normalizes otherwise, or with a bias or an activation before it', () => {
    const withBatchNorm = (convConfig: Record<string, unknown>, config: Record<string, unknown>) =>
      refusalOf(sequential(conv('c', { activation: 'linear', use_bias: false, ...convConfig }), batchNorm('b', config), layer('Activation', 'a', { activation: 'relu' }), ...SMALL.slice(1)));
    expect(withBatchNorm({}, { epsilon: undefined })).toEqual(setting('b', 'BatchNormalization', 'epsilon', '0.001', ['0.00001']));
    expect(withBatchNorm({}, { epsilon: 1e-3 })).toEqual(setting('b', 'BatchNormalization', 'epsilon', '0.001', ['0.00001']));
    expect(withBatchNorm({}, { axis: 1 })).toEqual(setting('b', 'BatchNormalization', 'axis', '1', ['-1', '3']));
    expect(withBatchNorm({}, { center: false })).toEqual(setting('b', 'BatchNormalization', 'center', 'false', ['true']));
    expect(withBatchNorm({}, { scale: false })).toEqual(setting('b', 'BatchNormalization', 'scale', 'false', ['true']));
    expect(withBatchNorm({ use_bias: true }, {})).toEqual(setting('c', 'Conv2D', 'use_bias', 'true', ['false']));
    expect(withBatchNorm({ activation: 'relu' }, {})).toEqual(setting('c', 'Conv2D', 'activation', '"relu"', ['"linear"']));
  });

  it('pooling, head, dropout and dense settings no spec has', () => {
    const pool = (config: Record<string, unknown>) => refusalOf(small({ name: 'p', replacement: layer('MaxPooling2D', 'p', config) }));
    expect(pool({ pool_size: [3, 3] })).toEqual(setting('p', 'MaxPooling2D', 'pool_size', '[3, 3]', ['[2, 2]']));
    expect(pool({ strides: [1, 1] })).toEqual(setting('p', 'MaxPooling2D', 'strides', '[1, 1]', ['[2, 2]']));
    expect(pool({ padding: 'same' })).toEqual(setting('p', 'MaxPooling2D', 'padding', '"same"', ['"valid"']));
    expect(refusalOf(small({ name: 'f', replacement: layer('GlobalAveragePooling2D', 'g', { keepdims: true }) }))).toEqual(
      setting('g', 'GlobalAveragePooling2D', 'keepdims', 'true', ['false']),
    );
    expect(refusalOf(small({ name: 'd1', replacement: layer('Dropout', 'd1', { rate: 0.25, noise_shape: [1, 1] }) }))).toEqual(
      setting('d1', 'Dropout', 'noise_shape', '[1, 1]', ['null']),
    );
    expect(refusalOf(small({ name: 'out', replacement: dense('out', { units: 12 }) }))).toEqual(setting('out', 'Dense', 'units', '12', ['10']));
    expect(refusalOf(small({ name: 'out', replacement: dense('out', { activation: 'relu' }) }))).toEqual(setting('out', 'Dense', 'activation', '"relu"', ['"linear"', '"softmax"']));
    expect(refusalOf(small({ name: 'h', replacement: dense('h', { units: 16, activation: 'relu', use_bias: false }) }))).toEqual(setting('h', 'Dense', 'use_bias', 'false', ['true']));
    // h already applies its ReLU: a second activation has no place.
    expect(refusalOf(small({ name: 'd2', insert: layer('Activation', 'x', { activation: 'swish' }) }))).toEqual({
      key: 'modelArch.misplacedLayer',
      layer: 'x',
      className: 'Activation',
      previous: 'h',
      previousClassName: 'Dense',
    });
  });

  it('an architecture that validation refuses', () => {
    expect(refusalOf(small({ name: 'c', replacement: conv('c', { filters: 0 }) }))).toEqual({
      key: 'modelArch.invalidSpec',
      problems: [{ kind: 'notPositive', at: { kind: 'conv', block: 0 }, field: 'channels', value: 0 }],
    });
    expect(refusalOf(small({ name: 'h', replacement: dense('h', { units: 'many', activation: 'relu' }) }))).toEqual({
      key: 'modelArch.invalidSpec',
      problems: [{ kind: 'malformed', at: { kind: 'dense', index: 0 }, field: 'units', expected: { type: 'integer' }, received: '"many"' }],
    });
  });
});

