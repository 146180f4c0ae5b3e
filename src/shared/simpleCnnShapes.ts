import type { ParamLayout } from './paramLayout';

/**
 * The seed's SimpleCNN parameters, by their PyTorch names, with their shapes in this app's layout
 * (HWIO conv filters, [in, out] dense weights). Free of TensorFlow.js and of DOM and worker APIs, so the
 * page and the worker share one source of truth.
 */
export const PARAM_SHAPES = {
  'conv1.weight': [3, 3, 1, 32],
  'conv1.bias': [32],
  'conv2.weight': [3, 3, 32, 64],
  'conv2.bias': [64],
  'conv3.weight': [3, 3, 64, 128],
  'conv3.bias': [128],
  'fc1.weight': [3 * 3 * 128, 256],
  'fc1.bias': [256],
  'fc2.weight': [256, 10],
  'fc2.bias': [10],
} as const satisfies Record<string, readonly number[]>;

export type ParamName = keyof typeof PARAM_SHAPES;
export const PARAM_NAMES = Object.keys(PARAM_SHAPES) as ParamName[];

export function parameterCount(): number {
  return PARAM_NAMES.reduce((sum, name) => sum + PARAM_SHAPES[name].reduce((a: number, b: number) => a * b, 1), 0);
}

/** SimpleCNN's tensors as PyTorch names and lays them out (the architecture spec's default gives the same list). */
export const SIMPLE_CNN_LAYOUT: readonly ParamLayout[] = PARAM_NAMES.map((name): ParamLayout => {
  const shape = PARAM_SHAPES[name];
  if (name.endsWith('.bias')) return { name, kind: 'vector', shape, torchShape: shape, trainable: true };
  if (name.startsWith('conv')) {
    const [kh, kw, inC, outC] = shape as readonly [number, number, number, number];
    return { name, kind: 'convWeight', shape, torchShape: [outC, inC, kh, kw], trainable: true };
  }
  const [inF, outF] = shape as readonly [number, number];
  const flattenedFrom = name === 'fc1.weight' ? { height: 3, width: 3, channels: 128 } : undefined;
  return { name, kind: 'denseWeight', shape, torchShape: [outF, inF], trainable: true, ...(flattenedFrom && { flattenedFrom }) };
});
