import { describe, expect, it } from 'vitest';
import type { PytorchText } from './pytorchTexts';
import { SAFETENSORS_MAX_BYTES, decodeSafetensors, encodeSafetensors, float16ToNumber, type DecodedSafetensors } from './safetensors';

/** A file from a header (object or raw text) and the data after it, the header length written as given or as the header's. */
function file(header: unknown, data: Uint8Array = new Uint8Array(0), declaredLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function float32Bytes(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

function uint16Bytes(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint16(i * 2, v, true));
  return out;
}

function refusal(result: DecodedSafetensors): PytorchText {
  if (result.ok) throw new Error('the file was accepted');
  return result.text;
}

const f32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

describe('encodeSafetensors', () => {
  it('writes the bytes the reference writer writes: header length, compact JSON padded with spaces to 8, data', () => {
    const values = Float32Array.of(0, 1, 2, 3, 4, 5);
    for (const [name, shape] of [
      ['attn.0', [1, 2, 3]],
      ['attn0', [1, 1, 2, 3]],
    ] as const) {
      const json = `{"${name}":{"dtype":"F32","shape":[${shape.join(',')}],"data_offsets":[0,24]}}`;
      const padded = json.padEnd(Math.ceil(json.length / 8) * 8, ' ');
      const expected = new Uint8Array(8 + padded.length + 24);
      new DataView(expected.buffer).setBigUint64(0, BigInt(padded.length), true);
      expected.set(new TextEncoder().encode(padded), 8);
      expected.set(float32Bytes([...values]), 8 + padded.length);
      expect(new Uint8Array(encodeSafetensors([{ name, dtype: 'F32', shape, values }], {}))).toEqual(expected);
    }
  });

  it('round-trips float32 and int64 tensors, a scalar and the metadata, data 8-byte aligned', () => {
    const weight = Float32Array.from({ length: 24 }, (_, i) => (i - 12) / 7);
    const bytes = encodeSafetensors(
      [
        { name: 'conv.weight', dtype: 'F32', shape: [2, 3, 2, 2], values: weight },
        { name: 'bn.num_batches_tracked', dtype: 'I64', shape: [], values: BigInt64Array.of(9007199254740993n) },
        { name: 'empty', dtype: 'F32', shape: [0, 4], values: new Float32Array(0) },
      ],
      { app: 'MNIST Lab', run: 'Run 1 · “AdamW”' },
    );
    const headerLength = Number(new DataView(bytes).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    expect(new Uint8Array(bytes)[8]).toBe('{'.charCodeAt(0));

    const decoded = decodeSafetensors(bytes);
    if (!decoded.ok) throw new Error(JSON.stringify(decoded.text));
    expect(decoded.metadata).toEqual({ app: 'MNIST Lab', run: 'Run 1 · “AdamW”' });
    expect([...decoded.tensors.keys()]).toEqual(['conv.weight', 'bn.num_batches_tracked', 'empty']);
    expect(decoded.tensors.get('conv.weight')).toEqual({ dtype: 'F32', shape: [2, 3, 2, 2], values: weight });
    expect(decoded.tensors.get('bn.num_batches_tracked')).toEqual({ dtype: 'I64', shape: [], values: BigInt64Array.of(9007199254740993n) });
    expect(decoded.tensors.get('empty')?.values.length).toBe(0);
  });

  it('refuses what it cannot write faithfully', () => {
    const values = new Float32Array(3);
    expect(() => encodeSafetensors([{ name: 'a', dtype: 'F32', shape: [2, 2], values }], {})).toThrow(/3 values for shape \[2, 2\]/);
    expect(() =>
      encodeSafetensors(
        [
          { name: 'a', dtype: 'F32', shape: [3], values },
          { name: 'a', dtype: 'F32', shape: [3], values },
        ],
        {},
      ),
    ).toThrow(/used twice/);
    expect(() => encodeSafetensors([{ name: '__metadata__', dtype: 'F32', shape: [3], values }], {})).toThrow(/reserved/);
  });

  it('keeps a tensor named __proto__ as a tensor', () => {
    const decoded = decodeSafetensors(encodeSafetensors([{ name: '__proto__', dtype: 'F32', shape: [1], values: Float32Array.of(2) }], {}));
    expect(decoded.ok && [...decoded.tensors.keys()]).toEqual(['__proto__']);
  });
});

describe('decodeSafetensors reads PyTorch’s other float types as float32', () => {
  it('F16: normal, subnormal, the largest, signed zero', () => {
    const bits = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x8000, 0x3555];
    const decoded = decodeSafetensors(file({ h: { dtype: 'F16', shape: [7], data_offsets: [0, 14] } }, uint16Bytes(bits)));
    if (!decoded.ok) throw new Error(JSON.stringify(decoded.text));
    const values = [...decoded.tensors.get('h')!.values];
    expect(values.slice(0, 6)).toEqual([1, -2, 65504, 2 ** -24, 1023 * 2 ** -24, -0]);
    expect(Object.is(values[5], -0)).toBe(true);
    expect(values[6]).toBe(Math.fround(1 + 0x155 / 1024) / 4); // 0.333251953125
    expect(decoded.tensors.get('h')!.dtype).toBe('F16');
  });

  it('float16ToNumber: infinities and NaN', () => {
    expect(float16ToNumber(0x7c00)).toBe(Infinity);
    expect(float16ToNumber(0xfc00)).toBe(-Infinity);
    expect(float16ToNumber(0x7e00)).toBeNaN();
  });

  it('BF16: the upper half of a float32', () => {
    const decoded = decodeSafetensors(file({ b: { dtype: 'BF16', shape: [2, 2], data_offsets: [0, 8] } }, uint16Bytes([0x3f80, 0xc040, 0x3eaa, 0x0001])));
    if (!decoded.ok) throw new Error(JSON.stringify(decoded.text));
    expect([...decoded.tensors.get('b')!.values]).toEqual([1, -3, 0.33203125, 2 ** -133]);
    expect(decoded.tensors.get('b')!.shape).toEqual([2, 2]);
  });

  it('F64: rounded to float32; one beyond float32’s range is refused as non-finite', () => {
    const data = new Uint8Array(16);
    new DataView(data.buffer).setFloat64(0, 0.1, true);
    new DataView(data.buffer).setFloat64(8, 1e300, true);
    const header = { d: { dtype: 'F64', shape: [1], data_offsets: [0, 8] }, big: { dtype: 'F64', shape: [1], data_offsets: [8, 16] } };
    expect(refusal(decodeSafetensors(file(header, data)))).toEqual({ key: 'pytorch.nonFinite', tensor: 'big', value: Infinity, index: 0 });
    const decoded = decodeSafetensors(file({ d: header.d }, data.subarray(0, 8)));
    expect(decoded.ok && decoded.tensors.get('d')!.values[0]).toBe(Math.fround(0.1));
  });
});

describe('decodeSafetensors refuses every malformed file, naming the tensor', () => {
  const two = float32Bytes([1, 2]);

  it('a file over the size limit', () => {
    expect(refusal(decodeSafetensors(new Uint8Array(SAFETENSORS_MAX_BYTES + 1)))).toEqual({
      key: 'pytorch.tooLarge',
      bytes: SAFETENSORS_MAX_BYTES + 1,
      limit: SAFETENSORS_MAX_BYTES,
    });
  });

  it('torch.save files, zip or bare pickle', () => {
    const zip = Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    expect(refusal(decodeSafetensors(zip))).toEqual({ key: 'pytorch.pickle', container: 'zip' });
    const pickle = Uint8Array.of(0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e);
    expect(refusal(decodeSafetensors(pickle))).toEqual({ key: 'pytorch.pickle', container: 'pickle' });
  });

  it('but reads a safetensors file whose length bytes happen to start like a pickle', () => {
    // A header of 640 bytes is 0x80 0x02 0 0 0 0 0 0: the `{` after it says safetensors.
    const header = JSON.stringify({ a: f32([2], 0, 8) }).padEnd(640, ' ');
    const bytes = file(header, two);
    expect([...bytes.subarray(0, 2)]).toEqual([0x80, 0x02]);
    expect(decodeSafetensors(bytes).ok).toBe(true);
  });

  it('too short for the header length', () => {
    expect(refusal(decodeSafetensors(Uint8Array.of(1, 2, 3, 4, 5)))).toEqual({ key: 'pytorch.tooShort', bytes: 5 });
  });

  it('a header length past the end of the file', () => {
    const bytes = file({ a: f32([2], 0, 8) }, two, 10_000n);
    expect(refusal(decodeSafetensors(bytes))).toEqual({ key: 'pytorch.headerPastEnd', headerBytes: 10_000, fileBytes: bytes.length });
    expect(refusal(decodeSafetensors(file({}, two, 2n ** 64n - 1n)))).toMatchObject({ key: 'pytorch.headerPastEnd' });
  });

  it('a header that is not JSON, not UTF-8, or not an object', () => {
    expect(refusal(decodeSafetensors(file('{"a": ', two)))).toMatchObject({ key: 'pytorch.headerNotJson' });
    const notUtf8 = file('{"a"}', two);
    notUtf8[9] = 0xff;
    expect(refusal(decodeSafetensors(notUtf8))).toEqual({ key: 'pytorch.headerNotJson', detail: 'it is not UTF-8 text' });
    expect(refusal(decodeSafetensors(file('{"a":1}}', two)))).toMatchObject({ key: 'pytorch.headerNotJson' });
    expect(refusal(decodeSafetensors(file([], two)))).toEqual({ key: 'pytorch.headerNotObject' });
    expect(refusal(decodeSafetensors(file('"x"', two)))).toEqual({ key: 'pytorch.headerNotObject' });
  });

  it('metadata that is not an object of strings', () => {
    expect(refusal(decodeSafetensors(file({ __metadata__: ['x'], a: f32([2], 0, 8) }, two)))).toEqual({ key: 'pytorch.badMetadata', entry: null });
    expect(refusal(decodeSafetensors(file({ __metadata__: { app: 'x', epochs: 3 }, a: f32([2], 0, 8) }, two)))).toEqual({
      key: 'pytorch.badMetadata',
      entry: 'epochs',
    });
  });

  it('a tensor entry with a missing or malformed field', () => {
    const cases: [unknown, string][] = [
      [[1, 2], 'entry'],
      [{ shape: [2], data_offsets: [0, 8] }, 'dtype'],
      [{ dtype: 'F32', shape: [-2], data_offsets: [0, 8] }, 'shape'],
      [{ dtype: 'F32', shape: [2.5], data_offsets: [0, 8] }, 'shape'],
      [{ dtype: 'F32', shape: 2, data_offsets: [0, 8] }, 'shape'],
      [{ dtype: 'F32', shape: [2], data_offsets: [0] }, 'data_offsets'],
      [{ dtype: 'F32', shape: [2], data_offsets: [8, 0] }, 'data_offsets'],
      [{ dtype: 'F32', shape: [2], offsets: [0, 8] }, 'data_offsets'],
    ];
    for (const [entry, field] of cases) {
      expect(refusal(decodeSafetensors(file({ 'fc1.weight': entry }, two))), JSON.stringify(entry)).toEqual({
        key: 'pytorch.badEntry',
        tensor: 'fc1.weight',
        field,
      });
    }
  });

  it('a dtype it does not read', () => {
    for (const dtype of ['I32', 'U8', 'F8_E4M3', 'float32']) {
      expect(refusal(decodeSafetensors(file({ w: { dtype, shape: [2], data_offsets: [0, 8] } }, two)))).toEqual({
        key: 'pytorch.unsupportedDtype',
        tensor: 'w',
        dtype,
      });
    }
  });

  it('a header that lies about a tensor’s size', () => {
    expect(refusal(decodeSafetensors(file({ w: f32([3], 0, 8) }, two)))).toEqual({
      key: 'pytorch.sizeMismatch',
      tensor: 'w',
      dtype: 'F32',
      shape: '[3]',
      expectedBytes: 12,
      declaredBytes: 8,
    });
    // A shape whose element count is past 2^53 cannot match any offsets.
    expect(refusal(decodeSafetensors(file({ w: f32([2 ** 40, 2 ** 40], 0, 8) }, two)))).toMatchObject({ key: 'pytorch.sizeMismatch', tensor: 'w' });
  });

  it('offsets past the end of the data', () => {
    expect(refusal(decodeSafetensors(file({ a: f32([2], 0, 8), b: f32([2], 8, 16) }, two)))).toEqual({
      key: 'pytorch.offsetOutOfRange',
      tensor: 'b',
      end: 16,
      dataBytes: 8,
    });
  });

  it('overlapping tensors', () => {
    const data = float32Bytes([1, 2, 3]);
    expect(refusal(decodeSafetensors(file({ a: f32([2], 0, 8), b: f32([2], 4, 12) }, data)))).toEqual({
      key: 'pytorch.overlap',
      tensor: 'b',
      other: 'a',
    });
    expect(refusal(decodeSafetensors(file({ a: f32([2], 0, 8), b: f32([2], 0, 8) }, two)))).toMatchObject({ key: 'pytorch.overlap' });
  });

  it('gaps: unused bytes before a tensor, or after the last', () => {
    const data = float32Bytes([1, 2, 3]);
    expect(refusal(decodeSafetensors(file({ a: f32([1], 0, 4), b: f32([1], 8, 12) }, data)))).toEqual({ key: 'pytorch.gap', tensor: 'b', bytes: 4 });
    expect(refusal(decodeSafetensors(file({ a: f32([1], 4, 8) }, two)))).toEqual({ key: 'pytorch.gap', tensor: 'a', bytes: 4 });
    expect(refusal(decodeSafetensors(file({ a: f32([2], 0, 8) }, data)))).toEqual({ key: 'pytorch.gap', tensor: null, bytes: 4 });
  });

  it('non-finite values, with where they are', () => {
    expect(refusal(decodeSafetensors(file({ ok: f32([1], 0, 4), w: f32([2], 4, 12) }, float32Bytes([0, 1, NaN]))))).toEqual({
      key: 'pytorch.nonFinite',
      tensor: 'w',
      value: NaN,
      index: 1,
    });
    expect(refusal(decodeSafetensors(file({ h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] } }, uint16Bytes([0xfc00]))))).toEqual({
      key: 'pytorch.nonFinite',
      tensor: 'h',
      value: -Infinity,
      index: 0,
    });
  });

  it('tensors listed in any order are read by their offsets', () => {
    const decoded = decodeSafetensors(file({ b: f32([1], 4, 8), a: f32([1], 0, 4) }, two));
    expect(decoded.ok && [...decoded.tensors.get('b')!.values]).toEqual([2]);
  });
});
