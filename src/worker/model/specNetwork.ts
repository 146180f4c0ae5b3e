/**
 * Any architecture spec (src/shared/arch) as variables and a forward function (rather than tf.layers):
 * explicit tensors named as PyTorch's `state_dict` names them, dropout masks from the run's seeded
 * generator, and the activations of every conv block for the feature-map view. The seed's SimpleCNN is
 * SIMPLE_CNN_SPEC; its PyTorch parity is training/parity.test.ts's.
 *
 * Layout is TensorFlow.js's (NHWC, HWIO filters, [in, out] dense weights); ParamLayout says how each
 * tensor maps to PyTorch's, and src/shared/arch/torchConversion.ts converts.
 *
 * BatchNorm is `nn.BatchNorm2d(momentum=0.1, eps=1e-5)`: in training, each channel is normalized by its
 * batch mean and biased variance, and the running statistics move by
 *   running_mean ← 0.9 · running_mean + 0.1 · mean,   running_var ← 0.9 · running_var + 0.1 · var · n / (n − 1)
 * (n = batch · height · width, the unbiased variance, as PyTorch stores it); in eval the running
 * statistics normalize. A variable cannot be assigned inside `tf.variableGrads`, so a training forward
 * RETURNS the new running statistics (`runningStats`) and the caller applies them with `applyRunningStats`
 * after the optimizer step (training/trainStep.ts does both). A caller that runs a training forward
 * without stepping disposes them instead.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormName, convName, denseName, type Activation, type ArchSpec, type ConvBlockSpec } from '../../shared/arch/archSpec';
import { convPadding } from '../../shared/arch/convPadding';
import { paramLayouts } from '../../shared/arch/paramLayouts';
import { elementCount, type ParamLayout } from '../../shared/paramLayout';
import type { SeededRandom } from '../training/random';
import { dropoutMultipliers } from './dropoutMask';

export const BATCH_NORM_MOMENTUM = 0.1;
export const BATCH_NORM_EPS = 1e-5;

export interface SpecNetwork {
  readonly spec: ArchSpec;
  /** Every tensor of the network's state, in PyTorch's state_dict order. */
  readonly layouts: readonly ParamLayout[];
  /** The trainable tensors by PyTorch name, in layout order: what the optimizer updates. */
  readonly params: ReadonlyMap<string, tf.Variable>;
  /** BatchNorm's running statistics (`bnK.running_mean`, `bnK.running_var`): state, not trained. */
  readonly buffers: ReadonlyMap<string, tf.Variable>;
}

/**
 * The initial value of every tensor, by PyTorch name, as PyTorch initializes each layer type: Conv2d and
 * Linear weight and bias U(±1/√fan_in) (kaiming_uniform(a=√5) for the weight), drawn from the run's
 * generator in layout order, element by element in this app's layout; BatchNorm weight 1, bias 0,
 * running mean 0, running variance 1 (no draws).
 */
export function initialSpecValues(spec: ArchSpec, random: SeededRandom): Map<string, Float32Array> {
  const layouts = paramLayouts(spec);
  const batchNormLayers = new Set(spec.convBlocks.flatMap((block, i) => (block.batchNorm ? [batchNormName(i)] : [])));
  const weightFanIn = new Map<string, number>();
  const values = new Map<string, Float32Array>();
  for (const layout of layouts) {
    const [layer, tensor] = splitName(layout.name);
    const array = new Float32Array(elementCount(layout.shape));
    if (batchNormLayers.has(layer)) {
      if (tensor === 'weight' || tensor === 'running_var') array.fill(1);
    } else {
      if (layout.kind !== 'vector') weightFanIn.set(layer, elementCount(layout.shape) / layout.shape[layout.shape.length - 1]);
      const fanIn = weightFanIn.get(layer);
      if (fanIn === undefined) throw new Error(`${layout.name} comes before its layer's weight`);
      const bound = 1 / Math.sqrt(fanIn);
      for (let i = 0; i < array.length; i++) array[i] = (random.next() * 2 - 1) * bound;
    }
    values.set(layout.name, array);
  }
  return values;
}

/** `conv1.weight` → ['conv1', 'weight']; `bn1.running_mean` → ['bn1', 'running_mean']. */
function splitName(name: string): [layer: string, tensor: string] {
  const dot = name.indexOf('.');
  return [name.slice(0, dot), name.slice(dot + 1)];
}

/** Variables holding `values` (every layout's tensor, e.g. from `initialSpecValues` or a checkpoint). */
export function createSpecNetwork(spec: ArchSpec, values: ReadonlyMap<string, Float32Array>): SpecNetwork {
  const layouts = paramLayouts(spec);
  for (const layout of layouts) {
    const array = values.get(layout.name);
    if (!array) throw new Error(`No value for ${layout.name}`);
    if (array.length !== elementCount(layout.shape)) throw new Error(`${layout.name}: ${array.length} values for shape [${layout.shape.join(', ')}]`);
  }
  const params = new Map<string, tf.Variable>();
  const buffers = new Map<string, tf.Variable>();
  for (const layout of layouts) {
    // Engine-unique variable names are left to tfjs: two networks may exist at once (tests, a reset).
    const variable = tf.tidy(() => tf.variable(tf.tensor(values.get(layout.name) as Float32Array, [...layout.shape]), layout.trainable));
    (layout.trainable ? params : buffers).set(layout.name, variable);
  }
  return { spec, layouts, params, buffers };
}

export function disposeSpecNetwork(network: SpecNetwork): void {
  for (const variable of [...network.params.values(), ...network.buffers.values()]) variable.dispose();
}

/** Every tensor's current values by PyTorch name, in layout order (for checkpoints, model files, pool workers). */
export async function readSpecNetworkValues(network: SpecNetwork): Promise<Map<string, Float32Array>> {
  const entries = await Promise.all(
    network.layouts.map(async (layout): Promise<[string, Float32Array]> => {
      const variable = (network.params.get(layout.name) ?? network.buffers.get(layout.name)) as tf.Variable;
      return [layout.name, Float32Array.from((await variable.data()) as Float32Array)];
    }),
  );
  return new Map(entries);
}

export interface SpecForwardOptions {
  /** Dropout and BatchNorm's batch statistics apply only while training (`model.train()` / `model.eval()`). */
  training: boolean;
  /** The run's dropout rate, used at every dropout site of the spec. */
  dropoutRate: number;
  /** Seeds the dropout masks of this forward pass: site k (in forward order) uses `dropoutSeed + k`. */
  dropoutSeed?: number;
  /**
   * These images are rows `offset …` of a batch of `total` (one shard of a data-parallel step): their
   * dropout masks are those rows of the whole batch's masks, so a sharded step drops what one worker would.
   * Refused in training for a spec with BatchNorm, whose batch statistics need the whole batch.
   */
  batchRows?: { offset: number; total: number };
}

/** The value a running statistic takes after this training step. */
export type RunningStatUpdate = {
  name: string;
  value: tf.Tensor1D;
};

/** A type, not an interface, so that tf.tidy can return it and tf.dispose take it whole. */
export type SpecForwardResult = {
  logits: tf.Tensor2D;
  /** What each conv block computed after its activation, before its pooling: one map per block. */
  activations: tf.Tensor4D[];
  /** Empty unless training a spec with BatchNorm; see the file's comment. */
  runningStats: RunningStatUpdate[];
};

/** Logits [batch, 10] for normalized images [batch, 28, 28, 1], and the running-statistics updates. */
export function specForward(
  network: SpecNetwork,
  images: tf.Tensor4D,
  options: SpecForwardOptions,
): { logits: tf.Tensor2D; runningStats: RunningStatUpdate[] } {
  return tf.tidy(() => {
    const { logits, runningStats } = forward(network, images, options, false);
    return { logits, runningStats };
  });
}

/** `specForward` with each conv block's whole map after its activation (the feature maps a prediction shows). */
export function specForwardWithActivations(network: SpecNetwork, images: tf.Tensor4D, options: SpecForwardOptions): SpecForwardResult {
  return forward(network, images, options, true);
}

/**
 * @param wholeMaps compute every conv output position; without it, a conv computes only the rows and
 *   columns its pool reads (`convPadding`), which changes no logit and no gradient
 */
function forward(network: SpecNetwork, images: tf.Tensor4D, options: SpecForwardOptions, wholeMaps: boolean): SpecForwardResult {
  const { spec } = network;
  if (options.training && options.batchRows && spec.convBlocks.some((block) => block.batchNorm)) {
    throw new Error('BatchNorm normalizes by the statistics of the whole batch; a shard of it cannot train on its own');
  }
  return tf.tidy(() => {
    const param = (name: string) => network.params.get(name) as tf.Variable;
    const dense = (input: tf.Tensor2D, layer: string) => tf.add<tf.Tensor2D>(tf.matMul(input, param(`${layer}.weight`) as tf.Tensor2D), param(`${layer}.bias`));
    const activations: tf.Tensor4D[] = [];
    const runningStats: RunningStatUpdate[] = [];
    let x4: tf.Tensor4D = images;
    for (const [i, block] of spec.convBlocks.entries()) {
      const conv = convName(i);
      const { input, pad } = convArguments(x4, block, !wholeMaps);
      let y: tf.Tensor4D = tf.conv2d(input, param(`${conv}.weight`) as tf.Tensor4D, block.stride, pad);
      if (block.batchNorm) {
        y = batchNorm(network, batchNormName(i), y, options.training, runningStats);
      } else {
        y = tf.add<tf.Tensor4D>(y, param(`${conv}.bias`));
      }
      if (!wholeMaps && block.pooling === 'max' && MONOTONIC.has(block.activation)) {
        // max(f(a), f(b)) = f(max(a, b)) for a non-decreasing f, and the gradient takes the same path
        // (ties and ReLU's flat part included: see MONOTONIC), so activating the pooled map, a quarter
        // of the size, gives the same values and gradients for less work.
        x4 = activate(tf.maxPool(y, 2, 2, 'valid'), block.activation);
        continue;
      }
      const activated = activate(y, block.activation);
      if (wholeMaps) activations.push(activated);
      x4 =
        block.pooling === 'max'
          ? tf.maxPool(activated, 2, 2, 'valid')
          : block.pooling === 'avg'
            ? tf.avgPool(activated, 2, 2, 'valid')
            : activated;
    }
    const [batch, height, width, channels] = x4.shape;
    let x: tf.Tensor2D = spec.head.kind === 'flatten' ? tf.reshape(x4, [batch, height * width * channels]) : tf.mean<tf.Tensor2D>(x4, [1, 2]);
    const useDropout = options.training && options.dropoutRate > 0;
    const seed = options.dropoutSeed ?? 0;
    let site = 0;
    const dropout = (input: tf.Tensor2D, here: boolean): tf.Tensor2D => {
      if (!here) return input;
      const output = useDropout ? dropoutRows(input, options.dropoutRate, seed + site, options.batchRows) : input;
      site += 1;
      return output;
    };
    x = dropout(x, spec.head.dropoutAfter);
    for (const [i, layer] of spec.dense.entries()) {
      x = dropout(activate(dense(x, denseName(i)), layer.activation), layer.dropoutAfter);
    }
    const logits = dense(x, denseName(spec.dense.length));
    return { logits, activations, runningStats };
  });
}

type ConvPad = 'valid' | 'same' | number | [[0, 0], [number, number], [number, number], [0, 0]];

/** The block's conv input (cut where `convPadding` says) and its tfjs padding. */
function convArguments(x: tf.Tensor4D, block: ConvBlockSpec, trimUnpooled: boolean): { input: tf.Tensor4D; pad: ConvPad } {
  const [, height, width] = x.shape;
  const { top, bottom, left, right, cropInput } = convPadding(block, height, trimUnpooled);
  if (top === bottom && left === right && cropInput === 0) {
    // PyTorch pads ⌊k/2⌋ on every side; tfjs's 'same' agrees at stride 1 but pads only bottom/right at
    // stride 2, hence a number there.
    return { input: x, pad: block.padding === 'valid' ? 'valid' : block.stride === 1 ? 'same' : top };
  }
  const input = cropInput > 0 ? tf.slice(x, [0, 0, 0, 0], [-1, height - cropInput, width - cropInput, -1]) : x;
  return { input, pad: [[0, 0], [top, bottom], [left, right], [0, 0]] };
}

/**
 * Sets the running statistics a training forward returned (call after the optimizer step, outside
 * `tf.variableGrads`), and disposes them.
 */
export function applyRunningStats(network: SpecNetwork, updates: readonly RunningStatUpdate[]): void {
  for (const { name, value } of updates) {
    const buffer = network.buffers.get(name);
    if (!buffer) throw new Error(`No running statistic ${name}`);
    buffer.assign(value);
    value.dispose();
  }
}

/** `nn.BatchNorm2d` on an NHWC map; in training, pushes the running statistics' next values onto `updates`. */
function batchNorm(network: SpecNetwork, name: string, x: tf.Tensor4D, training: boolean, updates: RunningStatUpdate[]): tf.Tensor4D {
  const weight = network.params.get(`${name}.weight`) as tf.Variable;
  const bias = network.params.get(`${name}.bias`) as tf.Variable;
  const runningMean = network.buffers.get(`${name}.running_mean`) as tf.Variable;
  const runningVar = network.buffers.get(`${name}.running_var`) as tf.Variable;
  let mean: tf.Tensor = runningMean;
  let variance: tf.Tensor = runningVar;
  if (training) {
    const [batch, height, width] = x.shape;
    const count = batch * height * width;
    if (count < 2) throw new Error(`${name}: expected more than 1 value per channel when training (PyTorch refuses it too)`);
    // Sums, not tf.mean: the app's wasm Sum over leading axes accumulates in float64, as PyTorch's CPU
    // batch norm does, where wasm's Mean accumulates in float32. The difference matters: a conv map of
    // MNIST is mostly one background value, so x − mean cancels, and the error in the statistics came
    // back ~100× larger in the BatchNorm biases' gradients (4e-2 relative to PyTorch after three steps).
    mean = tf.div(tf.sum(x, [0, 1, 2]), count);
    variance = tf.div(tf.sum(tf.square(tf.sub(x, mean)), [0, 1, 2]), count);
    const unbiased = tf.mul(variance, count / (count - 1));
    const momentum = BATCH_NORM_MOMENTUM;
    updates.push(
      { name: `${name}.running_mean`, value: tf.add(tf.mul(runningMean, 1 - momentum), tf.mul(mean, momentum)) },
      { name: `${name}.running_var`, value: tf.add(tf.mul(runningVar, 1 - momentum), tf.mul(unbiased, momentum)) },
    );
  }
  const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, BATCH_NORM_EPS)));
  return tf.add(tf.mul(normalized, weight), bias);
}

/**
 * Activations that commute with max pooling, gradient included. tanh is strictly increasing, so the
 * window's first maximum is the same before and after it. ReLU is flat below 0: a window whose maximum
 * is ≤ 0 gets zero gradient either way (ReLU's gradient at ≤ 0 is 0, as in PyTorch), and one whose
 * maximum is positive routes it to the same first maximum. GELU dips below 0 and does not commute.
 */
const MONOTONIC: ReadonlySet<Activation> = new Set(['relu', 'tanh']);

function activate<T extends tf.Tensor>(x: T, activation: Activation): T {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'gelu':
      // nn.GELU(): the exact x·Φ(x) = x/2 · (1 + erf(x/√2)), not the tanh approximation.
      return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
  }
}

/** `tf.dropout(x, rate, undefined, seed)`, or for the rows `offset …` of a batch, its rows' mask (see dropoutMask.ts). */
function dropoutRows(x: tf.Tensor2D, rate: number, seed: number, rows?: { offset: number; total: number }): tf.Tensor2D {
  if (!rows) return tf.dropout(x, rate, undefined, seed) as tf.Tensor2D;
  const [count, features] = x.shape;
  return tf.mul(x, tf.tensor2d(dropoutMultipliers(rate, seed, rows.offset, count, features), [count, features]));
}
