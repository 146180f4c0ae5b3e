import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportedNetworkValues, TEST_ARCHITECTURES } from '../../fixtures/pytorch/architectures';
import { createSpecNetwork, disposeSpecNetwork, specForward } from '../worker/model/specNetwork';
import { analyzeArch } from './arch/analysis';
import { SEED_CONV_BLOCK, SIMPLE_CNN_SPEC, type ArchSpec } from './arch/archSpec';
import { formatCompactArch } from './arch/compactForm';
import { paramLayouts } from './arch/paramLayouts';
import { ARCH_PRESETS } from './arch/presets';
import { DEFAULT_WEIGHTS_FILE_NAME, decodeTfjsModel, encodeTfjsModel, type EncodedTfjsModel } from './modelFiles';
import { kerasModelOf } from './modelFiles/kerasTopology';
import { elementCount } from './paramLayout';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type JsonObject = Record<string, unknown>;
interface Spec {
  name: string;
  shape: number[];
  dtype: string;
  group?: string;
  quantization?: unknown;
}
interface Group {
  paths: string[];
  weights: Spec[];
}
interface ModelJson extends JsonObject {
  weightsManifest: Group[];
  modelTopology: { config: { name: string; layers: { class_name: string; config: JsonObject }[] } };
  userDefinedMetadata: JsonObject;
}

const SIMPLE_CNN_LAYOUTS = paramLayouts(SIMPLE_CNN_SPEC);
const SIMPLE_CNN_NAMES = SIMPLE_CNN_LAYOUTS.map((layout) => layout.name);
const TOTAL_BYTES = analyzeArch(SIMPLE_CNN_SPEC).totals.parameters * 4;

function bytes(array: Float32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Index of the first byte where `a` and `b` differ, -1 if none (toEqual on megabyte arrays is slow). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function expectSameWeights(actual: ReadonlyMap<string, Float32Array>, expected: ReadonlyMap<string, Float32Array>): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const name of expected.keys()) {
    expect(firstDifference(bytes(actual.get(name) as Float32Array), bytes(expected.get(name) as Float32Array)), name).toBe(-1);
  }
}

/** The encoded model.json with `edit` applied to its parsed form. */
function edited(modelJson: string, edit: (json: ModelJson) => void): string {
  const json = JSON.parse(modelJson);
  edit(json);
  return JSON.stringify(json);
}

function specs(json: { weightsManifest: Group[] }): Spec[] {
  return json.weightsManifest.flatMap((group) => group.weights);
}

function expectError(result: ReturnType<typeof decodeTfjsModel>): string {
  expect(result.ok).toBe(false);
  return result.ok ? '' : result.error;
}

function expectRefusal(result: ReturnType<typeof decodeTfjsModel>): JsonObject {
  if (result.ok) throw new Error('expected a refusal');
  return result.text as unknown as JsonObject;
}

/** Byte offset of SimpleCNN's `name`'s first value in the encoded weights file. */
function offsetOf(name: string): number {
  let offset = 0;
  for (const layout of SIMPLE_CNN_LAYOUTS) {
    if (layout.name === name) return offset;
    offset += elementCount(layout.shape) * 4;
  }
  throw new Error(name);
}

/** What `tf.io.browserFiles` would hand tfjs for the two files: the topology, the manifest's weights and the bytes. */
function filesHandler(files: { modelJson: string; weightsBin: ArrayBuffer }): tf.io.IOHandler {
  const json = JSON.parse(files.modelJson);
  return {
    load: async () => ({
      modelTopology: json.modelTopology,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      weightSpecs: specs(json) as tf.io.WeightsManifestEntry[],
      weightData: files.weightsBin,
      userDefinedMetadata: json.userDefinedMetadata,
    }),
  };
}

describe('SimpleCNN files', () => {
  const weights = exportedNetworkValues(SIMPLE_CNN_SPEC, 11);
  const encoded = encodeTfjsModel(weights, { spec: SIMPLE_CNN_SPEC, dropout: 0.3 });

  it('writes a tfjs layers-model artifact with the manifest in layer order', () => {
    expect(encoded.weightsFileName).toBe(DEFAULT_WEIGHTS_FILE_NAME);
    expect(encoded.weightsBin.byteLength).toBe(TOTAL_BYTES);
    const json = JSON.parse(encoded.modelJson);
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toBe('MNIST Lab');
    expect(json.convertedBy).toBeNull();
    expect(json.modelTopology.class_name).toBe('Sequential');
    expect(json.modelTopology.backend).toBe('tensor_flow.js');
    expect(json.modelTopology.config.name).toBe('simple_cnn');
    const layers = json.modelTopology.config.layers as { class_name: string; config: JsonObject }[];
    expect(layers.map((l) => l.config.name)).toEqual([
      'conv1', 'pool1', 'conv2', 'pool2', 'conv3', 'pool3', 'flatten', 'dropout1', 'fc1', 'dropout2', 'fc2',
    ]);
    expect(layers[0].config.batch_input_shape).toEqual([null, 28, 28, 1]);
    expect(layers[7].config.rate).toBe(0.3);
    expect(layers[10].config).toMatchObject({ units: 10, activation: 'linear' });
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual([DEFAULT_WEIGHTS_FILE_NAME]);
    expect(json.weightsManifest[0].weights).toEqual(
      SIMPLE_CNN_LAYOUTS.map((layout) => ({ name: layout.name.replace('.weight', '/kernel').replace('.bias', '/bias'), shape: [...layout.shape], dtype: 'float32' })),
    );
    expect(json.weightsManifest[0].weights[0].name).toBe('conv1/kernel');
    expect(json.userDefinedMetadata).toEqual({
      app: 'mnist-lab',
      description:
        "MNIST Lab's SimpleCNN (c32p-c64p-c128p-f256), trained on MNIST. Input: [batch, 28, 28, 1], each pixel (pixel/255 − 0.1307)/0.3081. " +
        'Output: [batch, 10] logits (no softmax); apply tf.softmax for probabilities.',
      architecture: 'c32p-c64p-c128p-f256',
      normalization: { mean: 0.1307, std: 0.3081 },
      input: '28×28×1, (pixel/255 − 0.1307)/0.3081',
      output: 'logits',
    });
    // Little-endian float32, concatenated in manifest order.
    const view = new DataView(encoded.weightsBin);
    expect(view.getFloat32(0, true)).toBe((weights.get('conv1.weight') as Float32Array)[0]);
    expect(view.getFloat32(offsetOf('fc2.bias') + 9 * 4, true)).toBe((weights.get('fc2.bias') as Float32Array)[9]);
  });

  it('round-trips the weights byte for byte, from a Map or a Record; SimpleCNN is the default', () => {
    const decoded = decodeTfjsModel(encoded.modelJson, encoded.weightsBin);
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.spec).toEqual(SIMPLE_CNN_SPEC);
    expectSameWeights(decoded.weights, weights);
    expect(decoded.dropout).toBe(0.3);

    const record = Object.fromEntries(weights);
    const fromRecord = encodeTfjsModel(record, { spec: SIMPLE_CNN_SPEC, dropout: 0, description: 'mine', weightsFileName: 'w.bin' });
    expect(firstDifference(new Uint8Array(fromRecord.weightsBin), new Uint8Array(encoded.weightsBin))).toBe(-1);
    expect(JSON.parse(fromRecord.modelJson).weightsManifest[0].paths).toEqual(['w.bin']);
    expect(JSON.parse(fromRecord.modelJson).userDefinedMetadata.description).toBe('mine');
    const again = decodeTfjsModel(fromRecord.modelJson, fromRecord.weightsBin);
    expect(again.ok && again.dropout).toBe(0);
  });

  it('reads the files the app wrote before it had architectures (no spec in the metadata) as SimpleCNN', () => {
    const before = readFileSync(new URL('./modelFiles/simpleCnnBeforeArchitectures.model.json', import.meta.url), 'utf8');
    expect(JSON.parse(before).userDefinedMetadata).not.toHaveProperty('architecture');
    const decoded = decodeTfjsModel(before, encoded.weightsBin);
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.spec).toEqual(SIMPLE_CNN_SPEC);
    expectSameWeights(decoded.weights, weights);
    expect(decoded.dropout).toBe(0.25);
    // Its topology is the one the app still writes for SimpleCNN.
    expect(JSON.parse(before).modelTopology).toEqual(JSON.parse(encodeTfjsModel(weights, { spec: SIMPLE_CNN_SPEC, dropout: 0.25 }).modelJson).modelTopology);
  });

  it('accepts several manifest groups, scoped or PyTorch names and tfjs optimizer state', () => {
    const split = edited(encoded.modelJson, (json) => {
      const all = specs(json);
      json.weightsManifest = [
        { paths: ['group1-shard1of1.bin'], weights: all.slice(0, 5) },
        { paths: ['group2-shard1of2.bin', 'group2-shard2of2.bin'], weights: all.slice(5) },
      ];
      all[0].name = 'simple_cnn/conv1/kernel';
      all[1].name = 'conv1.bias';
    });
    const decoded = decodeTfjsModel(split, encoded.weightsBin);
    if (!decoded.ok) throw new Error(decoded.error);
    expectSameWeights(decoded.weights, weights);

    const withOptimizer = edited(encoded.modelJson, (json) => {
      json.weightsManifest[0].weights.push({ name: 'iter', shape: [], dtype: 'int32', group: 'optimizer' });
    });
    const bin = new Uint8Array(TOTAL_BYTES + 4);
    bin.set(new Uint8Array(encoded.weightsBin));
    const withState = decodeTfjsModel(withOptimizer, bin.buffer);
    if (!withState.ok) throw new Error(withState.error);
    expectSameWeights(withState.weights, weights);
  });

  it('reads the weights of layers with names of their own', () => {
    const renamed = edited(encoded.modelJson, (json) => {
      for (const layer of json.modelTopology.config.layers) layer.config.name = `keras_${String(layer.config.name)}`;
      for (const weight of specs(json)) weight.name = `keras_${weight.name}`;
      delete json.userDefinedMetadata.architecture;
    });
    const decoded = decodeTfjsModel(renamed, encoded.weightsBin);
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.spec).toEqual(SIMPLE_CNN_SPEC);
    expectSameWeights(decoded.weights, weights);
  });

  describe('rejects, saying what is wrong,', () => {
    const bin = encoded.weightsBin;

    it('text that is not JSON', () => {
      const error = expectError(decodeTfjsModel('{"format": "layers-model",', bin));
      expect(error).toMatch(/^model\.json is not valid JSON: .+/);
      let parseError = '';
      try {
        JSON.parse('{"format": "layers-model",');
      } catch (e) {
        parseError = (e as Error).message;
      }
      expect(error).toContain(parseError);
      expect(expectError(decodeTfjsModel('[1, 2]', bin))).toBe(
        'model.json is not a TensorFlow.js model: expected a JSON object.',
      );
    });

    it('a file that is not a tfjs layers model', () => {
      expect(expectError(decodeTfjsModel(edited(encoded.modelJson, (j) => (j.format = 'graph-model')), bin))).toBe(
        'model.json is not a TensorFlow.js layers model: its "format" is "graph-model", expected "layers-model". ' +
          'Graph models (e.g. converted from a SavedModel) cannot be imported.',
      );
      expect(expectError(decodeTfjsModel(edited(encoded.modelJson, (j) => delete (j as JsonObject).modelTopology), bin))).toBe(
        'model.json is not a TensorFlow.js layers model: it has no "modelTopology" (the description of the layers).',
      );
      expect(expectError(decodeTfjsModel(edited(encoded.modelJson, (j) => delete (j as JsonObject).weightsManifest), bin))).toBe(
        'model.json is not a TensorFlow.js layers model: it has no "weightsManifest" (the list of weights in the weights file).',
      );
      expect(expectError(decodeTfjsModel(JSON.stringify({ modelTopology: {}, weightsManifest: [] }), bin))).toBe(
        'model.json is not a TensorFlow.js layers model: its "modelTopology" has no list of layers.',
      );
    });

    it('an unknown weight, naming it', () => {
      const json = edited(encoded.modelJson, (j) => (specs(j)[3].name = 'conv9/bias'));
      const error = expectError(decodeTfjsModel(json, bin));
      expect(error).toBe(
        'model.json has a weight that none of its layers has: "conv9/bias". Expected exactly these weights: ' +
          'conv1/kernel, conv1/bias, conv2/kernel, conv2/bias, conv3/kernel, conv3/bias, fc1/kernel, fc1/bias, fc2/kernel, fc2/bias.',
      );
    });

    it('a missing weight, naming it', () => {
      const json = edited(encoded.modelJson, (j) => j.weightsManifest[0].weights.pop());
      expect(expectError(decodeTfjsModel(json, bin.slice(0, TOTAL_BYTES - 40)))).toBe(
        'model.json is missing the weight "fc2/bias".',
      );
      const twoMissing = edited(encoded.modelJson, (j) => j.weightsManifest[0].weights.splice(0, 2));
      expect(expectError(decodeTfjsModel(twoMissing, bin.slice(offsetOf('conv2.weight'))))).toBe(
        'model.json is missing the weights "conv1/kernel", "conv1/bias".',
      );
    });

    it('a weight listed twice', () => {
      const json = edited(encoded.modelJson, (j) => (specs(j)[1].name = 'conv1.weight'));
      expect(expectError(decodeTfjsModel(json, bin))).toBe(
        'model.json lists the weight conv1/kernel twice (as "conv1/kernel" and "conv1.weight").',
      );
    });

    it('a wrong shape: name, expected and got', () => {
      const json = edited(encoded.modelJson, (j) => (specs(j)[0].shape = [3, 3, 3, 32]));
      expect(expectError(decodeTfjsModel(json, bin))).toBe(
        'Weight "conv1/kernel" has the wrong shape: expected [3, 3, 1, 32], got [3, 3, 3, 32].',
      );
      const malformed = edited(encoded.modelJson, (j) => ((specs(j)[0] as unknown as JsonObject).shape = 'big'));
      expect(expectError(decodeTfjsModel(malformed, bin))).toBe(
        'model.json has a malformed "weightsManifest": weight "conv1/kernel" has no valid shape (a list of sizes).',
      );
    });

    it('a dtype other than float32, and quantized weights', () => {
      const int32 = edited(encoded.modelJson, (j) => (specs(j)[2].dtype = 'int32'));
      expect(expectError(decodeTfjsModel(int32, bin))).toBe(
        'Weight "conv2/kernel" has dtype "int32"; only float32 weights can be imported.',
      );
      const quantized = edited(encoded.modelJson, (j) => (specs(j)[2].quantization = { dtype: 'uint8', min: -1, scale: 0.01 }));
      expect(expectError(decodeTfjsModel(quantized, bin))).toBe(
        'Weight "conv2/kernel" is quantized (uint8); only unquantized float32 weights can be imported.',
      );
    });

    it('a weights file of the wrong size', () => {
      expect(expectError(decodeTfjsModel(encoded.modelJson, bin.slice(0, TOTAL_BYTES - 4)))).toBe(
        `The weights file is the wrong size: expected ${TOTAL_BYTES} bytes, got ${TOTAL_BYTES - 4} bytes. ` +
          'Choose the .bin file that was saved together with this model.json.',
      );
      expect(expectError(decodeTfjsModel(encoded.modelJson, new ArrayBuffer(0)))).toBe(
        `The weights file is the wrong size: expected 1561640 bytes, got 0 bytes. ` +
          'Choose the .bin file that was saved together with this model.json.',
      );
    });

    it('a non-finite value: which weight, which index', () => {
      for (const [value, shown] of [[NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity']] as const) {
        const broken = bin.slice(0);
        new DataView(broken).setFloat32(offsetOf('fc1.weight') + 1234 * 4, value, true);
        expect(expectError(decodeTfjsModel(encoded.modelJson, broken))).toBe(
          `Weight "fc1/kernel" has a non-finite value (${shown}) at index 1234; the model cannot be used.`,
        );
      }
    });

    it('layers this app cannot build, naming the layer and the setting', () => {
      const layers = (j: ModelJson) => j.modelTopology.config.layers;
      const sigmoid = edited(encoded.modelJson, (j) => (layers(j)[0].config.activation = 'sigmoid'));
      expect(expectError(decodeTfjsModel(sigmoid, bin))).toBe(
        'Layer "conv1" (Conv2D) has activation "sigmoid"; this app\'s networks have "relu", "gelu" or "tanh" there.',
      );
      const lstm = edited(encoded.modelJson, (j) => (layers(j)[8].class_name = 'LSTM'));
      expect(expectRefusal(decodeTfjsModel(lstm, bin))).toEqual({ key: 'modelArch.unsupportedLayer', layer: 'fc1', className: 'LSTM' });
    });
  });
});

describe('every architecture', () => {
  it.each(TEST_ARCHITECTURES)('%s: round-trips the spec, every tensor (running statistics included) and the dropout rate', (_id, spec) => {
    const values = exportedNetworkValues(spec, 12);
    const encoded = encodeTfjsModel(values, { spec, dropout: 0.4 });
    const json = JSON.parse(encoded.modelJson) as ModelJson;
    expect(json.userDefinedMetadata.architecture).toBe(formatCompactArch(spec));
    expect(specs(json).map((weight) => weight.shape)).toEqual(paramLayouts(spec).map((layout) => layout.shape));
    const totals = analyzeArch(spec).totals;
    expect(encoded.weightsBin.byteLength).toBe((totals.parameters + totals.buffers) * 4);
    const decoded = decodeTfjsModel(encoded.modelJson, encoded.weightsBin);
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.spec).toEqual(spec);
    expectSameWeights(decoded.weights, values);
    expect(decoded.dropout).toBe(spec.head.dropoutAfter || spec.dense.some((layer) => layer.dropoutAfter) ? 0.4 : null);
  });

  it("spells out PyTorch's meaning where Keras's differs: stride-2 padding, BatchNorm, GELU", () => {
    const topology = (spec: ArchSpec) => JSON.parse(encodeTfjsModel(exportedNetworkValues(spec, 1), { spec, dropout: 0.25 }).modelJson) as ModelJson;
    const layersOf = (json: ModelJson) => json.modelTopology.config.layers.map((layer) => `${layer.class_name}:${String(layer.config.name)}`);

    const strided = topology(ARCH_PRESETS.stridedNoPool);
    expect(layersOf(strided)).toEqual([
      'ZeroPadding2D:pad1', 'Conv2D:conv1', 'ZeroPadding2D:pad2', 'Conv2D:conv2', 'ZeroPadding2D:pad3', 'Conv2D:conv3',
      'Flatten:flatten', 'Dropout:dropout1', 'Dense:fc1', 'Dropout:dropout2', 'Dense:fc2',
    ]);
    expect(strided.modelTopology.config.layers[0].config).toMatchObject({ padding: [[1, 1], [1, 1]], batch_input_shape: [null, 28, 28, 1] });
    expect(strided.modelTopology.config.layers[1].config).toMatchObject({ padding: 'valid', strides: [2, 2], kernel_size: [3, 3] });
    expect(strided.modelTopology.config.name).toBe('mnist_lab_net');

    const batchNorm = topology(ARCH_PRESETS.batchNorm);
    expect(layersOf(batchNorm).slice(0, 4)).toEqual(['Conv2D:conv1', 'BatchNormalization:bn1', 'Activation:act1', 'MaxPooling2D:pool1']);
    expect(batchNorm.modelTopology.config.layers[0].config).toMatchObject({ use_bias: false, activation: 'linear' });
    expect(batchNorm.modelTopology.config.layers[1].config).toMatchObject({ axis: -1, epsilon: 1e-5, momentum: 0.9, center: true, scale: true });
    expect(batchNorm.modelTopology.config.layers[2].config).toMatchObject({ activation: 'relu' });
    expect(specs(batchNorm).slice(0, 5).map((weight) => weight.name)).toEqual([
      'conv1/kernel', 'bn1/gamma', 'bn1/beta', 'bn1/moving_mean', 'bn1/moving_variance',
    ]);

    const lenet = topology(ARCH_PRESETS.lenet5);
    expect(layersOf(lenet)).toEqual([
      'Conv2D:conv1', 'AveragePooling2D:pool1', 'Conv2D:conv2', 'AveragePooling2D:pool2', 'Flatten:flatten', 'Dense:fc1', 'Dense:fc2', 'Dense:fc3',
    ]);
    expect(lenet.modelTopology.config.layers[0].config).toMatchObject({ kernel_size: [5, 5], padding: 'same', activation: 'tanh' });
    expect(lenet.modelTopology.config.layers[2].config).toMatchObject({ padding: 'valid' });

    const every = topology(TEST_ARCHITECTURES[TEST_ARCHITECTURES.length - 1][1]);
    expect(layersOf(every)).toEqual([
      'Conv2D:conv1', 'BatchNormalization:bn1', 'Activation:act1', 'Conv2D:conv2', 'AveragePooling2D:pool2',
      'ZeroPadding2D:pad3', 'Conv2D:conv3', 'BatchNormalization:bn3', 'Activation:act3',
      'GlobalAveragePooling2D:gap', 'Dropout:dropout1', 'Dense:fc1', 'Dense:fc2', 'Dropout:dropout2', 'Dense:fc3',
    ]);
    const config = (name: string) => every.modelTopology.config.layers.find((layer) => layer.config.name === name)?.config;
    expect(config('conv1')).toMatchObject({ kernel_size: [5, 5], strides: [2, 2], padding: 'valid', use_bias: false });
    expect(config('act1')).toMatchObject({ activation: 'gelu' });
    expect(config('conv2')).toMatchObject({ activation: 'gelu', use_bias: true });
    expect(config('pad3')).toMatchObject({ padding: [[1, 1], [1, 1]] });
    expect(config('fc1')).toMatchObject({ units: 64, activation: 'gelu' });
    expect(config('fc3')).toMatchObject({ units: 10, activation: 'linear' });

    const mlp = topology(ARCH_PRESETS.mlp);
    expect(layersOf(mlp)).toEqual(['Flatten:flatten', 'Dropout:dropout1', 'Dense:fc1', 'Dropout:dropout2', 'Dense:fc2']);
    expect(mlp.modelTopology.config.layers[0].config.batch_input_shape).toEqual([null, 28, 28, 1]);
  });

  it('encodes only whole networks', () => {
    const values = exportedNetworkValues(ARCH_PRESETS.batchNorm, 2);
    values.delete('bn2.running_var');
    expect(() => encodeTfjsModel(values, { spec: ARCH_PRESETS.batchNorm, dropout: 0.25 })).toThrow('No value for parameter bn2.running_var');
    expect(() => encodeTfjsModel(exportedNetworkValues(SIMPLE_CNN_SPEC, 2), { spec: ARCH_PRESETS.constant32, dropout: 0.25 })).toThrow(
      'Parameter conv2.weight has 18432 values, expected 9216',
    );
  });
});

describe('refuses, as data,', () => {
  const simpleCnn = encodeTfjsModel(exportedNetworkValues(SIMPLE_CNN_SPEC, 3), { spec: SIMPLE_CNN_SPEC, dropout: 0.25 });
  /** The layers and metadata of `spec`'s file with SimpleCNN's weights. */
  const withSimpleCnnWeights = (spec: ArchSpec) =>
    edited(encodeTfjsModel(exportedNetworkValues(spec, 3), { spec, dropout: 0.25 }).modelJson, (json) => {
      json.weightsManifest = JSON.parse(simpleCnn.modelJson).weightsManifest;
    });

  it("another architecture's weights: the tensor and the shapes", () => {
    expect(expectRefusal(decodeTfjsModel(withSimpleCnnWeights(ARCH_PRESETS.constant32), simpleCnn.weightsBin))).toEqual({
      key: 'model.wrongShape',
      name: 'conv2/kernel',
      expected: '[3, 3, 32, 32]',
      got: '[3, 3, 32, 64]',
    });
    // Its conv1 has no bias: BatchNorm follows.
    expect(expectRefusal(decodeTfjsModel(withSimpleCnnWeights(ARCH_PRESETS.batchNorm), simpleCnn.weightsBin))).toMatchObject({
      key: 'modelArch.unknownWeight',
      name: 'conv1/bias',
    });
    const mlp = expectError(decodeTfjsModel(withSimpleCnnWeights(ARCH_PRESETS.mlp), simpleCnn.weightsBin));
    expect(mlp).toBe(
      'model.json has a weight that none of its layers has: "conv1/kernel". Expected exactly these weights: fc1/kernel, fc1/bias, fc2/kernel, fc2/bias.',
    );
  });

  it('a BatchNorm network without its running statistics', () => {
    const spec = ARCH_PRESETS.batchNorm;
    const encoded = encodeTfjsModel(exportedNetworkValues(spec, 4), { spec, dropout: 0.25 });
    const withoutStats = edited(encoded.modelJson, (json) => {
      json.weightsManifest[0].weights = specs(json).filter((weight) => !weight.name.startsWith('bn3/moving'));
    });
    expect(expectRefusal(decodeTfjsModel(withoutStats, encoded.weightsBin))).toEqual({ key: 'model.missingWeights', names: ['bn3/moving_mean', 'bn3/moving_variance'] });
  });

  it('an architecture that validation refuses, with every problem', () => {
    const tooDeep: ArchSpec = { ...SIMPLE_CNN_SPEC, convBlocks: Array.from({ length: 6 }, () => ({ ...SEED_CONV_BLOCK })) };
    const tooWide: ArchSpec = { ...SIMPLE_CNN_SPEC, convBlocks: [{ ...SEED_CONV_BLOCK, channels: 2048 }] };
    for (const [spec, problems] of [
      [tooDeep, [{ kind: 'pooledBelowOnePixel', at: { kind: 'conv', block: 4 }, inputSize: 1 }]],
      [tooWide, [{ kind: 'tooWide', at: { kind: 'conv', block: 0 }, field: 'channels', value: 2048, limit: 1024 }]],
    ] as const) {
      const modelJson = JSON.stringify({ format: 'layers-model', modelTopology: { class_name: 'Sequential', config: { layers: kerasModelOf(spec, 0.25).layers } }, weightsManifest: [] });
      expect(expectRefusal(decodeTfjsModel(modelJson, new ArrayBuffer(0)))).toEqual({ key: 'modelArch.invalidSpec', problems });
    }
  });

  it('layers and metadata that disagree, and metadata that names no architecture', () => {
    const tanh = edited(simpleCnn.modelJson, (json) => (json.modelTopology.config.layers[0].config.activation = 'tanh'));
    expect(expectError(decodeTfjsModel(tanh, simpleCnn.weightsBin))).toBe(
      "The model's layers describe the architecture c32tp-c64p-c128p-f256, but its userDefinedMetadata says c32p-c64p-c128p-f256: " +
        'the file was changed after it was saved.',
    );
    // Without the metadata the layers alone decide: a SimpleCNN with tanh in its first block.
    const tanhOnly = decodeTfjsModel(edited(tanh, (json) => delete json.userDefinedMetadata.architecture), simpleCnn.weightsBin);
    expect(tanhOnly.ok && tanhOnly.spec.convBlocks[0].activation).toBe('tanh');

    for (const [value, shown] of [['c32p-z9', '"c32p-z9"'], [42, '42'], ['c0p', '"c0p"']] as const) {
      const unreadable = edited(simpleCnn.modelJson, (json) => (json.userDefinedMetadata.architecture = value));
      expect(expectRefusal(decodeTfjsModel(unreadable, simpleCnn.weightsBin))).toEqual({ key: 'modelArch.metadataUnreadable', value: shown });
    }
  });
});

describe('tfjs compatibility', () => {
  /** A fetch that serves the given files, as a web server would serve model.json and its weights. */
  function serve(files: Record<string, string | ArrayBuffer>) {
    return async (input: RequestInfo | URL): Promise<Response> => {
      const url = String(input instanceof Request ? input.url : input);
      const name = url.slice(url.lastIndexOf('/') + 1);
      const body = Object.prototype.hasOwnProperty.call(files, name) ? files[name] : undefined;
      return body === undefined ? new Response('not found', { status: 404 }) : new Response(body);
    };
  }

  /** The app's eval-mode logits and the loaded model's, on the same images. */
  function logitsOf(model: tf.LayersModel, spec: ArchSpec, weights: ReadonlyMap<string, Float32Array>, images: tf.Tensor4D) {
    const network = createSpecNetwork(spec, weights);
    const { logits: ours } = specForward(network, images, { training: false, dropoutRate: 0.25 });
    const theirs = model.predict(images) as tf.Tensor;
    const result = { ours: Array.from(ours.dataSync()), theirs: Array.from(theirs.dataSync()), shape: theirs.shape };
    tf.dispose([ours, theirs]);
    disposeSpecNetwork(network);
    return result;
  }

  function largestDifference(a: readonly number[], b: readonly number[]): number {
    expect(a.length).toBe(b.length);
    return a.reduce((max, value, i) => Math.max(max, Math.abs(value - b[i])), 0);
  }

  /** What tf.io.browserDownloads would write from a model: model.json (with its manifest) and one weights file. */
  async function savedByTfjs(model: tf.LayersModel, includeOptimizer = false): Promise<{ modelJson: string; weightsBin: ArrayBuffer }> {
    let files: { modelJson: string; weightsBin: ArrayBuffer } | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        files = {
          modelJson: JSON.stringify({
            modelTopology: artifacts.modelTopology,
            format: artifacts.format,
            generatedBy: artifacts.generatedBy,
            convertedBy: artifacts.convertedBy,
            weightsManifest: [{ paths: ['./my-model.weights.bin'], weights: artifacts.weightSpecs }],
            userDefinedMetadata: artifacts.userDefinedMetadata,
          }),
          weightsBin: tf.io.CompositeArrayBuffer.join(artifacts.weightData),
        };
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
      { includeOptimizer },
    );
    if (!files) throw new Error('tfjs did not save');
    return files;
  }

  it.each(TEST_ARCHITECTURES)(
    "%s: tf.loadLayersModel builds the model from the files, which computes the app's eval logits; what tfjs saves from it reads back",
    async (_id, spec) => {
      const tensorsBefore = tf.memory().numTensors;
      const values = exportedNetworkValues(spec, 21);
      const encoded: EncodedTfjsModel = encodeTfjsModel(values, { spec, dropout: 0.25 });
      const model = await tf.loadLayersModel(filesHandler(encoded));
      const totals = analyzeArch(spec).totals;
      expect(model.countParams()).toBe(totals.parameters + totals.buffers);
      expect(model.getUserDefinedMetadata()).toMatchObject({ app: 'mnist-lab', architecture: formatCompactArch(spec) });

      const images = tf.randomNormal([4, 28, 28, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
      const { ours, theirs, shape } = logitsOf(model, spec, values, images);
      images.dispose();
      expect(shape).toEqual([4, 10]);
      expect(theirs.some((x) => Math.abs(x) > 1e-2)).toBe(true);
      expect(largestDifference(ours, theirs)).toBeLessThan(1e-5);

      const saved = await savedByTfjs(model);
      model.dispose();
      expect(JSON.parse(saved.modelJson).generatedBy).toMatch(/^TensorFlow\.js tfjs-layers/);
      const decoded = decodeTfjsModel(saved.modelJson, saved.weightsBin);
      if (!decoded.ok) throw new Error(decoded.error);
      expect(decoded.spec).toEqual(spec);
      expectSameWeights(decoded.weights, values);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    },
  );

  it('tf.loadLayersModel reads the files from a server, as a tfjs app would', async () => {
    const weights = exportedNetworkValues(SIMPLE_CNN_SPEC, 21);
    const encoded = encodeTfjsModel(weights, { spec: SIMPLE_CNN_SPEC, dropout: 0.25 });
    const model = await tf.loadLayersModel('https://example.test/models/model.json', {
      fetchFunc: serve({ 'model.json': encoded.modelJson, [encoded.weightsFileName]: encoded.weightsBin }),
    });
    expect(model.name).toBe('simple_cnn');
    expect(model.layers.map((l) => l.name)).toEqual([
      'conv1', 'pool1', 'conv2', 'pool2', 'conv3', 'pool3', 'flatten', 'dropout1', 'fc1', 'dropout2', 'fc2',
    ]);
    const images = tf.randomNormal([4, 28, 28, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    const { ours, theirs } = logitsOf(model, SIMPLE_CNN_SPEC, weights, images);
    expect(largestDifference(ours, theirs)).toBeLessThan(1e-5);
    images.dispose();
    model.dispose();
  });

  it('reads a sharded, multi-group manifest in the same order as decodeTfjsModel', async () => {
    const weights = exportedNetworkValues(SIMPLE_CNN_SPEC, 22);
    const encoded = encodeTfjsModel(weights, { spec: SIMPLE_CNN_SPEC, dropout: 0.5 });
    const cut1 = offsetOf('conv3.weight');
    const cut2 = offsetOf('fc1.weight') + 4000;
    const split = edited(encoded.modelJson, (json) => {
      const all = specs(json);
      json.weightsManifest = [
        { paths: ['a.bin'], weights: all.slice(0, 4) },
        { paths: ['b1.bin', 'b2.bin'], weights: all.slice(4) },
      ];
    });
    const model = await tf.loadLayersModel('https://example.test/model.json', {
      fetchFunc: serve({
        'model.json': split,
        'a.bin': encoded.weightsBin.slice(0, cut1),
        'b1.bin': encoded.weightsBin.slice(cut1, cut2),
        'b2.bin': encoded.weightsBin.slice(cut2),
      }),
    });
    const decoded = decodeTfjsModel(split, encoded.weightsBin);
    if (!decoded.ok) throw new Error(decoded.error);
    const images = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 8) as tf.Tensor4D;
    const { ours, theirs } = logitsOf(model, decoded.spec, decoded.weights, images);
    expect(largestDifference(ours, theirs)).toBeLessThan(1e-5);
    images.dispose();
    model.dispose();
  });

  it('decodes what tfjs saves after training the loaded model, optimizer state included', async () => {
    const weights = exportedNetworkValues(SIMPLE_CNN_SPEC, 23);
    const model = await tf.loadLayersModel(filesHandler(encodeTfjsModel(weights, { spec: SIMPLE_CNN_SPEC, dropout: 0.2 })));
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
    const x = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 9);
    const y = tf.randomNormal([2, 10], 0, 1, 'float32', 10);
    await model.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
    const trained = await savedByTfjs(model, true);
    expect(specs(JSON.parse(trained.modelJson)).some((s) => s.group === 'optimizer')).toBe(true);
    const decoded = decodeTfjsModel(trained.modelJson, trained.weightsBin);
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.dropout).toBe(0.2);
    const current = new Map<string, Float32Array>();
    model.getWeights().forEach((tensor, i) => current.set(SIMPLE_CNN_NAMES[i], tensor.dataSync() as Float32Array));
    expectSameWeights(decoded.weights, current);
    const fc2Bias = (w: ReadonlyMap<string, Float32Array>) => bytes(w.get('fc2.bias') as Float32Array);
    expect(firstDifference(fc2Bias(decoded.weights), fc2Bias(weights))).not.toBe(-1); // training changed it
    tf.dispose([x, y]);
    model.dispose();
  });
});
