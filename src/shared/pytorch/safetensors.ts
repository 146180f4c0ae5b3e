/**
 * The safetensors format (huggingface/safetensors), which PyTorch users save state_dicts in because,
 * unlike a `.pt` pickle, reading it runs no code:
 *
 *   8 bytes   N, the header's length, a little-endian u64
 *   N bytes   the header: a JSON object, `{name: {dtype, shape, data_offsets: [begin, end]}}` per tensor,
 *             plus an optional `__metadata__` object of strings; padded with spaces
 *   the rest  the tensors' little-endian bytes, row-major, back to back: `data_offsets` count from here,
 *             and together they cover the rest exactly (no gap, no overlap, nothing after)
 *
 * Pure data code (no tfjs, no DOM): the page and the worker can both use it. Writing gives float32 and
 * int64 tensors; reading takes F32, F16, BF16 and F64 (as float32) and I64, and checks everything the
 * reference implementation checks before any value is used.
 */
import { elementCount } from '../paramLayout';
import type { PytorchText } from './pytorchTexts';

/** The largest file read: far above any network this app trains (SimpleCNN is 1.6 MB). */
export const SAFETENSORS_MAX_BYTES = 100_000_000;

export type FloatDtype = 'F32' | 'F16' | 'BF16' | 'F64';
export type ReadableDtype = FloatDtype | 'I64';

const BYTES_PER_VALUE: Readonly<Record<ReadableDtype, number>> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8 };

/** A tensor to write: float32 values, or int64 (BatchNorm's `num_batches_tracked`). Row-major. */
export type TensorToWrite =
  | { name: string; dtype: 'F32'; shape: readonly number[]; values: Float32Array }
  | { name: string; dtype: 'I64'; shape: readonly number[]; values: BigInt64Array };

/** A tensor read from a file: floats of any readable width come back as float32. */
export type DecodedTensor =
  | { dtype: FloatDtype; shape: number[]; values: Float32Array }
  | { dtype: 'I64'; shape: number[]; values: BigInt64Array };

export type DecodedSafetensors =
  | { ok: true; tensors: Map<string, DecodedTensor>; metadata: Record<string, string> }
  | { ok: false; text: PytorchText };

const METADATA_KEY = '__metadata__';

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

// ---------------------------------------------------------------------------------------------------
// Writing

/**
 * The file's bytes: the header lists `__metadata__` and then the tensors in the order given (their data
 * follows in that order), and is padded with spaces to a multiple of 8 bytes, as the reference writer
 * does, so every tensor's data starts 4-byte aligned (8 when the tensors before it keep it so).
 */
export function encodeSafetensors(tensors: readonly TensorToWrite[], metadata: Readonly<Record<string, string>>): ArrayBuffer {
  // No prototype, so that any tensor name (even `__proto__`) is a key like the others.
  const header: Record<string, unknown> = Object.create(null);
  // The reference writer leaves `__metadata__` out when there is none.
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = { ...metadata };
  let offset = 0;
  for (const tensor of tensors) {
    if (tensor.name === METADATA_KEY || tensor.name in header) {
      throw new Error(`Tensor name "${tensor.name}" is reserved or used twice`);
    }
    if (tensor.values.length !== elementCount(tensor.shape)) {
      throw new RangeError(`Tensor "${tensor.name}" has ${tensor.values.length} values for shape ${formatShape(tensor.shape)}`);
    }
    const bytes = tensor.values.length * BYTES_PER_VALUE[tensor.dtype];
    header[tensor.name] = { dtype: tensor.dtype, shape: [...tensor.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const file = new ArrayBuffer(8 + headerLength + offset);
  const view = new DataView(file);
  view.setBigUint64(0, BigInt(headerLength), true);
  const headerBytes = new Uint8Array(file, 8, headerLength);
  headerBytes.fill(0x20);
  headerBytes.set(json);

  let position = 8 + headerLength;
  for (const tensor of tensors) {
    if (tensor.dtype === 'F32') {
      for (let i = 0; i < tensor.values.length; i++, position += 4) view.setFloat32(position, tensor.values[i], true);
    } else {
      for (let i = 0; i < tensor.values.length; i++, position += 8) view.setBigInt64(position, tensor.values[i], true);
    }
  }
  return file;
}

// ---------------------------------------------------------------------------------------------------
// Reading

interface HeaderEntry {
  name: string;
  dtype: ReadableDtype;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Reads a safetensors file, checking, in this order: its size, that it is not a PyTorch pickle, the
 * header's length, JSON and metadata, each tensor's entry (dtype, shape, offsets, and that the offsets
 * span exactly what the dtype and shape need, inside the data), that the tensors tile the data with no
 * overlap and no gap, and that every float is finite. The first problem found is returned.
 */
export function decodeSafetensors(file: ArrayBuffer | Uint8Array): DecodedSafetensors {
  const bytes = file instanceof Uint8Array ? file : new Uint8Array(file);
  const fail = (text: PytorchText): DecodedSafetensors => ({ ok: false, text });

  if (bytes.length > SAFETENSORS_MAX_BYTES) return fail({ key: 'pytorch.tooLarge', bytes: bytes.length, limit: SAFETENSORS_MAX_BYTES });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declaredHeader = bytes.length >= 8 ? view.getBigUint64(0, true) : null;
  const headerFits = declaredHeader !== null && declaredHeader <= BigInt(bytes.length - 8);
  // A safetensors header is a JSON object, so its first byte is `{`; only a file that does not start
  // like that is checked for torch.save's formats (whose first bytes could, read as a length, fit).
  if (!(headerFits && bytes[8] === 0x7b)) {
    const container = torchSaveContainer(bytes);
    if (container) return fail({ key: 'pytorch.pickle', container });
  }
  if (declaredHeader === null) return fail({ key: 'pytorch.tooShort', bytes: bytes.length });
  if (!headerFits) return fail({ key: 'pytorch.headerPastEnd', headerBytes: Number(declaredHeader), fileBytes: bytes.length });
  const headerLength = Number(declaredHeader);

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    return fail({ key: 'pytorch.headerNotJson', detail: error instanceof SyntaxError ? error.message : 'it is not UTF-8 text' });
  }
  if (!isPlainObject(header)) return fail({ key: 'pytorch.headerNotObject' });

  let metadata: Record<string, string> = {};
  if (Object.prototype.hasOwnProperty.call(header, METADATA_KEY)) {
    const raw = header[METADATA_KEY];
    if (!isPlainObject(raw)) return fail({ key: 'pytorch.badMetadata', entry: null });
    const entries = Object.entries(raw);
    const notString = entries.find(([, value]) => typeof value !== 'string');
    if (notString) return fail({ key: 'pytorch.badMetadata', entry: notString[0] });
    metadata = Object.fromEntries(entries) as Record<string, string>;
  }

  const dataStart = 8 + headerLength;
  const dataBytes = bytes.length - dataStart;
  const entries: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === METADATA_KEY) continue;
    const entry = readEntry(name, raw);
    if ('key' in entry) return fail(entry);
    const expectedBytes = elementCount(entry.shape) * BYTES_PER_VALUE[entry.dtype];
    if (entry.end - entry.begin !== expectedBytes) {
      return fail({
        key: 'pytorch.sizeMismatch',
        tensor: name,
        dtype: entry.dtype,
        shape: formatShape(entry.shape),
        expectedBytes,
        declaredBytes: entry.end - entry.begin,
      });
    }
    if (entry.end > dataBytes) return fail({ key: 'pytorch.offsetOutOfRange', tensor: name, end: entry.end, dataBytes });
    entries.push(entry);
  }

  // The tensors, by where their data lies, must tile the data: each starts where the one before ended.
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: string | null = null;
  for (const entry of byOffset) {
    if (entry.begin < covered) return fail({ key: 'pytorch.overlap', tensor: entry.name, other: previous as string });
    if (entry.begin > covered) return fail({ key: 'pytorch.gap', tensor: entry.name, bytes: entry.begin - covered });
    covered = entry.end;
    previous = entry.name;
  }
  if (covered < dataBytes) return fail({ key: 'pytorch.gap', tensor: null, bytes: dataBytes - covered });

  const tensors = new Map<string, DecodedTensor>();
  for (const entry of entries) {
    const tensor = readValues(view, dataStart, entry);
    if (tensor.dtype !== 'I64') {
      const index = tensor.values.findIndex((v) => !Number.isFinite(v));
      if (index >= 0) return fail({ key: 'pytorch.nonFinite', tensor: entry.name, value: tensor.values[index], index });
    }
    tensors.set(entry.name, tensor);
  }
  return { ok: true, tensors, metadata };
}

/**
 * `zip` for the archive torch.save writes since PyTorch 1.6 (a zip's local-file signature `PK\3\4`),
 * `pickle` for the older format (pickle protocol 2–5 opcode `\x80 n`), null for anything else.
 */
function torchSaveContainer(bytes: Uint8Array): 'zip' | 'pickle' | null {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'zip';
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) return 'pickle';
  return null;
}

function readEntry(name: string, raw: unknown): HeaderEntry | PytorchText {
  const bad = (field: 'entry' | 'dtype' | 'shape' | 'data_offsets'): PytorchText => ({ key: 'pytorch.badEntry', tensor: name, field });
  if (!isPlainObject(raw)) return bad('entry');
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== 'string') return bad('dtype');
  if (!Array.isArray(shape) || !shape.every(isByteCount)) return bad('shape');
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isByteCount) || offsets[0] > offsets[1]) {
    return bad('data_offsets');
  }
  if (!Object.prototype.hasOwnProperty.call(BYTES_PER_VALUE, dtype)) return { key: 'pytorch.unsupportedDtype', tensor: name, dtype };
  return { name, dtype: dtype as ReadableDtype, shape: shape as number[], begin: offsets[0], end: offsets[1] };
}

function readValues(view: DataView, dataStart: number, entry: HeaderEntry): DecodedTensor {
  const count = elementCount(entry.shape);
  const at = (i: number) => dataStart + entry.begin + i * BYTES_PER_VALUE[entry.dtype];
  const shape = entry.shape;
  switch (entry.dtype) {
    case 'I64': {
      const values = new BigInt64Array(count);
      for (let i = 0; i < count; i++) values[i] = view.getBigInt64(at(i), true);
      return { dtype: 'I64', shape, values };
    }
    case 'F32': {
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = view.getFloat32(at(i), true);
      return { dtype: 'F32', shape, values };
    }
    case 'F64': {
      // Rounded to the nearest float32; a value beyond float32's range becomes infinite and is refused.
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = view.getFloat64(at(i), true);
      return { dtype: 'F64', shape, values };
    }
    case 'F16': {
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = float16ToNumber(view.getUint16(at(i), true));
      return { dtype: 'F16', shape, values };
    }
    case 'BF16': {
      // bfloat16 is the upper half of a float32: the same sign, exponent and first 7 fraction bits.
      const bits = new Uint32Array(count);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(at(i), true) << 16;
      return { dtype: 'BF16', shape, values: new Float32Array(bits.buffer) };
    }
  }
}

/** IEEE 754 half precision (1 sign, 5 exponent, 10 fraction bits) as a number; every one is exact in float32. */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isByteCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
