/**
 * An architecture spec (../arch/archSpec.ts) as the Keras-style `Sequential` topology of a TensorFlow.js
 * LayersModel, and back. `tf.loadLayersModel` builds the written topology into a model that computes
 * what the app's own network computes (src/worker/model/specNetwork.ts), in any tfjs app:
 *
 *   conv block  → [ZeroPadding2D] Conv2D [BatchNormalization Activation] [MaxPooling2D | AveragePooling2D]
 *   head        → Flatten | GlobalAveragePooling2D, then Dropout where the spec has it
 *   dense layer → Dense (with its activation), then Dropout where the spec has it; the output Dense last
 *
 * Where Keras and PyTorch differ, the topology spells PyTorch's meaning out:
 * - 'same' padding at stride 2: Keras pads only the bottom and right (⌈n/2⌉ outputs, shifted); PyTorch pads
 *   ⌊k/2⌋ on every side. So such a conv is a ZeroPadding2D of ⌊k/2⌋ and a 'valid' Conv2D. At stride 1
 *   Keras's 'same' is PyTorch's, and stays (SimpleCNN's topology is the one the app always wrote).
 * - BatchNorm: `nn.BatchNorm2d`'s eps 1e-5 (Keras's default is 1e-3) and momentum 0.1, which Keras counts
 *   the other way round (0.9, the weight of the old running value); the conv before it has no bias, and
 *   the activation follows it as an Activation layer.
 * - GELU: tfjs-layers 4.22's 'gelu' is the exact x·Φ(x) (erf), PyTorch's `nn.GELU()`.
 * - Dropout sits after the activation, as in the spec; its rate is the run's.
 *
 * Reading goes the other way for any such topology, whoever wrote it (this app, `model.save` in tfjs, a
 * Keras conversion): it accepts the equivalent spellings (a stride-1 'same' conv written as ZeroPadding2D
 * + 'valid', an activation as a separate Activation layer, a softmax on the output) and refuses, naming
 * the layer and the setting, anything an architecture spec cannot describe exactly.
 */
import { archSpecsEqual, ARCH_SPEC_VERSION, batchNormName, CLASS_COUNT, convName, denseName, INPUT_CHANNELS, INPUT_SIZE, poolName, SIMPLE_CNN_SPEC } from '../arch/archSpec';
import type { Activation, ArchSpec, ConvBlockSpec, DenseLayerSpec, HeadSpec, KernelSize, Padding, Stride } from '../arch/archSpec';
import { checkArchSpec } from '../arch/validate';
import type { ModelFileText } from '../texts';
import type { ModelArchText } from './modelArchTexts';

/** `nn.BatchNorm2d`'s eps, which the app's BatchNorm uses too (src/worker/model/specNetwork.ts). */
export const KERAS_BATCH_NORM_EPSILON = 1e-5;
/** `nn.BatchNorm2d`'s momentum 0.1 in Keras's terms: the running statistics keep 0.9 of their value per step. */
export const KERAS_BATCH_NORM_MOMENTUM = 0.9;

export interface KerasLayer {
  class_name: string;
  config: Record<string, unknown>;
}

/** A tensor of the spec's ParamLayout (by its PyTorch name) and the name tfjs gives it: `bn1.running_var` ↔ `bn1/moving_variance`. */
export interface KerasWeightName {
  param: string;
  keras: string;
}

export interface KerasModel {
  /** The Sequential model's name: `simple_cnn` for the seed's network, as the app always wrote it. */
  name: string;
  layers: KerasLayer[];
  /** Every tensor of `paramLayouts(spec)`, in its order (which is the order of the layers). */
  weights: KerasWeightName[];
}

/** The weights of a Conv2D or Dense layer, and of a BatchNormalization, by PyTorch's tensor name. */
const KERNEL_LEAVES = { weight: 'kernel', bias: 'bias' } as const;
const BATCH_NORM_LEAVES = { weight: 'gamma', bias: 'beta', running_mean: 'moving_mean', running_var: 'moving_variance' } as const;

// ---------------------------------------------------------------------------------------------------
// Writing

/** The topology of `spec`, its Dropout layers at `dropout` (the run's rate). */
export function kerasModelOf(spec: ArchSpec, dropout: number): KerasModel {
  const layers: KerasLayer[] = [];
  const weights: KerasWeightName[] = [];
  const add = (className: string, config: Record<string, unknown>) => {
    const input = layers.length === 0 ? { batch_input_shape: [null, INPUT_SIZE, INPUT_SIZE, INPUT_CHANNELS], dtype: 'float32' } : {};
    const name = config.name as string;
    layers.push({ class_name: className, config: { name, trainable: true, ...input, ...config } });
  };
  const addWeights = (param: string, layer: string, leaves: Readonly<Record<string, string>>) => {
    for (const [tensor, leaf] of Object.entries(leaves)) weights.push({ param: `${param}.${tensor}`, keras: `${layer}/${leaf}` });
  };
  let site = 0;
  const addDropout = () => {
    site += 1;
    add('Dropout', { name: `dropout${site}`, rate: dropout, noise_shape: null, seed: null });
  };

  for (const [i, block] of spec.convBlocks.entries()) {
    const conv = convName(i);
    const padBySelf = block.padding === 'same' && block.stride === 2;
    if (padBySelf) {
      const p = Math.floor(block.kernel / 2);
      add('ZeroPadding2D', { name: `pad${i + 1}`, padding: [[p, p], [p, p]], data_format: 'channels_last' });
    }
    add('Conv2D', {
      name: conv,
      filters: block.channels,
      kernel_size: [block.kernel, block.kernel],
      strides: [block.stride, block.stride],
      padding: padBySelf ? 'valid' : block.padding,
      data_format: 'channels_last',
      dilation_rate: [1, 1],
      activation: block.batchNorm ? 'linear' : block.activation,
      use_bias: !block.batchNorm,
    });
    addWeights(conv, conv, block.batchNorm ? { weight: KERNEL_LEAVES.weight } : KERNEL_LEAVES);
    if (block.batchNorm) {
      const bn = batchNormName(i);
      add('BatchNormalization', {
        name: bn,
        axis: -1,
        momentum: KERAS_BATCH_NORM_MOMENTUM,
        epsilon: KERAS_BATCH_NORM_EPSILON,
        center: true,
        scale: true,
      });
      addWeights(bn, bn, BATCH_NORM_LEAVES);
      add('Activation', { name: `act${i + 1}`, activation: block.activation });
    }
    if (block.pooling !== 'none') {
      add(block.pooling === 'max' ? 'MaxPooling2D' : 'AveragePooling2D', {
        name: poolName(i),
        pool_size: [2, 2],
        strides: [2, 2],
        padding: 'valid',
        data_format: 'channels_last',
      });
    }
  }
  if (spec.head.kind === 'flatten') add('Flatten', { name: 'flatten' });
  else add('GlobalAveragePooling2D', { name: 'gap', data_format: 'channels_last' });
  if (spec.head.dropoutAfter) addDropout();
  const denseLayers = [...spec.dense, { units: CLASS_COUNT, activation: 'linear', dropoutAfter: false }];
  for (const [j, layer] of denseLayers.entries()) {
    add('Dense', { name: denseName(j), units: layer.units, activation: layer.activation, use_bias: true });
    addWeights(denseName(j), denseName(j), KERNEL_LEAVES);
    if (layer.dropoutAfter) addDropout();
  }
  return { name: archSpecsEqual(spec, SIMPLE_CNN_SPEC) ? 'simple_cnn' : 'mnist_lab_net', layers, weights };
}

// ---------------------------------------------------------------------------------------------------
// Reading

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(object: Fields, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

/** A value as the refusals show it: JSON with lists spaced as model.json's readers write them (`[3, 3]`), `null` for a missing one. */
function shown(value: unknown): string {
  return Array.isArray(value) ? `[${value.map(shown).join(', ')}]` : (JSON.stringify(value ?? null) ?? 'null');
}

export type KerasArchitectureRead =
  | {
      ok: true;
      spec: ArchSpec;
      /** The rate of the first Dropout layer, if it has a usable one. */
      dropout: number | null;
      /** Every tensor of `paramLayouts(spec)`, in its order, under the name the topology's layers give it. */
      weights: KerasWeightName[];
    }
  | { ok: false; text: ModelFileText | ModelArchText };

/** A layer of the topology: its class, its name (`(unnamed)` without one) and its config. */
interface TopologyLayer {
  className: string;
  name: string;
  config: Fields;
}

type ActivationName = string;

/** A layer after its settings are read; an Activation layer is folded into the layer it follows. */
type Token = { layer: TopologyLayer; previous: TopologyLayer | null } & (
  | { kind: 'pad'; padding: number }
  | { kind: 'conv'; filters: unknown; kernel: KernelSize; stride: Stride; padding: Padding; useBias: boolean; activation: ActivationName | null; activationFrom: TopologyLayer }
  | { kind: 'batchNorm'; activation: ActivationName | null; activationFrom: TopologyLayer }
  | { kind: 'pool'; pooling: 'max' | 'avg' }
  | { kind: 'flatten' | 'gap' }
  | { kind: 'dropout'; rate: number | null }
  | { kind: 'dense'; units: unknown; useBias: boolean; activation: ActivationName | null; activationFrom: TopologyLayer }
);

class Refusal {
  constructor(readonly text: ModelFileText | ModelArchText) {}
}

const HIDDEN_ACTIVATIONS: readonly Activation[] = ['relu', 'gelu', 'tanh'];

function unsupported(layer: TopologyLayer, field: string, value: unknown, wanted: readonly string[]): Refusal {
  return new Refusal({ key: 'modelArch.unsupportedSetting', layer: layer.name, className: layer.className, field, value: shown(value), wanted: [...wanted] });
}

function misplaced(token: { layer: TopologyLayer; previous: TopologyLayer | null }): Refusal {
  const { layer, previous } = token;
  return new Refusal({
    key: 'modelArch.misplacedLayer',
    layer: layer.name,
    className: layer.className,
    previous: previous?.name ?? null,
    previousClassName: previous?.className ?? null,
  });
}

/** `value` is `n`, or `[n, n]` (Keras writes sizes and strides per axis). */
function squareOf(value: unknown): number | null {
  if (typeof value === 'number') return value;
  return Array.isArray(value) && value.length === 2 && value[0] === value[1] && typeof value[0] === 'number' ? value[0] : null;
}

/** Reads one layer's settings; `check` throws a Refusal for a setting this app cannot reproduce. */
class SettingReader {
  constructor(private readonly layer: TopologyLayer) {}

  get(field: string): unknown {
    return own(this.layer.config, field);
  }

  /** An optional field: absent (or null) is its default, which the caller has checked is acceptable. */
  check(field: string, ok: (value: unknown) => boolean, wanted: readonly string[]): void {
    const value = this.get(field);
    if (value !== undefined && value !== null && !ok(value)) throw unsupported(this.layer, field, value, wanted);
  }

  channelsLast(): void {
    this.check('data_format', (v) => v === 'channels_last', ['"channels_last"']);
  }

  boolean(field: string, fallback: boolean): boolean {
    const value = this.get(field) ?? fallback;
    if (typeof value !== 'boolean') throw unsupported(this.layer, field, value, ['true', 'false']);
    return value;
  }

  /** An activation identifier; 'linear' (Keras's default) is none. */
  activation(): ActivationName | null {
    const value = this.get('activation') ?? 'linear';
    if (typeof value !== 'string') throw unsupported(this.layer, 'activation', value, HIDDEN_ACTIVATIONS.map(shown));
    return value === 'linear' ? null : value;
  }
}

function readToken(layer: TopologyLayer, previous: TopologyLayer | null): Token {
  const r = new SettingReader(layer);
  const at = { layer, previous };
  switch (layer.className) {
    case 'ZeroPadding2D': {
      r.channelsLast();
      const value = r.get('padding') ?? 1;
      const perAxis = Array.isArray(value) && value.length === 2 && value.every(Array.isArray) ? (value as unknown[][]).map(squareOf) : [squareOf(value)];
      const p = perAxis[0];
      if (p === null || !perAxis.every((q) => q === p) || !Number.isInteger(p) || p < 0) {
        throw unsupported(layer, 'padding', value, ['[[1, 1], [1, 1]]', '[[2, 2], [2, 2]]']);
      }
      return { ...at, kind: 'pad', padding: p };
    }
    case 'Conv2D': {
      r.channelsLast();
      r.check('dilation_rate', (v) => squareOf(v) === 1, ['[1, 1]']);
      const kernel = squareOf(r.get('kernel_size'));
      if (kernel !== 3 && kernel !== 5) throw unsupported(layer, 'kernel_size', r.get('kernel_size'), ['[3, 3]', '[5, 5]']);
      const strides = r.get('strides') ?? 1;
      const stride = squareOf(strides);
      if (stride !== 1 && stride !== 2) throw unsupported(layer, 'strides', strides, ['[1, 1]', '[2, 2]']);
      const padding = r.get('padding') ?? 'valid';
      // Keras's 'same' at stride 2 pads the bottom and right only: not PyTorch's padding, not a spec.
      const paddings = stride === 1 ? ['same', 'valid'] : ['valid'];
      if (typeof padding !== 'string' || !paddings.includes(padding)) throw unsupported(layer, 'padding', padding, paddings.map(shown));
      return {
        ...at,
        kind: 'conv',
        filters: r.get('filters'),
        kernel,
        stride,
        padding: padding as Padding,
        useBias: r.boolean('use_bias', true),
        activation: r.activation(),
        activationFrom: layer,
      };
    }
    case 'BatchNormalization': {
      r.check('axis', (v) => [-1, 3].includes(Array.isArray(v) && v.length === 1 ? v[0] : v), ['-1', '3']);
      // tfjs's and Keras's default is 1e-3; only PyTorch's 1e-5 normalizes as the app does.
      const epsilon = r.get('epsilon') ?? 1e-3;
      if (typeof epsilon !== 'number' || Math.abs(epsilon - KERAS_BATCH_NORM_EPSILON) > 1e-12) {
        throw unsupported(layer, 'epsilon', epsilon, [String(KERAS_BATCH_NORM_EPSILON)]);
      }
      for (const field of ['center', 'scale']) {
        if (!r.boolean(field, true)) throw unsupported(layer, field, false, ['true']);
      }
      // The momentum only says how the file's author trained; it does not change what the weights compute.
      return { ...at, kind: 'batchNorm', activation: null, activationFrom: layer };
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      r.channelsLast();
      r.check('pool_size', (v) => squareOf(v) === 2, ['[2, 2]']);
      r.check('strides', (v) => squareOf(v) === 2, ['[2, 2]']);
      r.check('padding', (v) => v === 'valid', ['"valid"']);
      return { ...at, kind: 'pool', pooling: layer.className === 'MaxPooling2D' ? 'max' : 'avg' };
    }
    case 'Flatten':
      r.channelsLast();
      return { ...at, kind: 'flatten' };
    case 'GlobalAveragePooling2D':
      r.channelsLast();
      r.check('keepdims', (v) => v === false, ['false']);
      return { ...at, kind: 'gap' };
    case 'Dropout': {
      r.check('noise_shape', () => false, ['null']);
      const rate = r.get('rate');
      return { ...at, kind: 'dropout', rate: typeof rate === 'number' && Number.isFinite(rate) && rate >= 0 && rate < 1 ? rate : null };
    }
    case 'Dense':
      return { ...at, kind: 'dense', units: r.get('units'), useBias: r.boolean('use_bias', true), activation: r.activation(), activationFrom: layer };
    default:
      throw new Refusal({ key: 'modelArch.unsupportedLayer', layer: layer.name, className: layer.className });
  }
}

/** The topology's layers, InputLayer aside. */
function topologyLayers(topology: Fields): TopologyLayer[] {
  // Keras-converted models wrap the model in `model_config`; old Keras Sequential configs are the layer list itself.
  const modelConfig = isObject(own(topology, 'model_config')) ? (own(topology, 'model_config') as Fields) : topology;
  const className = own(modelConfig, 'class_name');
  if (className !== undefined && className !== 'Sequential') {
    throw new Refusal({ key: 'modelArch.notSequential', className: shown(className) });
  }
  const config = own(modelConfig, 'config');
  const layers = Array.isArray(config) ? config : isObject(config) ? own(config, 'layers') : undefined;
  if (!Array.isArray(layers)) throw new Refusal({ key: 'model.noLayers' });
  const out: TopologyLayer[] = [];
  for (const [index, layer] of layers.entries()) {
    const layerClass = isObject(layer) ? own(layer, 'class_name') : undefined;
    if (typeof layerClass !== 'string') throw new Refusal({ key: 'modelArch.layerNoClass', index: index + 1 });
    if (layerClass === 'InputLayer') continue;
    const config = isObject(own(layer as Fields, 'config')) ? (own(layer as Fields, 'config') as Fields) : {};
    const name = own(config, 'name');
    out.push({ className: layerClass, name: typeof name === 'string' ? name : '(unnamed)', config });
  }
  return out;
}

/** The layers as tokens, each Activation layer folded into the Conv2D, BatchNormalization or Dense before it. */
function tokensOf(layers: readonly TopologyLayer[]): Token[] {
  const tokens: Token[] = [];
  let previous: TopologyLayer | null = null;
  for (const layer of layers) {
    if (layer.className === 'Activation') {
      const last = tokens[tokens.length - 1];
      const foldable = last && (last.kind === 'conv' || last.kind === 'batchNorm' || last.kind === 'dense') && last.activation === null;
      if (!foldable) throw misplaced({ layer, previous });
      last.activation = new SettingReader(layer).activation();
      last.activationFrom = layer;
    } else {
      tokens.push(readToken(layer, previous));
    }
    previous = layer;
  }
  return tokens;
}

function hiddenActivation(token: Token & { activation: ActivationName | null; activationFrom: TopologyLayer }): Activation {
  const { activation, activationFrom } = token;
  if (activation === null) throw new Refusal({ key: 'modelArch.noActivation', layer: token.layer.name, className: token.layer.className });
  if (!(HIDDEN_ACTIVATIONS as readonly string[]).includes(activation)) {
    throw unsupported(activationFrom, 'activation', activation, HIDDEN_ACTIVATIONS.map(shown));
  }
  return activation as Activation;
}

/**
 * The architecture spec a topology describes, checked by `checkArchSpec`, with the names of its weights.
 * Refuses, as data, a topology that is not one of this app's networks.
 */
export function readKerasArchitecture(topology: Fields): KerasArchitectureRead {
  try {
    const layers = topologyLayers(topology);
    return readTokens(tokensOf(layers), layers[layers.length - 1] ?? null);
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, text: error.text };
    throw error;
  }
}

function readTokens(tokens: readonly Token[], lastLayer: TopologyLayer | null): KerasArchitectureRead {
  const incomplete = () => new Refusal({ key: 'modelArch.incomplete', last: lastLayer?.name ?? null, lastClassName: lastLayer?.className ?? null });
  const weights: KerasWeightName[] = [];
  const addWeights = (param: string, layer: TopologyLayer, leaves: Readonly<Record<string, string>>) => {
    for (const [tensor, leaf] of Object.entries(leaves)) weights.push({ param: `${param}.${tensor}`, keras: `${layer.name}/${leaf}` });
  };
  let i = 0;
  const take = <K extends Token['kind']>(kind: K): Extract<Token, { kind: K }> | null =>
    tokens[i]?.kind === kind ? (tokens[i++] as Extract<Token, { kind: K }>) : null;

  const convBlocks: ConvBlockSpec[] = [];
  while (tokens[i]?.kind === 'pad' || tokens[i]?.kind === 'conv') {
    const block = convBlocks.length;
    const pad = take('pad');
    const conv = take('conv');
    if (!conv) throw tokens[i] ? misplaced(tokens[i]) : incomplete();
    let padding = conv.padding;
    if (pad) {
      const p = Math.floor(conv.kernel / 2);
      if (conv.padding !== 'valid') throw unsupported(conv.layer, 'padding', conv.padding, ['"valid"']);
      if (pad.padding !== p) throw unsupported(pad.layer, 'padding', [[pad.padding, pad.padding], [pad.padding, pad.padding]], [`[[${p}, ${p}], [${p}, ${p}]]`]);
      padding = 'same';
    }
    const batchNorm = take('batchNorm');
    if (batchNorm && conv.activation !== null) throw unsupported(conv.activationFrom, 'activation', conv.activation, ['"linear"']);
    if (conv.useBias === Boolean(batchNorm)) throw unsupported(conv.layer, 'use_bias', conv.useBias, [String(!batchNorm)]);
    const activation = hiddenActivation(batchNorm ?? conv);
    const pool = take('pool');
    addWeights(convName(block), conv.layer, batchNorm ? { weight: KERNEL_LEAVES.weight } : KERNEL_LEAVES);
    if (batchNorm) addWeights(batchNormName(block), batchNorm.layer, BATCH_NORM_LEAVES);
    convBlocks.push({
      channels: conv.filters as number,
      kernel: conv.kernel,
      stride: conv.stride,
      padding,
      batchNorm: batchNorm !== null,
      activation,
      pooling: pool?.pooling ?? 'none',
    });
  }

  const headToken = tokens[i++];
  if (!headToken) throw incomplete();
  if (headToken.kind !== 'flatten' && headToken.kind !== 'gap') throw misplaced(headToken);
  const head: HeadSpec = { kind: headToken.kind === 'flatten' ? 'flatten' : 'globalAvgPool', dropoutAfter: take('dropout') !== null };

  const denseTokens: { token: Extract<Token, { kind: 'dense' }>; dropout: Extract<Token, { kind: 'dropout' }> | null }[] = [];
  while (i < tokens.length) {
    const token = take('dense');
    if (!token) throw misplaced(tokens[i]);
    denseTokens.push({ token, dropout: take('dropout') });
  }
  const output = denseTokens.pop();
  if (!output) throw incomplete();
  if (output.dropout) throw misplaced(output.dropout);
  const dense: DenseLayerSpec[] = denseTokens.map(({ token, dropout }) => ({
    units: token.units as number,
    activation: hiddenActivation(token),
    dropoutAfter: dropout !== null,
  }));
  const out = output.token;
  if (out.units !== CLASS_COUNT) throw unsupported(out.layer, 'units', out.units, [String(CLASS_COUNT)]);
  // A softmax only turns the logits the app computes into probabilities: the same network.
  if (out.activation !== null && out.activation !== 'softmax') throw unsupported(out.activationFrom, 'activation', out.activation, ['"linear"', '"softmax"']);
  for (const [j, { token }] of [...denseTokens, output].entries()) {
    if (!token.useBias) throw unsupported(token.layer, 'use_bias', false, ['true']);
    addWeights(denseName(j), token.layer, KERNEL_LEAVES);
  }

  const check = checkArchSpec({ version: ARCH_SPEC_VERSION, convBlocks, head, dense });
  if (!check.ok) return { ok: false, text: { key: 'modelArch.invalidSpec', problems: check.problems } };
  const firstRate = tokens.find((token) => token.kind === 'dropout' && token.rate !== null);
  return { ok: true, spec: check.spec, dropout: firstRate?.kind === 'dropout' ? firstRate.rate : null, weights };
}
