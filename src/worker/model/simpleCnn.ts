/**
 * The seed's SimpleCNN as explicit variables and a forward function (rather than tf.layers), so that
 * dropout masks come from the run's seeded generator, parameters keep PyTorch's names, and later features
 * can read intermediate activations.
 *
 * Layout is TensorFlow.js's: NHWC activations, HWIO conv filters, [in, out] dense weights. Flattening
 * NHWC orders fc1's inputs as (h, w, c) where PyTorch's NCHW orders them (c, h, w); only code that
 * exchanges weights with PyTorch has to care (see tools/parity/README.md).
 */
import * as tf from '@tensorflow/tfjs';
import { PARAM_NAMES, PARAM_SHAPES, type ParamName } from '../../shared/simpleCnnShapes';
import type { SeededRandom } from '../training/random';

export { PARAM_NAMES, PARAM_SHAPES, parameterCount, type ParamName } from '../../shared/simpleCnnShapes';

export type Params = ReadonlyMap<ParamName, tf.Variable>;

/**
 * PyTorch's default initialization for Conv2d and Linear: kaiming_uniform(a=√5) for the weight, which is
 * U(±1/√fan_in), and U(±1/√fan_in) for the bias, fan_in being the weight's inputs per output unit.
 * Values come from the run's generator, so a seed gives the same network on every backend.
 */
export function initialParamValues(random: SeededRandom): Map<ParamName, Float32Array> {
  const values = new Map<ParamName, Float32Array>();
  for (const name of PARAM_NAMES) {
    const layer = name.split('.')[0];
    const weightShape = PARAM_SHAPES[`${layer}.weight` as ParamName];
    const fanIn = sizeOf(weightShape) / weightShape[weightShape.length - 1];
    const bound = 1 / Math.sqrt(fanIn);
    const array = new Float32Array(sizeOf(PARAM_SHAPES[name]));
    for (let i = 0; i < array.length; i++) array[i] = (random.next() * 2 - 1) * bound;
    values.set(name, array);
  }
  return values;
}

export function createParams(values: ReadonlyMap<ParamName, Float32Array>): Params {
  const params = new Map<ParamName, tf.Variable>();
  for (const name of PARAM_NAMES) {
    const array = values.get(name);
    if (!array) throw new Error(`No value for parameter ${name}`);
    // Engine-unique variable names are left to tfjs: two networks may exist at once (tests, a reset).
    params.set(name, tf.tidy(() => tf.variable(tf.tensor(array, [...PARAM_SHAPES[name]]), true)));
  }
  return params;
}

export function disposeParams(params: Params): void {
  for (const variable of params.values()) variable.dispose();
}

export interface ForwardOptions {
  /** Dropout is applied only while training, as `model.train()` vs `model.eval()` in PyTorch. */
  training: boolean;
  dropoutRate: number;
  /** Seeds the two dropout masks of this forward pass. */
  dropoutSeed?: number;
  /**
   * These images are rows `offset …` of a batch of `total` (one shard of a data-parallel step): their
   * dropout masks are those rows of the whole batch's masks, so a sharded step drops what one worker would.
   */
  batchRows?: { offset: number; total: number };
}

export const CONV_LAYERS = ['conv1', 'conv2', 'conv3'] as const;
export type ConvLayer = (typeof CONV_LAYERS)[number];

/** Logits [batch, 10] for normalized images [batch, 28, 28, 1]. */
export function forward(params: Params, images: tf.Tensor4D, options: ForwardOptions): tf.Tensor2D {
  return tf.tidy(() => forwardWithActivations(params, images, options).logits);
}

/**
 * The forward pass that also returns what each conv block computed after its ReLU and before its
 * max-pool ([batch, 28, 28, 32], [batch, 14, 14, 64], [batch, 7, 7, 128]): what the feature-map view
 * shows. Callers that only want logits use `forward`; the unused activations are freed by its tidy.
 */
export function forwardWithActivations(
  params: Params,
  images: tf.Tensor4D,
  options: ForwardOptions,
): { logits: tf.Tensor2D; activations: Record<ConvLayer, tf.Tensor4D> } {
  return tf.tidy(() => {
    const p = (name: ParamName) => params.get(name) as tf.Variable;
    const activations = {} as Record<ConvLayer, tf.Tensor4D>;
    let x4: tf.Tensor4D = images;
    for (const layer of CONV_LAYERS) {
      const conv = tf.add<tf.Tensor4D>(tf.conv2d(x4, p(`${layer}.weight`) as tf.Tensor4D, 1, 'same'), p(`${layer}.bias`));
      activations[layer] = tf.relu(conv);
      x4 = tf.maxPool(activations[layer], 2, 2, 'valid'); // 28 → 14 → 7 → 3
    }
    let x: tf.Tensor2D = tf.reshape(x4, [x4.shape[0], 3 * 3 * 128]);
    const useDropout = options.training && options.dropoutRate > 0;
    const seed = options.dropoutSeed ?? 0;
    if (useDropout) x = dropoutRows(x, options.dropoutRate, seed, options.batchRows);
    x = tf.relu(tf.add<tf.Tensor2D>(tf.matMul(x, p('fc1.weight') as tf.Tensor2D), p('fc1.bias')));
    if (useDropout) x = dropoutRows(x, options.dropoutRate, seed + 1, options.batchRows);
    const logits = tf.add<tf.Tensor2D>(tf.matMul(x, p('fc2.weight') as tf.Tensor2D), p('fc2.bias'));
    return { logits, activations };
  });
}

/**
 * `tf.dropout(x, rate, undefined, seed)` for the rows `offset …` of a `total`-row batch: the same
 * uniform noise (drawn for the whole batch, row by row) and the same `floor(u + keep) / keep` mask.
 */
function dropoutRows(x: tf.Tensor2D, rate: number, seed: number, rows?: { offset: number; total: number }): tf.Tensor2D {
  if (!rows) return tf.dropout(x, rate, undefined, seed) as tf.Tensor2D;
  const [count, features] = x.shape;
  const keep = 1 - rate;
  const noise = tf.slice(tf.randomUniform([rows.total, features], 0, 1, 'float32', seed), [rows.offset, 0], [count, features]);
  return tf.mul(x, tf.div(tf.floor(tf.add(noise, keep)), keep));
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
