import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createParams, disposeParams, forward, initialParamValues } from '../worker/model/simpleCnn';
import { SeededRandom } from '../worker/training/random';
import { DEFAULT_WEIGHTS_FILE_NAME, decodeTfjsModel, encodeTfjsModel, tfjsWeightName } from './modelFiles';
import { PARAM_NAMES, PARAM_SHAPES, parameterCount, type ParamName } from './simpleCnnShapes';

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

const TOTAL_BYTES = parameterCount() * 4;

function randomWeights(seed: number): Map<ParamName, Float32Array> {
  return initialParamValues(new SeededRandom(seed));
}

function bytes(array: Float32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Index of the first byte where `a` and `b` differ, -1 if none (toEqual on megabyte arrays is slow). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function expectSameWeights(actual: ReadonlyMap<ParamName, Float32Array>, expected: ReadonlyMap<ParamName, Float32Array>): void {
  expect([...actual.keys()]).toEqual(PARAM_NAMES);
  for (const name of PARAM_NAMES) {
    expect(firstDifference(bytes(actual.get(name) as Float32Array), bytes(expected.get(name) as Float32Array)), name).toBe(-1);
  }
}

/** The encoded model.json with `edit` applied to its parsed form. */
function edited(modelJson: string, edit: (json: JsonObject & { weightsManifest: Group[] }) => void): string {
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

/** Byte offset of `name`'s first value in the encoded weights file. */
function offsetOf(name: ParamName): number {
  let offset = 0;
  for (const other of PARAM_NAMES) {
    if (other === name) return offset;
    offset += PARAM_SHAPES[other].reduce((a: number, b: number) => a * b, 1) * 4;
  }
  throw new Error(name);
}

describe('encodeTfjsModel / decodeTfjsModel', () => {
  const weights = randomWeights(11);
  const encoded = encodeTfjsModel(weights, { dropout: 0.3 });

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
      PARAM_NAMES.map((name) => ({ name: tfjsWeightName(name), shape: [...PARAM_SHAPES[name]], dtype: 'float32' })),
    );
    expect(json.weightsManifest[0].weights[0].name).toBe('conv1/kernel');
    expect(json.userDefinedMetadata).toMatchObject({
      app: 'mnist-lab',
      normalization: { mean: 0.1307, std: 0.3081 },
      input: '28×28×1, (pixel/255 − 0.1307)/0.3081',
      output: 'logits',
    });
    expect(json.userDefinedMetadata.description).toMatch(/logits/);
    // Little-endian float32, concatenated in manifest order.
    const view = new DataView(encoded.weightsBin);
    expect(view.getFloat32(0, true)).toBe((weights.get('conv1.weight') as Float32Array)[0]);
    expect(view.getFloat32(offsetOf('fc2.bias') + 9 * 4, true)).toBe((weights.get('fc2.bias') as Float32Array)[9]);
  });

  it('round-trips the weights byte for byte, from a Map or a Record', () => {
    const decoded = decodeTfjsModel(encoded.modelJson, encoded.weightsBin);
    if (!decoded.ok) throw new Error(decoded.error);
    expectSameWeights(decoded.weights, weights);
    expect(decoded.dropout).toBe(0.3);

    const record = Object.fromEntries(weights) as Record<ParamName, Float32Array>;
    const fromRecord = encodeTfjsModel(record, { dropout: 0, description: 'mine', weightsFileName: 'w.bin' });
    expect(firstDifference(new Uint8Array(fromRecord.weightsBin), new Uint8Array(encoded.weightsBin))).toBe(-1);
    expect(JSON.parse(fromRecord.modelJson).weightsManifest[0].paths).toEqual(['w.bin']);
    expect(JSON.parse(fromRecord.modelJson).userDefinedMetadata.description).toBe('mine');
    const again = decodeTfjsModel(fromRecord.modelJson, fromRecord.weightsBin);
    expect(again.ok && again.dropout).toBe(0);
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
      expect(expectError(decodeTfjsModel(edited(encoded.modelJson, (j) => delete j.modelTopology), bin))).toBe(
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
      expect(error).toMatch(/^model\.json has a weight this app's SimpleCNN does not have: "conv9\/bias"\. Expected exactly these weights: conv1\/kernel, conv1\/bias, /);
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

    it('a different architecture', () => {
      const layers = (j: JsonObject) => (j.modelTopology as { config: { layers: { class_name: string; config: JsonObject }[] } }).config.layers;
      const tanh = edited(encoded.modelJson, (j) => (layers(j)[0].config.activation = 'tanh'));
      expect(expectError(decodeTfjsModel(tanh, bin))).toBe(
        'The model is not this app\'s SimpleCNN: layer "conv1" (Conv2D) has activation "tanh", expected "relu".',
      );
      const avgPool = edited(encoded.modelJson, (j) => (layers(j)[1].class_name = 'AveragePooling2D'));
      expect(expectError(decodeTfjsModel(avgPool, bin))).toBe(
        "The model is not this app's SimpleCNN: expected the layers Conv2D, MaxPooling2D, Conv2D, MaxPooling2D, " +
          'Conv2D, MaxPooling2D, Flatten, Dense, Dense (besides dropout), got Conv2D, AveragePooling2D, Conv2D, ' +
          'MaxPooling2D, Conv2D, MaxPooling2D, Flatten, Dense, Dense.',
      );
    });
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

  function logitsOf(model: tf.LayersModel, weights: ReadonlyMap<ParamName, Float32Array>, images: tf.Tensor4D) {
    const params = createParams(weights);
    const ours = forward(params, images, { training: false, dropoutRate: 0.25 });
    const theirs = model.predict(images) as tf.Tensor;
    const result = { ours: Array.from(ours.dataSync()), theirs: Array.from(theirs.dataSync()), shape: theirs.shape };
    tf.dispose([ours, theirs]);
    disposeParams(params);
    return result;
  }

  it('tf.loadLayersModel reads the files and computes the same logits as the app', async () => {
    const weights = randomWeights(21);
    const encoded = encodeTfjsModel(weights, { dropout: 0.25 });
    const model = await tf.loadLayersModel('https://example.test/models/model.json', {
      fetchFunc: serve({ 'model.json': encoded.modelJson, [encoded.weightsFileName]: encoded.weightsBin }),
    });
    expect(model.name).toBe('simple_cnn');
    expect(model.layers.map((l) => l.name)).toEqual([
      'conv1', 'pool1', 'conv2', 'pool2', 'conv3', 'pool3', 'flatten', 'dropout1', 'fc1', 'dropout2', 'fc2',
    ]);
    expect(model.getUserDefinedMetadata()).toMatchObject({ app: 'mnist-lab', output: 'logits' });
    expect(model.countParams()).toBe(parameterCount());

    const images = tf.randomNormal([4, 28, 28, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    const { ours, theirs, shape } = logitsOf(model, weights, images);
    expect(shape).toEqual([4, 10]);
    expect(theirs.some((x) => Math.abs(x) > 1e-3)).toBe(true);
    for (let i = 0; i < ours.length; i++) expect(Math.abs(theirs[i] - ours[i]), `logit ${i}`).toBeLessThan(1e-5);
    images.dispose();
    model.dispose();
  });

  it('reads a sharded, multi-group manifest in the same order as decodeTfjsModel', async () => {
    const weights = randomWeights(22);
    const encoded = encodeTfjsModel(weights, { dropout: 0.5 });
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
    const { ours, theirs } = logitsOf(model, decoded.weights, images);
    for (let i = 0; i < ours.length; i++) expect(Math.abs(theirs[i] - ours[i])).toBeLessThan(1e-5);
    images.dispose();
    model.dispose();
  });

  it("decodes what tfjs itself saves from the loaded model, optimizer state included", async () => {
    const weights = randomWeights(23);
    const encoded = encodeTfjsModel(weights, { dropout: 0.2 });
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: JSON.parse(encoded.modelJson).modelTopology,
        weightSpecs: JSON.parse(encoded.modelJson).weightsManifest[0].weights,
        weightData: encoded.weightsBin,
      }),
    );

    /** What tf.io.browserDownloads would write: model.json (with its manifest) and one weights file. */
    async function saveAsFiles(includeOptimizer: boolean): Promise<{ modelJson: string; weightsBin: ArrayBuffer }> {
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

    const saved = await saveAsFiles(false);
    expect(JSON.parse(saved.modelJson).generatedBy).toMatch(/^TensorFlow\.js tfjs-layers/);
    const decoded = decodeTfjsModel(saved.modelJson, saved.weightsBin);
    if (!decoded.ok) throw new Error(decoded.error);
    expectSameWeights(decoded.weights, weights);
    expect(decoded.dropout).toBe(0.2);

    // After a training step, with the optimizer's state saved alongside (group "optimizer").
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
    const x = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 9);
    const y = tf.randomNormal([2, 10], 0, 1, 'float32', 10);
    await model.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
    const trained = await saveAsFiles(true);
    const trainedSpecs = specs(JSON.parse(trained.modelJson));
    expect(trainedSpecs.some((s) => s.group === 'optimizer')).toBe(true);
    const decodedTrained = decodeTfjsModel(trained.modelJson, trained.weightsBin);
    if (!decodedTrained.ok) throw new Error(decodedTrained.error);
    const current = new Map<ParamName, Float32Array>();
    model.getWeights().forEach((tensor, i) => current.set(PARAM_NAMES[i], tensor.dataSync() as Float32Array));
    expectSameWeights(decodedTrained.weights, current);
    const fc2Bias = (w: ReadonlyMap<ParamName, Float32Array>) => bytes(w.get('fc2.bias') as Float32Array);
    expect(firstDifference(fc2Bias(decodedTrained.weights), fc2Bias(weights))).not.toBe(-1); // training changed it
    tf.dispose([x, y]);
    model.dispose();
  });
});
