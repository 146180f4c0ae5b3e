import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SIMPLE_CNN_SPEC, type Activation, type ArchSpec } from '../../shared/arch/archSpec';
import { ARCH_PRESETS } from '../../shared/arch/presets';
import { registerWasmTrainingKernels } from '../backends/wasmKernels';
import { SeededRandom } from '../training/random';
import { TorchAdam } from '../training/torchAdam';
import { trainStep } from '../training/trainStep';
import {
  applyRunningStats,
  createSpecNetwork,
  disposeSpecNetwork,
  initialSpecValues,
  readSpecNetworkValues,
  specForward,
  specForwardWithActivations,
  type SpecForwardOptions,
  type SpecNetwork,
} from './specNetwork';

// WASM with the app's training kernels: the backend the app trains on without a GPU, and fast enough here.
beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

const networks: SpecNetwork[] = [];
function network(spec: ArchSpec, seed = 0): SpecNetwork {
  const created = createSpecNetwork(spec, initialSpecValues(spec, new SeededRandom(seed)));
  networks.push(created);
  return created;
}
afterEach(() => {
  for (const created of networks.splice(0)) disposeSpecNetwork(created);
});

const images = (count: number, seed = 1) => tf.randomNormal([count, 28, 28, 1], 0, 1, 'float32', seed) as tf.Tensor4D;
const labelsOf = (count: number) => tf.tensor1d(Array.from({ length: count }, (_, i) => (i * 7) % 10), 'int32');

/** SimpleCNN's tensors as the seed's PyTorch model names them, in this app's layout (HWIO filters, [in, out] weights). */
const SIMPLE_CNN_SHAPES: [name: string, shape: number[]][] = [
  ['conv1.weight', [3, 3, 1, 32]],
  ['conv1.bias', [32]],
  ['conv2.weight', [3, 3, 32, 64]],
  ['conv2.bias', [64]],
  ['conv3.weight', [3, 3, 64, 128]],
  ['conv3.bias', [128]],
  ['fc1.weight', [1152, 256]],
  ['fc1.bias', [256]],
  ['fc2.weight', [256, 10]],
  ['fc2.bias', [10]],
];

describe('spec network: SimpleCNN', () => {
  it("has the seed's 390,410 parameters, drawn as PyTorch initializes them: U(±1/√fan_in), in state_dict order", () => {
    const seed = 42;
    const random = new SeededRandom(seed);
    const values = initialSpecValues(SIMPLE_CNN_SPEC, random);
    expect([...values.keys()]).toEqual(SIMPLE_CNN_SHAPES.map(([name]) => name));
    expect([...values.values()].reduce((n, a) => n + a.length, 0)).toBe(390_410);

    // The generator's draws one after another, each tensor's element by element in this app's layout, so
    // a seed gives the same network on every backend (and the data order after it is the same).
    const fanIn: Record<string, number> = { conv1: 9, conv2: 9 * 32, conv3: 9 * 64, fc1: 1152, fc2: 256 };
    const draws = new SeededRandom(seed);
    for (const [name, shape] of SIMPLE_CNN_SHAPES) {
      const bound = 1 / Math.sqrt(fanIn[name.split('.')[0]]);
      const expected = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (draws.next() * 2 - 1) * bound);
      expect(values.get(name), name).toEqual(expected);
    }
    expect(random.currentState).toBe(draws.currentState);

    const net = network(SIMPLE_CNN_SPEC);
    expect([...net.params].map(([name, variable]) => [name, variable.shape])).toEqual(SIMPLE_CNN_SHAPES);
    expect(net.buffers.size).toBe(0);
  });

  it('maps [batch, 28, 28, 1] to [batch, 10] with the three conv maps before pooling, and drops out only in training', () => {
    const net = network(SIMPLE_CNN_SPEC, 2);
    const x = images(3);
    const before = tf.memory().numTensors;
    const withMaps = specForwardWithActivations(net, x, { training: true, dropoutRate: 0.25, dropoutSeed: 5 });
    expect(withMaps.logits.shape).toEqual([3, 10]);
    expect(withMaps.activations.map((a) => a.shape)).toEqual([
      [3, 28, 28, 32],
      [3, 14, 14, 64],
      [3, 7, 7, 128],
    ]);
    expect(withMaps.runningStats).toEqual([]);
    const logits = (options: SpecForwardOptions) => specForward(net, x, options).logits;
    const evalA = logits({ training: false, dropoutRate: 0.25 });
    const evalB = logits({ training: false, dropoutRate: 0.25, dropoutSeed: 5 });
    const trainA = logits({ training: true, dropoutRate: 0.25, dropoutSeed: 5 });
    const trainB = logits({ training: true, dropoutRate: 0.25, dropoutSeed: 5 });
    const trainC = logits({ training: true, dropoutRate: 0.25, dropoutSeed: 6 });
    const [a, b, ta, tb, tc, withMapsLogits] = [evalA, evalB, trainA, trainB, trainC, withMaps.logits].map((t) => Array.from(t.dataSync()));
    expect(b).toEqual(a);
    expect(tb).toEqual(ta); // same seed, same masks
    expect(withMapsLogits).toEqual(ta);
    expect(tc).not.toEqual(ta);
    expect(ta).not.toEqual(a);
    tf.dispose([withMaps, evalA, evalB, trainA, trainB, trainC]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it("drops a shard's rows as the whole batch drops them", () => {
    const net = network(SIMPLE_CNN_SPEC, 4);
    const x = images(8);
    const options = { training: true, dropoutRate: 0.5, dropoutSeed: 9 };
    const whole = specForward(net, x, options).logits;
    const shardImages = tf.slice(x, [3, 0, 0, 0], [4, 28, 28, 1]);
    const shardAt = (offset: number) => specForward(net, shardImages, { ...options, batchRows: { offset, total: 8 } }).logits;
    const [shard, misplaced] = [shardAt(3), shardAt(0)];
    const wholeRows = tf.slice(whole, [3, 0], [4, 10]);
    const largestDifference = (a: tf.Tensor, b: tf.Tensor) => Math.max(...tf.abs(tf.sub(a, b)).dataSync());
    expect(largestDifference(wholeRows, shard)).toBeLessThan(1e-5);
    // The rows' place in the batch picks their masks: the same images as rows 0 … 3 are dropped otherwise.
    expect(largestDifference(wholeRows, misplaced)).toBeGreaterThan(1e-2);
    tf.dispose([x, whole, shardImages, shard, misplaced, wholeRows]);
  });
});

describe('spec network: any spec', () => {
  it("initializes each layer type as PyTorch: U(±1/√fan_in) for conv and linear, BatchNorm's constants", () => {
    const values = initialSpecValues(ARCH_PRESETS.batchNorm, new SeededRandom(8));
    expect(values.has('conv1.bias')).toBe(false);
    expect([...(values.get('bn2.weight') as Float32Array)]).toEqual(Array(64).fill(1));
    expect([...(values.get('bn2.bias') as Float32Array)]).toEqual(Array(64).fill(0));
    expect([...(values.get('bn2.running_mean') as Float32Array)]).toEqual(Array(64).fill(0));
    expect([...(values.get('bn2.running_var') as Float32Array)]).toEqual(Array(64).fill(1));

    const lenet = initialSpecValues(ARCH_PRESETS.lenet5, new SeededRandom(8));
    const fanIn: Record<string, number> = { conv1: 25, conv2: 25 * 6, fc1: 400, fc2: 120, fc3: 84 };
    for (const [name, array] of lenet) {
      const bound = 1 / Math.sqrt(fanIn[name.split('.')[0]]);
      const largest = Math.max(...array.map(Math.abs));
      expect(largest, name).toBeLessThanOrEqual(bound);
      // The bound is used, not just respected: with this many draws the largest comes close to it.
      if (array.length >= 84) expect(largest, name).toBeGreaterThan(0.9 * bound);
    }
  });

  it('returns one activation map per conv block, before pooling, whatever the count', () => {
    const x = images(2);
    const lenet = specForwardWithActivations(network(ARCH_PRESETS.lenet5), x, { training: false, dropoutRate: 0 });
    expect(lenet.activations.map((a) => a.shape)).toEqual([
      [2, 28, 28, 6],
      [2, 10, 10, 16],
    ]);
    expect(lenet.logits.shape).toEqual([2, 10]);
    const strided = specForwardWithActivations(network(ARCH_PRESETS.stridedNoPool), x, { training: false, dropoutRate: 0 });
    expect(strided.activations.map((a) => a.shape.slice(1))).toEqual([
      [14, 14, 32],
      [7, 7, 64],
      [4, 4, 128],
    ]);
    const mlp = specForwardWithActivations(network(ARCH_PRESETS.mlp), x, { training: false, dropoutRate: 0 });
    expect(mlp.activations).toEqual([]);
    tf.dispose([x, lenet, strided, mlp]);
  });

  it('computes only what its pools read, with the same logits and gradients as the whole maps', () => {
    // SimpleCNN's conv3 (7 → 6 by padding less), a stride-2 conv on 14 (7 → 6 by cutting an input row),
    // LeNet-5 (even maps: nothing to trim) and its 'valid' 5×5 on 13 (9 → 8 by cutting an input row).
    const stridedPooled: ArchSpec = { ...SIMPLE_CNN_SPEC, convBlocks: [SIMPLE_CNN_SPEC.convBlocks[0], { ...SIMPLE_CNN_SPEC.convBlocks[1], stride: 2 }] };
    const oddValid: ArchSpec = {
      ...ARCH_PRESETS.lenet5,
      convBlocks: [{ ...ARCH_PRESETS.lenet5.convBlocks[0], kernel: 3, padding: 'valid' }, ARCH_PRESETS.lenet5.convBlocks[1]],
    };
    // Max pooling before the activation where they commute (ReLU, tanh), after it where not (GELU).
    const activated = (activation: Activation): ArchSpec => ({ ...SIMPLE_CNN_SPEC, convBlocks: SIMPLE_CNN_SPEC.convBlocks.map((block) => ({ ...block, activation })) });
    const x = images(5, 3);
    const labels = labelsOf(5);
    const specs = { simpleCnn: SIMPLE_CNN_SPEC, stridedPooled, lenet5: ARCH_PRESETS.lenet5, oddValid, tanh: activated('tanh'), gelu: activated('gelu') };
    for (const [name, spec] of Object.entries(specs)) {
      const net = network(spec, 6);
      const variables = [...net.params.values()];
      const lossAndGrads = (wholeMaps: boolean) =>
        tf.variableGrads(() => {
          const options = { training: true, dropoutRate: 0.25, dropoutSeed: 2 };
          const logits = wholeMaps ? specForwardWithActivations(net, x, options).logits : specForward(net, x, options).logits;
          return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 10), logits) as tf.Scalar;
        }, variables);
      const before = tf.memory().numTensors;
      const [whole, trimmed] = [lossAndGrads(true), lossAndGrads(false)];
      expect(trimmed.value.dataSync()[0], name).toBeCloseTo(whole.value.dataSync()[0], 6);
      for (const variable of variables) {
        const [a, b] = [whole.grads[variable.name].dataSync() as Float32Array, trimmed.grads[variable.name].dataSync() as Float32Array];
        const scale = a.reduce((largest, v) => Math.max(largest, Math.abs(v)), 0);
        const difference = a.reduce((largest, v, i) => Math.max(largest, Math.abs(v - b[i])), 0);
        expect(scale, `${name} ${variable.name}`).toBeGreaterThan(0);
        expect(difference / scale, `${name} ${variable.name}`).toBeLessThan(1e-5);
      }
      tf.dispose([whole.value, trimmed.value, Object.values(whole.grads), Object.values(trimmed.grads)]);
      expect(tf.memory().numTensors, name).toBe(before);
    }
    tf.dispose([x, labels]);
  });

  it('puts dropout only where the spec says', () => {
    const x = images(4);
    const logits = (net: SpecNetwork, training: boolean) => specForward(net, x, { training, dropoutRate: 0.5, dropoutSeed: 3 }).logits;
    const lenet = network(ARCH_PRESETS.lenet5);
    const [lenetTrain, lenetEval] = [logits(lenet, true), logits(lenet, false)];
    expect(lenetTrain.dataSync()).toEqual(lenetEval.dataSync()); // LeNet-5 has no dropout site
    const mlp = network(ARCH_PRESETS.mlp);
    const [mlpTrain, mlpEval] = [logits(mlp, true), logits(mlp, false)];
    expect(mlpTrain.dataSync()).not.toEqual(mlpEval.dataSync());
    tf.dispose([x, lenetTrain, lenetEval, mlpTrain, mlpEval]);
  });

  it('normalizes by batch statistics in training and by the running statistics in eval, as nn.BatchNorm2d', async () => {
    const spec: ArchSpec = { ...SIMPLE_CNN_SPEC, convBlocks: [{ ...SIMPLE_CNN_SPEC.convBlocks[0], channels: 4, batchNorm: true, pooling: 'none', activation: 'tanh' }] };
    const net = network(spec);
    const x = images(3);
    const conv = tf.conv2d(x, net.params.get('conv1.weight') as tf.Tensor4D, 1, 'same');
    const batch = tf.moments(conv, [0, 1, 2]);
    const normalizedBy = (mean: tf.Tensor, variance: tf.Tensor) => tf.tanh(tf.div(tf.sub(conv, mean), tf.sqrt(tf.add(variance, 1e-5))));
    const maxDifference = (a: tf.Tensor, b: tf.Tensor) => Math.max(...tf.abs(tf.sub(a, b)).dataSync());

    // Training, with weight 1 and bias 0: (x − batch mean) / √(biased batch variance + eps).
    const train = specForwardWithActivations(net, x, { training: true, dropoutRate: 0 });
    expect(maxDifference(train.activations[0], normalizedBy(batch.mean, batch.variance))).toBeLessThan(1e-5);

    // The running statistics move 10 % of the way to the batch mean and the unbiased batch variance.
    const n = 3 * 28 * 28;
    const expectedMean = batch.mean.dataSync().map((m) => 0.9 * 0 + 0.1 * m);
    const expectedVar = batch.variance.dataSync().map((v) => 0.9 * 1 + 0.1 * v * (n / (n - 1)));
    expect(train.runningStats.map((u) => u.name)).toEqual(['bn1.running_mean', 'bn1.running_var']);
    const before = tf.memory().numTensors;
    applyRunningStats(net, train.runningStats);
    expect(tf.memory().numTensors).toBe(before - 2);
    const values = await readSpecNetworkValues(net);
    const runningMean = values.get('bn1.running_mean') as Float32Array;
    const runningVar = values.get('bn1.running_var') as Float32Array;
    runningMean.forEach((m, c) => expect(m).toBeCloseTo(expectedMean[c], 6));
    runningVar.forEach((v, c) => expect(v).toBeCloseTo(expectedVar[c], 5));

    // Eval: the running statistics normalize, and nothing is updated.
    const evaluated = specForwardWithActivations(net, x, { training: false, dropoutRate: 0 });
    expect(evaluated.runningStats).toEqual([]);
    expect(maxDifference(evaluated.activations[0], normalizedBy(tf.tensor1d(runningMean), tf.tensor1d(runningVar)))).toBeLessThan(1e-5);
    tf.dispose([x, conv, batch, train.logits, train.activations, evaluated]);
  });

  it('applies the running statistics in the train step and frees what it kept', () => {
    const net = network(ARCH_PRESETS.batchNorm);
    const optimizer = new TorchAdam<string>(net.params, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-4 });
    const x = images(4);
    const labels = labelsOf(4);
    const input = { images: x, labels, dropoutRate: 0.25, dropoutSeed: 1 };
    tf.dispose(trainStep(net, optimizer, input)); // the optimizer's slots are created on the first step
    const before = tf.memory().numTensors;
    const runningVar = (net.buffers.get('bn3.running_var') as tf.Variable).dataSync().slice();
    tf.dispose(trainStep(net, optimizer, input));
    expect(tf.memory().numTensors).toBe(before);
    expect((net.buffers.get('bn3.running_var') as tf.Variable).dataSync()).not.toEqual(runningVar);
    expect(optimizer.step).toBe(2);
    tf.dispose([x, labels]);
    optimizer.dispose();
  });

  it('refuses to train a shard of a BatchNorm network alone, and a single value per channel, as PyTorch does', () => {
    const x = images(1);
    expect(() => specForward(network(ARCH_PRESETS.batchNorm), x, { training: true, dropoutRate: 0, batchRows: { offset: 0, total: 2 } })).toThrow(/whole batch/);
    const onePixel: ArchSpec = { ...SIMPLE_CNN_SPEC, convBlocks: [{ ...SIMPLE_CNN_SPEC.convBlocks[0], kernel: 5, padding: 'valid', stride: 2 }, ...Array(3).fill({ ...SIMPLE_CNN_SPEC.convBlocks[0], stride: 2, pooling: 'none', batchNorm: true })] };
    // 28 → 12 → pool 6 → 3 → 2 → 1: the last BatchNorm sees one value per channel in a batch of one.
    const net = network(onePixel);
    const before = tf.memory().numTensors;
    expect(() => specForward(net, x, { training: true, dropoutRate: 0 })).toThrow('bn4: expected more than 1 value per channel');
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
