/**
 * The trained SimpleCNN as TensorFlow.js's own LayersModel files: a `model.json` (Keras-style topology
 * plus a weights manifest) and a `.bin` of little-endian float32 weights, concatenated in manifest
 * order. `tf.loadLayersModel` reads the pair in any tfjs app; `decodeTfjsModel` reads it back here,
 * including a pair that tfjs itself saved (`model.save('downloads://…')`) from such a model.
 *
 * Pure data code (no tfjs, no DOM, no worker API), so the page and the worker can both use it. Nothing
 * from a file is ever evaluated: model.json is read with JSON.parse and checked field by field.
 */
import { PARAM_NAMES, PARAM_SHAPES, type ParamName } from './simpleCnnShapes';
import { englishText, type ModelFileText } from './texts';

export const DEFAULT_WEIGHTS_FILE_NAME = 'mnist-lab-model.weights.bin';

/** What the exported model expects as input; also written to the file's userDefinedMetadata. */
export const MODEL_NORMALIZATION = { mean: 0.1307, std: 0.3081 } as const;

const DEFAULT_DESCRIPTION =
  "MNIST Lab's SimpleCNN, trained on MNIST. Input: [batch, 28, 28, 1], each pixel (pixel/255 − 0.1307)/0.3081. " +
  'Output: [batch, 10] logits (no softmax); apply tf.softmax for probabilities.';

export interface EncodedTfjsModel {
  /** The text of `model.json`. */
  modelJson: string;
  /** The weights file that `modelJson`'s weightsManifest names. */
  weightsBin: ArrayBuffer;
  weightsFileName: string;
}

export interface EncodeInfo {
  /** Rate of both dropout layers (used only when the model is trained further). */
  dropout: number;
  /** Stored in userDefinedMetadata.description; a default says what the input and output are. */
  description?: string;
  /** File name the weights manifest points to; defaults to DEFAULT_WEIGHTS_FILE_NAME. */
  weightsFileName?: string;
}

export type DecodeResult =
  | { ok: true; weights: Map<ParamName, Float32Array>; dropout: number | null }
  /** `error` is the English of `text`. */
  | { ok: false; error: string; text: ModelFileText };

type ConvLayerName = 'conv1' | 'conv2' | 'conv3';
type DenseLayerName = 'fc1' | 'fc2';

/** The Sequential layers, in order; weights follow the order of the layers that have them. */
const LAYERS: readonly (
  | { kind: 'conv'; name: ConvLayerName; filters: number }
  | { kind: 'pool'; name: string }
  | { kind: 'flatten'; name: string }
  | { kind: 'dropout'; name: string }
  | { kind: 'dense'; name: DenseLayerName; units: number; activation: 'relu' | 'linear' }
)[] = [
  { kind: 'conv', name: 'conv1', filters: 32 },
  { kind: 'pool', name: 'pool1' },
  { kind: 'conv', name: 'conv2', filters: 64 },
  { kind: 'pool', name: 'pool2' },
  { kind: 'conv', name: 'conv3', filters: 128 },
  { kind: 'pool', name: 'pool3' },
  { kind: 'flatten', name: 'flatten' },
  { kind: 'dropout', name: 'dropout1' },
  { kind: 'dense', name: 'fc1', units: 256, activation: 'relu' },
  { kind: 'dropout', name: 'dropout2' },
  { kind: 'dense', name: 'fc2', units: 10, activation: 'linear' },
];

/** The name tfjs gives a parameter in a weights manifest: `conv1/kernel` for `conv1.weight`. */
export function tfjsWeightName(name: ParamName): string {
  const [layer, kind] = name.split('.');
  return `${layer}/${kind === 'weight' ? 'kernel' : 'bias'}`;
}

/** Parameters in manifest order (layer order, kernel before bias): the order of PARAM_NAMES. */
const MANIFEST_ORDER: readonly ParamName[] = PARAM_NAMES;

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function formatShape(shape: readonly unknown[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

// ---------------------------------------------------------------------------------------------------
// Encoding

export function encodeTfjsModel(
  weights: ReadonlyMap<ParamName, Float32Array> | Readonly<Record<ParamName, Float32Array>>,
  info: EncodeInfo,
): EncodedTfjsModel {
  const get = (name: ParamName): Float32Array | undefined =>
    isReadonlyMap(weights) ? weights.get(name) : (weights as Readonly<Record<ParamName, Float32Array>>)[name];
  if (!Number.isFinite(info.dropout) || info.dropout < 0 || info.dropout >= 1) {
    throw new RangeError(`Dropout rate must be in [0, 1), got ${info.dropout}`);
  }
  const weightsFileName = info.weightsFileName ?? DEFAULT_WEIGHTS_FILE_NAME;

  const arrays = MANIFEST_ORDER.map((name) => {
    const array = get(name);
    if (!array) throw new Error(`No value for parameter ${name}`);
    const expected = sizeOf(PARAM_SHAPES[name]);
    if (array.length !== expected) {
      throw new Error(`Parameter ${name} has ${array.length} values, expected ${expected}`);
    }
    return array;
  });
  const totalBytes = arrays.reduce((n, a) => n + a.length * 4, 0);
  const weightsBin = new ArrayBuffer(totalBytes);
  let offset = 0;
  for (const array of arrays) {
    writeFloat32LE(weightsBin, offset, array);
    offset += array.length * 4;
  }

  const description = info.description ?? DEFAULT_DESCRIPTION;
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'MNIST Lab',
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: { name: 'simple_cnn', layers: LAYERS.map((layer, i) => layerConfig(layer, i === 0, info.dropout)) },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    },
    weightsManifest: [
      {
        paths: [weightsFileName],
        weights: MANIFEST_ORDER.map((name) => ({
          name: tfjsWeightName(name),
          shape: [...PARAM_SHAPES[name]],
          dtype: 'float32',
        })),
      },
    ],
    userDefinedMetadata: {
      app: 'mnist-lab',
      description,
      normalization: { mean: MODEL_NORMALIZATION.mean, std: MODEL_NORMALIZATION.std },
      input: '28×28×1, (pixel/255 − 0.1307)/0.3081',
      output: 'logits',
    },
  };
  return { modelJson: JSON.stringify(modelJson, null, 2), weightsBin, weightsFileName };
}

function layerConfig(layer: (typeof LAYERS)[number], first: boolean, dropout: number): object {
  const input = first ? { batch_input_shape: [null, 28, 28, 1], dtype: 'float32' } : {};
  switch (layer.kind) {
    case 'conv':
      return {
        class_name: 'Conv2D',
        config: {
          name: layer.name,
          trainable: true,
          ...input,
          filters: layer.filters,
          kernel_size: [3, 3],
          strides: [1, 1],
          padding: 'same',
          data_format: 'channels_last',
          dilation_rate: [1, 1],
          activation: 'relu',
          use_bias: true,
        },
      };
    case 'pool':
      return {
        class_name: 'MaxPooling2D',
        config: {
          name: layer.name,
          trainable: true,
          pool_size: [2, 2],
          strides: [2, 2],
          padding: 'valid',
          data_format: 'channels_last',
        },
      };
    case 'flatten':
      return { class_name: 'Flatten', config: { name: layer.name, trainable: true } };
    case 'dropout':
      return {
        class_name: 'Dropout',
        config: { name: layer.name, trainable: true, rate: dropout, noise_shape: null, seed: null },
      };
    case 'dense':
      return {
        class_name: 'Dense',
        config: { name: layer.name, trainable: true, units: layer.units, activation: layer.activation, use_bias: true },
      };
  }
}

function isReadonlyMap<K, V>(value: unknown): value is ReadonlyMap<K, V> {
  return value instanceof Map || (typeof value === 'object' && value !== null && typeof (value as Map<K, V>).get === 'function');
}

function writeFloat32LE(buffer: ArrayBuffer, byteOffset: number, values: Float32Array): void {
  if (HOST_IS_LITTLE_ENDIAN) {
    new Uint8Array(buffer, byteOffset, values.byteLength).set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    return;
  }
  const view = new DataView(buffer, byteOffset, values.byteLength);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
}

function readFloat32LE(buffer: ArrayBuffer, byteOffset: number, length: number): Float32Array {
  if (HOST_IS_LITTLE_ENDIAN) return new Float32Array(buffer.slice(byteOffset, byteOffset + length * 4));
  const view = new DataView(buffer, byteOffset, length * 4);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Decoding

/** Bytes per value of the dtypes a tfjs weights manifest can hold (strings have no fixed size). */
const DTYPE_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_BYTES: Readonly<Record<string, number>> = { uint8: 1, uint16: 2, float16: 2 };

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(object: Record<string, Json>, key: string): Json {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

/**
 * The parameter a manifest weight name stands for: `conv1/kernel` as this app and tfjs write it, with
 * any scope before the layer name (`simple_cnn/conv1/kernel`) or Keras's `:0` suffix, or the PyTorch
 * name itself (`conv1.weight`). Null for any other name.
 */
function paramForWeightName(raw: string): ParamName | null {
  const name = raw.trim().replace(/:0$/, '');
  if (Object.prototype.hasOwnProperty.call(PARAM_SHAPES, name)) return name as ParamName;
  const parts = name.split('/');
  if (parts.length < 2) return null;
  const leaf = parts[parts.length - 1];
  const kind = leaf === 'kernel' ? 'weight' : leaf === 'bias' ? 'bias' : null;
  if (!kind) return null;
  const candidate = `${parts[parts.length - 2]}.${kind}`;
  return Object.prototype.hasOwnProperty.call(PARAM_SHAPES, candidate) ? (candidate as ParamName) : null;
}

interface ManifestWeight {
  name: string;
  param: ParamName | null;
  byteOffset: number;
  length: number;
}

/**
 * Reads a tfjs LayersModel (`model.json` text and the weights it lists) back into this app's
 * parameters. `weightsBin` is the weights data: one file, or, for a manifest that lists several files
 * (shards or groups), those files concatenated in manifest order, as tfjs itself concatenates them.
 * Everything is checked before anything is returned; a failure says what is wrong in words a user can act on.
 */
export function decodeTfjsModel(modelJsonText: string, weightsBin: ArrayBuffer): DecodeResult {
  const fail = (text: ModelFileText): DecodeResult => ({ ok: false, error: englishText(text), text });

  let json: Json;
  try {
    json = JSON.parse(modelJsonText);
  } catch (e) {
    return fail({ key: 'model.invalidJson', detail: e instanceof Error ? e.message : String(e) });
  }
  if (!isObject(json)) return fail({ key: 'model.notObject' });

  const format = own(json, 'format');
  if (format !== undefined && format !== 'layers-model') {
    return fail({ key: 'model.wrongFormat', format: JSON.stringify(format), graphModel: format === 'graph-model' });
  }
  const topology = own(json, 'modelTopology');
  if (!isObject(topology)) {
    return fail({ key: 'model.noTopology' });
  }
  const manifest = own(json, 'weightsManifest');
  if (!Array.isArray(manifest)) {
    return fail({ key: 'model.noManifest' });
  }

  const architecture = checkArchitecture(topology);
  if (!architecture.ok) return fail(architecture.text);

  // Walk the manifest: every group's weights, in order, lie one after another in the weights data.
  const entries: ManifestWeight[] = [];
  const seen = new Map<ParamName, string>();
  let byteOffset = 0;
  for (let g = 0; g < manifest.length; g++) {
    const group = manifest[g];
    const groupWeights = isObject(group) ? own(group, 'weights') : undefined;
    if (!Array.isArray(groupWeights)) {
      return fail({ key: 'model.groupNoWeights', group: g + 1 });
    }
    for (let w = 0; w < groupWeights.length; w++) {
      const spec = groupWeights[w];
      const where = { weight: w + 1, group: g + 1 };
      if (!isObject(spec)) return fail({ key: 'model.weightNotObject', ...where });
      const name = own(spec, 'name');
      if (typeof name !== 'string' || name === '') {
        return fail({ key: 'model.weightNoName', ...where });
      }
      const shape = own(spec, 'shape');
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
        return fail({ key: 'model.weightNoShape', name });
      }
      const dtype = own(spec, 'dtype');
      const quantization = own(spec, 'quantization');
      const param = paramForWeightName(name);
      const length = sizeOf(shape as number[]);

      if (param === null) {
        // Optimizer state that tfjs saves with `includeOptimizer` is not part of the network: skip its bytes.
        if (own(spec, 'group') !== 'optimizer') {
          return fail({ key: 'model.unknownWeight', name, expected: MANIFEST_ORDER.map(tfjsWeightName).join(', ') });
        }
      } else {
        const previous = seen.get(param);
        if (previous !== undefined) {
          return fail(
            previous === name
              ? { key: 'model.duplicateWeight', name }
              : { key: 'model.duplicateParam', param: tfjsWeightName(param), previous, name },
          );
        }
        seen.set(param, name);
        if (dtype !== 'float32') {
          return fail({ key: 'model.notFloat32', name, dtype: JSON.stringify(dtype ?? null) });
        }
        if (quantization !== undefined && quantization !== null) {
          const qDtype = isObject(quantization) ? own(quantization, 'dtype') : undefined;
          return fail({ key: 'model.quantized', name, quantization: typeof qDtype === 'string' ? qDtype : null });
        }
        const expected = PARAM_SHAPES[param];
        if (shape.length !== expected.length || shape.some((d, i) => d !== expected[i])) {
          return fail({ key: 'model.wrongShape', name, expected: formatShape(expected), got: formatShape(shape) });
        }
      }

      const bytesPer = bytesPerValue(dtype, quantization);
      if (bytesPer === null) {
        return fail({ key: 'model.unsupportedDtype', name, dtype: JSON.stringify(dtype ?? null) });
      }
      entries.push({ name, param, byteOffset, length });
      byteOffset += length * bytesPer;
    }
  }

  const missing = MANIFEST_ORDER.filter((param) => !seen.has(param));
  if (missing.length > 0) {
    return fail({ key: 'model.missingWeights', names: missing.map(tfjsWeightName) });
  }

  if (weightsBin.byteLength !== byteOffset) {
    return fail({ key: 'model.wrongBinSize', expected: byteOffset, got: weightsBin.byteLength });
  }

  const weights = new Map<ParamName, Float32Array>();
  for (const entry of entries) {
    if (entry.param === null) continue;
    const values = readFloat32LE(weightsBin, entry.byteOffset, entry.length);
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        return fail({ key: 'model.nonFinite', name: entry.name, value: values[i], index: i });
      }
    }
    weights.set(entry.param, values);
  }
  // Map insertion in the canonical order, whatever order the file listed the weights in.
  const ordered = new Map<ParamName, Float32Array>();
  for (const param of MANIFEST_ORDER) ordered.set(param, weights.get(param) as Float32Array);
  return { ok: true, weights: ordered, dropout: architecture.dropout };
}

function bytesPerValue(dtype: Json, quantization: Json): number | null {
  if (quantization !== undefined && quantization !== null) {
    const qDtype = isObject(quantization) ? own(quantization, 'dtype') : undefined;
    return typeof qDtype === 'string' && Object.prototype.hasOwnProperty.call(QUANTIZED_BYTES, qDtype)
      ? QUANTIZED_BYTES[qDtype]
      : null;
  }
  return typeof dtype === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_BYTES, dtype) ? DTYPE_BYTES[dtype] : null;
}

/**
 * Checks that the topology is this app's network: the same layer types in the same order (input and
 * dropout layers aside) with the same activations, padding and strides, so that the weights, run by
 * this app's forward pass, compute what the file's model computes. Returns the dropout rate it finds.
 */
function checkArchitecture(topology: Record<string, Json>): { ok: true; dropout: number | null } | { ok: false; text: ModelFileText } {
  const notOurs = (text: ModelFileText) => ({ ok: false as const, text });
  // Keras-converted models wrap the model in `model_config`; old Keras Sequential configs are the layer list itself.
  const modelConfig = isObject(own(topology, 'model_config')) ? (own(topology, 'model_config') as Record<string, Json>) : topology;
  const config = own(modelConfig, 'config');
  const layers = Array.isArray(config) ? config : isObject(config) ? own(config, 'layers') : undefined;
  if (!Array.isArray(layers)) {
    return { ok: false, text: { key: 'model.noLayers' } };
  }

  let dropout: number | null = null;
  const core: { className: string; name: string; config: Record<string, Json> }[] = [];
  for (const layer of layers) {
    if (!isObject(layer)) continue;
    const className = own(layer, 'class_name');
    const layerConfig = isObject(own(layer, 'config')) ? (own(layer, 'config') as Record<string, Json>) : {};
    if (typeof className !== 'string') return notOurs({ key: 'model.layerNoClass' });
    if (className === 'InputLayer') continue;
    if (className === 'Dropout') {
      const rate = own(layerConfig, 'rate');
      if (dropout === null && typeof rate === 'number' && Number.isFinite(rate) && rate >= 0 && rate < 1) dropout = rate;
      continue;
    }
    const name = own(layerConfig, 'name');
    core.push({ className, name: typeof name === 'string' ? name : '(unnamed)', config: layerConfig });
  }

  const expected = LAYERS.filter((layer) => layer.kind !== 'dropout');
  const classOf = { conv: 'Conv2D', pool: 'MaxPooling2D', flatten: 'Flatten', dense: 'Dense', dropout: 'Dropout' } as const;
  const expectedClasses = expected.map((layer) => classOf[layer.kind]);
  const gotClasses = core.map((layer) => layer.className);
  if (gotClasses.join() !== expectedClasses.join()) {
    return notOurs({ key: 'model.wrongLayers', expected: expectedClasses.join(', '), got: gotClasses.join(', ') });
  }

  for (let i = 0; i < expected.length; i++) {
    const want = expected[i];
    const got = core[i];
    const mismatch = (field: string, value: Json, wanted: string) =>
      notOurs({ key: 'model.layerMismatch', layer: got.name, className: got.className, field, value: JSON.stringify(value ?? null), wanted });
    const check = (field: string, ok: (value: Json) => boolean, wanted: string, optional = true) => {
      const value = own(got.config, field);
      if (optional && (value === undefined || value === null)) return null;
      return ok(value) ? null : mismatch(field, value, wanted);
    };
    const pair = (a: number) => (value: Json) =>
      Array.isArray(value) ? value.length === 2 && value[0] === a && value[1] === a : value === a;
    const channelsLast = (value: Json) => value === 'channels_last';
    let problem: ReturnType<typeof notOurs> | null = null;
    if (want.kind === 'conv') {
      problem =
        check('activation', (v) => v === 'relu', '"relu"', false) ??
        check('padding', (v) => v === 'same', '"same"', false) ??
        check('strides', pair(1), '[1, 1]') ??
        check('dilation_rate', pair(1), '[1, 1]') ??
        check('data_format', channelsLast, '"channels_last"') ??
        check('use_bias', (v) => v === true, 'true');
    } else if (want.kind === 'pool') {
      problem =
        check('pool_size', pair(2), '[2, 2]') ??
        check('strides', pair(2), '[2, 2]') ??
        check('padding', (v) => v === 'valid', '"valid"') ??
        check('data_format', channelsLast, '"channels_last"');
    } else if (want.kind === 'flatten') {
      problem = check('data_format', channelsLast, '"channels_last"');
    } else if (want.kind === 'dense') {
      // A softmax on fc2 only turns the logits this app computes into probabilities: same weights, same network.
      problem =
        want.activation === 'relu'
          ? check('activation', (v) => v === 'relu', '"relu"', false)
          : check('activation', (v) => v === 'linear' || v === 'softmax', '"linear"'); // missing means linear
      problem ??= check('use_bias', (v) => v === true, 'true');
    }
    if (problem) return problem;
  }
  return { ok: true, dropout };
}
