/**
 * A trained network of any architecture spec as TensorFlow.js's own LayersModel files: a `model.json`
 * (Keras-style topology plus a weights manifest) and a `.bin` of little-endian float32 weights,
 * concatenated in manifest order. `tf.loadLayersModel` reads the pair in any tfjs app and computes the
 * app's logits; `decodeTfjsModel` reads it back here, the architecture from the layers
 * (./modelFiles/kerasTopology.ts), including a pair that tfjs itself saved (`model.save('downloads://…')`)
 * from such a model, and the files the app wrote before it had architectures (SimpleCNN, no spec in the
 * metadata).
 *
 * The weights are the spec's ParamLayout tensors by PyTorch name (../arch/paramLayouts.ts), BatchNorm's
 * running statistics included (tfjs's `moving_mean` / `moving_variance`). The spec's compact form is also
 * in `userDefinedMetadata.architecture`; on reading it must agree with the layers.
 *
 * Pure data code (no tfjs, no DOM, no worker API), so the page and the worker can both use it. Nothing
 * from a file is ever evaluated: model.json is read with JSON.parse and checked field by field.
 */
import { archSpecsEqual, SIMPLE_CNN_SPEC, type ArchSpec } from './arch/archSpec';
import { formatCompactArch, parseCompactArch } from './arch/compactForm';
import { paramLayouts } from './arch/paramLayouts';
import { kerasModelOf, readKerasArchitecture } from './modelFiles/kerasTopology';
import type { ModelArchText } from './modelFiles/modelArchTexts';
import { elementCount } from './paramLayout';
import { englishText, type ModelFileText } from './texts';

export const DEFAULT_WEIGHTS_FILE_NAME = 'mnist-lab-model.weights.bin';

/** What the exported model expects as input; also written to the file's userDefinedMetadata. */
export const MODEL_NORMALIZATION = { mean: 0.1307, std: 0.3081 } as const;

const INPUT_AND_OUTPUT =
  'Input: [batch, 28, 28, 1], each pixel (pixel/255 − 0.1307)/0.3081. ' +
  'Output: [batch, 10] logits (no softmax); apply tf.softmax for probabilities.';

function defaultDescription(spec: ArchSpec): string {
  const compact = formatCompactArch(spec);
  const network = archSpecsEqual(spec, SIMPLE_CNN_SPEC) ? `SimpleCNN (${compact})` : `network ${compact}`;
  return `MNIST Lab's ${network}, trained on MNIST. ${INPUT_AND_OUTPUT}`;
}

export interface EncodedTfjsModel {
  /** The text of `model.json`. */
  modelJson: string;
  /** The weights file that `modelJson`'s weightsManifest names. */
  weightsBin: ArrayBuffer;
  weightsFileName: string;
}

export interface EncodeInfo {
  /** The network the weights belong to. */
  spec: ArchSpec;
  /** Rate of every Dropout layer (used only when the model is trained further). */
  dropout: number;
  /** Stored in userDefinedMetadata.description; a default names the network and says what the input and output are. */
  description?: string;
  /** File name the weights manifest points to; defaults to DEFAULT_WEIGHTS_FILE_NAME. */
  weightsFileName?: string;
}

export type ModelFileRefusal = ModelFileText | ModelArchText;

export type DecodeResult =
  | {
      ok: true;
      /** The architecture the file's layers describe, validated. */
      spec: ArchSpec;
      /** Every tensor of `paramLayouts(spec)` by PyTorch name, in its order, in this app's layout. */
      weights: Map<string, Float32Array>;
      dropout: number | null;
    }
  /** `error` is the English of `text`. */
  | { ok: false; error: string; text: ModelFileRefusal };

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function formatShape(shape: readonly unknown[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

// ---------------------------------------------------------------------------------------------------
// Encoding

/**
 * The files of the network `info.spec` with these tensors (by PyTorch name, this app's layouts, every
 * tensor of `paramLayouts(spec)`). Throws on a missing or misshapen tensor: the app's own network is at
 * fault then.
 */
export function encodeTfjsModel(
  weights: ReadonlyMap<string, Float32Array> | Readonly<Record<string, Float32Array>>,
  info: EncodeInfo,
): EncodedTfjsModel {
  const get = (name: string): Float32Array | undefined =>
    isReadonlyMap(weights) ? weights.get(name) : Object.prototype.hasOwnProperty.call(weights, name) ? weights[name] : undefined;
  if (!Number.isFinite(info.dropout) || info.dropout < 0 || info.dropout >= 1) {
    throw new RangeError(`Dropout rate must be in [0, 1), got ${info.dropout}`);
  }
  const { spec } = info;
  const weightsFileName = info.weightsFileName ?? DEFAULT_WEIGHTS_FILE_NAME;
  const keras = kerasModelOf(spec, info.dropout);
  const kerasNames = new Map(keras.weights.map(({ param, keras: name }) => [param, name]));

  const layouts = paramLayouts(spec);
  const arrays = layouts.map((layout) => {
    const array = get(layout.name);
    if (!array) throw new Error(`No value for parameter ${layout.name}`);
    const expected = elementCount(layout.shape);
    if (array.length !== expected) {
      throw new Error(`Parameter ${layout.name} has ${array.length} values, expected ${expected}`);
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

  const modelJson = {
    format: 'layers-model',
    generatedBy: 'MNIST Lab',
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: { name: keras.name, layers: keras.layers },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    },
    weightsManifest: [
      {
        paths: [weightsFileName],
        weights: layouts.map((layout) => ({ name: kerasNames.get(layout.name), shape: [...layout.shape], dtype: 'float32' })),
      },
    ],
    userDefinedMetadata: {
      app: 'mnist-lab',
      description: info.description ?? defaultDescription(spec),
      architecture: formatCompactArch(spec),
      normalization: { mean: MODEL_NORMALIZATION.mean, std: MODEL_NORMALIZATION.std },
      input: '28×28×1, (pixel/255 − 0.1307)/0.3081',
      output: 'logits',
    },
  };
  return { modelJson: JSON.stringify(modelJson, null, 2), weightsBin, weightsFileName };
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

/** The metadata's architecture as a refusal shows it: JSON, at most 60 characters. */
function shortened(value: Json): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

interface ManifestWeight {
  name: string;
  param: string | null;
  byteOffset: number;
  length: number;
}

/**
 * Reads a tfjs LayersModel (`model.json` text and the weights it lists) back into an architecture spec
 * and its tensors. `weightsBin` is the weights data: one file, or, for a manifest that lists several
 * files (shards or groups), those files concatenated in manifest order, as tfjs itself concatenates them.
 * Everything is checked before anything is returned; a failure says what is wrong in words a user can act on.
 */
export function decodeTfjsModel(modelJsonText: string, weightsBin: ArrayBuffer): DecodeResult {
  const fail = (text: ModelFileRefusal): DecodeResult => ({ ok: false, error: englishText(text), text });

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

  const architecture = readKerasArchitecture(topology);
  if (!architecture.ok) return fail(architecture.text);
  const { spec } = architecture;

  const metadata = own(json, 'userDefinedMetadata');
  const declared = isObject(metadata) ? own(metadata, 'architecture') : undefined;
  if (declared !== undefined) {
    const parsed = typeof declared === 'string' ? parseCompactArch(declared) : null;
    if (!parsed?.ok) return fail({ key: 'modelArch.metadataUnreadable', value: shortened(declared) });
    if (!archSpecsEqual(parsed.spec, spec)) {
      return fail({ key: 'modelArch.metadataDisagrees', metadata: declared as string, topology: formatCompactArch(spec) });
    }
  }

  const layouts = paramLayouts(spec);
  const layoutOf = new Map(layouts.map((layout) => [layout.name, layout]));
  const paramOfKeras = new Map(architecture.weights.map(({ param, keras }) => [keras, param]));
  const kerasOfParam = new Map(architecture.weights.map(({ param, keras }) => [param, keras]));
  /**
   * The tensor a manifest weight name stands for: `conv1/kernel` as tfjs names the weights of the
   * topology's layers, with any scope before the layer name (`simple_cnn/conv1/kernel`) or Keras's `:0`
   * suffix, or the PyTorch name itself (`conv1.weight`). Null for any other name.
   */
  const paramForWeightName = (raw: string): string | null => {
    const name = raw.trim().replace(/:0$/, '');
    if (layoutOf.has(name)) return name;
    const parts = name.split('/');
    return parts.length < 2 ? null : (paramOfKeras.get(parts.slice(-2).join('/')) ?? null);
  };

  // Walk the manifest: every group's weights, in order, lie one after another in the weights data.
  const entries: ManifestWeight[] = [];
  const seen = new Map<string, string>();
  let byteOffset = 0;
  for (let g = 0; g < manifest.length; g++) {
    const group = manifest[g];
    const groupWeights = isObject(group) ? own(group, 'weights') : undefined;
    if (!Array.isArray(groupWeights)) {
      return fail({ key: 'model.groupNoWeights', group: g + 1 });
    }
    for (let w = 0; w < groupWeights.length; w++) {
      const entry = groupWeights[w];
      const where = { weight: w + 1, group: g + 1 };
      if (!isObject(entry)) return fail({ key: 'model.weightNotObject', ...where });
      const name = own(entry, 'name');
      if (typeof name !== 'string' || name === '') {
        return fail({ key: 'model.weightNoName', ...where });
      }
      const shape = own(entry, 'shape');
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
        return fail({ key: 'model.weightNoShape', name });
      }
      const dtype = own(entry, 'dtype');
      const quantization = own(entry, 'quantization');
      const param = paramForWeightName(name);
      const length = elementCount(shape as number[]);

      if (param === null) {
        // Optimizer state that tfjs saves with `includeOptimizer` is not part of the network: skip its bytes.
        if (own(entry, 'group') !== 'optimizer') {
          return fail({ key: 'modelArch.unknownWeight', name, expected: architecture.weights.map(({ keras }) => keras) });
        }
      } else {
        const kerasName = kerasOfParam.get(param) as string;
        const previous = seen.get(param);
        if (previous !== undefined) {
          return fail(
            previous === name
              ? { key: 'model.duplicateWeight', name }
              : { key: 'model.duplicateParam', param: kerasName, previous, name },
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
        const expected = (layoutOf.get(param) as { shape: readonly number[] }).shape;
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

  const missing = layouts.filter((layout) => !seen.has(layout.name));
  if (missing.length > 0) {
    return fail({ key: 'model.missingWeights', names: missing.map((layout) => kerasOfParam.get(layout.name) as string) });
  }

  if (weightsBin.byteLength !== byteOffset) {
    return fail({ key: 'model.wrongBinSize', expected: byteOffset, got: weightsBin.byteLength });
  }

  const weights = new Map<string, Float32Array>();
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
  // Map insertion in the layout's order, whatever order the file listed the weights in.
  const ordered = new Map<string, Float32Array>();
  for (const layout of layouts) ordered.set(layout.name, weights.get(layout.name) as Float32Array);
  return { ok: true, spec, weights: ordered, dropout: architecture.dropout };
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
