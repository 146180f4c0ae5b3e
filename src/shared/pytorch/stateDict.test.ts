import { describe, expect, it } from 'vitest';
import { SIMPLE_CNN_SPEC } from '../arch/archSpec';
import { paramLayouts } from '../arch/paramLayouts';
import { elementCount, type ParamLayout } from '../paramLayout';
import type { DecodedTensor } from './safetensors';
import { fromStateDict, toStateDict } from './stateDict';

const SIMPLE_CNN_LAYOUT = paramLayouts(SIMPLE_CNN_SPEC);

const conv: ParamLayout = { name: 'conv.weight', kind: 'convWeight', shape: [2, 3, 4, 5], torchShape: [5, 4, 2, 3], trainable: true };
const dense: ParamLayout = { name: 'fc.weight', kind: 'denseWeight', shape: [6, 4], torchShape: [4, 6], trainable: true };
const flattened: ParamLayout = {
  name: 'fc1.weight',
  kind: 'denseWeight',
  shape: [2 * 3 * 4, 5],
  torchShape: [5, 24],
  flattenedFrom: { height: 2, width: 3, channels: 4 },
  trainable: true,
};

/** A tensor whose every value encodes its own index digits, so a moved value says where it came from. */
function coded(shape: readonly number[], code: (index: number[]) => number): Float32Array {
  const out = new Float32Array(elementCount(shape));
  const index = shape.map(() => 0);
  for (let flat = 0; flat < out.length; flat++) {
    out[flat] = code(index);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

/** Bitwise equality of two float arrays (toEqual is slow on the megabyte ones). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function expectSameTensors(actual: ReadonlyMap<string, Float32Array>, expected: ReadonlyMap<string, Float32Array>): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [name, values] of expected) expect(sameBits(actual.get(name)!, values), name).toBe(true);
}

/** One tensor through toStateDict: its values in PyTorch's layout. */
function toTorchValues(entry: ParamLayout, values: Float32Array): Float32Array {
  const [tensor] = toStateDict([entry], new Map([[entry.name, values]]));
  expect(tensor).toMatchObject({ name: entry.name, dtype: 'F32', shape: entry.torchShape });
  return tensor.values as Float32Array;
}

/** One tensor through fromStateDict: its values in this app's layout. */
function fromTorchValues(entry: ParamLayout, values: Float32Array): Float32Array {
  const result = fromStateDict([entry], new Map([[entry.name, { dtype: 'F32', shape: [...entry.torchShape], values }]]), 'Net');
  if (!result.ok) throw new Error(JSON.stringify(result.text));
  return result.tensors.get(entry.name)!;
}

describe('layout conversion, per kind', () => {
  it('conv: HWIO [kh, kw, in, out] here is OIHW [out, in, kh, kw] in PyTorch', () => {
    const code = (y: number, x: number, i: number, o: number) => y * 1000 + x * 100 + i * 10 + o;
    const app = coded(conv.shape, ([y, x, i, o]) => code(y, x, i, o));
    const torch = coded(conv.torchShape, ([o, i, y, x]) => code(y, x, i, o));
    expect(toTorchValues(conv, app)).toEqual(torch);
    expect(fromTorchValues(conv, torch)).toEqual(app);
  });

  it('dense: [in, out] here is [out, in] in PyTorch', () => {
    const app = coded(dense.shape, ([i, o]) => i * 10 + o);
    const torch = coded(dense.torchShape, ([o, i]) => i * 10 + o);
    expect(toTorchValues(dense, app)).toEqual(torch);
    expect(fromTorchValues(dense, torch)).toEqual(app);
  });

  it('dense after a flatten: rows in NHWC order (h, w, c) here, columns in NCHW order (c, h, w) in PyTorch', () => {
    const { height, width, channels } = flattened.flattenedFrom!;
    const code = (h: number, w: number, c: number, o: number) => h * 1000 + w * 100 + c * 10 + o;
    const app = coded(flattened.shape, ([row, o]) => {
      const [h, w, c] = [Math.floor(row / (width * channels)), Math.floor(row / channels) % width, row % channels];
      return code(h, w, c, o);
    });
    const torch = coded(flattened.torchShape, ([o, column]) => {
      const [c, h, w] = [Math.floor(column / (height * width)), Math.floor(column / width) % height, column % width];
      return code(h, w, c, o);
    });
    expect(toTorchValues(flattened, app)).toEqual(torch);
    expect(fromTorchValues(flattened, torch)).toEqual(app);
  });

  it('vector: the same in both', () => {
    const bias: ParamLayout = { name: 'b', kind: 'vector', shape: [3], torchShape: [3], trainable: true };
    expect(toTorchValues(bias, Float32Array.of(1, 2, 3))).toEqual(Float32Array.of(1, 2, 3));
  });

  it('refuses values of the wrong length, and a flatten that does not match the inputs', () => {
    expect(() => toTorchValues(dense, new Float32Array(23))).toThrow(/23 values/);
    expect(() => toTorchValues({ ...flattened, flattenedFrom: { height: 3, width: 3, channels: 4 } }, new Float32Array(120))).toThrow(/flattenedFrom/);
  });

  it('SimpleCNN: to PyTorch and back is the identity for every tensor', () => {
    for (const entry of SIMPLE_CNN_LAYOUT) {
      const values = Float32Array.from({ length: elementCount(entry.shape) }, (_, i) => Math.sin(i));
      expect(sameBits(fromTorchValues(entry, toTorchValues(entry, values)), values), entry.name).toBe(true);
    }
  });
});

/** A network with BatchNorm, as the architecture spec will list one. */
const BN_LAYOUT: readonly ParamLayout[] = [
  conv,
  { name: 'bn1.weight', kind: 'vector', shape: [5], torchShape: [5], trainable: true },
  { name: 'bn1.bias', kind: 'vector', shape: [5], torchShape: [5], trainable: true },
  { name: 'bn1.running_mean', kind: 'vector', shape: [5], torchShape: [5], trainable: false },
  { name: 'bn1.running_var', kind: 'vector', shape: [5], torchShape: [5], trainable: false },
  dense,
];

function appTensors(layout: readonly ParamLayout[]): Map<string, Float32Array> {
  return new Map(layout.map((entry, n) => [entry.name, Float32Array.from({ length: elementCount(entry.shape) }, (_, i) => n + i / 100)]));
}

/** The state_dict as a file would give it back: PyTorch layouts, float32. */
function asDecoded(layout: readonly ParamLayout[], steps = 7): Map<string, DecodedTensor> {
  return new Map(
    toStateDict(layout, appTensors(layout), { numBatchesTracked: steps }).map((t): [string, DecodedTensor] =>
      t.dtype === 'F32' ? [t.name, { dtype: 'F32', shape: [...t.shape], values: t.values }] : [t.name, { dtype: 'I64', shape: [...t.shape], values: t.values }],
    ),
  );
}

describe('toStateDict', () => {
  it('lists the tensors in PyTorch layouts and order, with num_batches_tracked after each BatchNorm’s running variance', () => {
    const tensors = toStateDict(BN_LAYOUT, appTensors(BN_LAYOUT), { numBatchesTracked: 469 });
    expect(tensors.map((t) => t.name)).toEqual([
      'conv.weight',
      'bn1.weight',
      'bn1.bias',
      'bn1.running_mean',
      'bn1.running_var',
      'bn1.num_batches_tracked',
      'fc.weight',
    ]);
    expect(tensors[5]).toEqual({ name: 'bn1.num_batches_tracked', dtype: 'I64', shape: [], values: BigInt64Array.of(469n) });
    expect(tensors[0].shape).toEqual([5, 4, 2, 3]);
    expect(tensors[0].values).toEqual(toTorchValues(conv, appTensors(BN_LAYOUT).get('conv.weight')!));
  });

  it('needs a step count only where there is BatchNorm, and every tensor', () => {
    expect(() => toStateDict(BN_LAYOUT, appTensors(BN_LAYOUT))).toThrow(/bn1.num_batches_tracked needs a step count/);
    expect(toStateDict(SIMPLE_CNN_LAYOUT, appTensors(SIMPLE_CNN_LAYOUT)).map((t) => t.name)).toEqual(SIMPLE_CNN_LAYOUT.map((e) => e.name));
    const partial = appTensors(SIMPLE_CNN_LAYOUT);
    partial.delete('fc2.bias');
    expect(() => toStateDict(SIMPLE_CNN_LAYOUT, partial)).toThrow(/fc2.bias/);
  });
});

describe('fromStateDict', () => {
  it('gives back this app’s tensors, ignoring num_batches_tracked', () => {
    const result = fromStateDict(BN_LAYOUT, asDecoded(BN_LAYOUT), 'BnNet');
    if (!result.ok) throw new Error(JSON.stringify(result.text));
    expectSameTensors(result.tensors, appTensors(BN_LAYOUT));
  });

  it('accepts a state_dict without num_batches_tracked, and float16 tensors', () => {
    const file = asDecoded(BN_LAYOUT);
    file.delete('bn1.num_batches_tracked');
    const bias = file.get('bn1.bias')!;
    file.set('bn1.bias', { dtype: 'F16', shape: bias.shape, values: bias.values as Float32Array });
    expect(fromStateDict(BN_LAYOUT, file, 'BnNet').ok).toBe(true);
  });

  it('reads names saved from nn.DataParallel without their module. prefix', () => {
    const file = new Map([...asDecoded(SIMPLE_CNN_LAYOUT)].map(([name, tensor]) => [`module.${name}`, tensor]));
    const result = fromStateDict(SIMPLE_CNN_LAYOUT, file, 'SimpleCNN');
    if (!result.ok) throw new Error(JSON.stringify(result.text));
    expectSameTensors(result.tensors, appTensors(SIMPLE_CNN_LAYOUT));
  });

  it('refuses missing tensors, naming them all', () => {
    const file = asDecoded(SIMPLE_CNN_LAYOUT);
    file.delete('conv2.bias');
    file.delete('fc2.weight');
    expect(fromStateDict(SIMPLE_CNN_LAYOUT, file, 'SimpleCNN')).toEqual({
      ok: false,
      text: { key: 'pytorch.missingTensors', names: ['conv2.bias', 'fc2.weight'], architecture: 'SimpleCNN' },
    });
  });

  it('refuses extra tensors, a num_batches_tracked of a module that is no BatchNorm among them', () => {
    const file = asDecoded(SIMPLE_CNN_LAYOUT);
    file.set('fc3.weight', { dtype: 'F32', shape: [1], values: new Float32Array(1) });
    file.set('conv1.num_batches_tracked', { dtype: 'I64', shape: [], values: BigInt64Array.of(1n) });
    expect(fromStateDict(SIMPLE_CNN_LAYOUT, file, 'SimpleCNN')).toEqual({
      ok: false,
      text: { key: 'pytorch.extraTensors', names: ['fc3.weight', 'conv1.num_batches_tracked'], architecture: 'SimpleCNN' },
    });
  });

  it('refuses a misshapen tensor, even one with the right number of values (not transposed for us)', () => {
    const file = asDecoded(SIMPLE_CNN_LAYOUT);
    const fc2 = file.get('fc2.weight')!;
    file.set('fc2.weight', { ...fc2, shape: [256, 10] } as DecodedTensor);
    expect(fromStateDict(SIMPLE_CNN_LAYOUT, file, 'SimpleCNN')).toEqual({
      ok: false,
      text: { key: 'pytorch.wrongShape', tensor: 'fc2.weight', expected: '[10, 256]', got: '[256, 10]', architecture: 'SimpleCNN' },
    });
    file.set('fc2.weight', { ...fc2, shape: [10, 256, 1] } as DecodedTensor);
    expect(fromStateDict(SIMPLE_CNN_LAYOUT, file, 'SimpleCNN')).toMatchObject({ ok: false, text: { key: 'pytorch.wrongShape', got: '[10, 256, 1]' } });
  });

  it('refuses an integer tensor where a weight belongs, and non-finite values', () => {
    const file = asDecoded(SIMPLE_CNN_LAYOUT);
    file.set('conv1.bias', { dtype: 'I64', shape: [32], values: new BigInt64Array(32) });
    expect(fromStateDict(SIMPLE_CNN_LAYOUT, file, 'SimpleCNN')).toEqual({ ok: false, text: { key: 'pytorch.notFloat', tensor: 'conv1.bias', dtype: 'I64' } });

    const withNaN = asDecoded(SIMPLE_CNN_LAYOUT);
    const values = (withNaN.get('fc1.bias')!.values as Float32Array).slice();
    values[17] = Infinity;
    withNaN.set('fc1.bias', { dtype: 'F32', shape: [256], values });
    expect(fromStateDict(SIMPLE_CNN_LAYOUT, withNaN, 'SimpleCNN')).toEqual({
      ok: false,
      text: { key: 'pytorch.nonFinite', tensor: 'fc1.bias', value: Infinity, index: 17 },
    });
  });
});
