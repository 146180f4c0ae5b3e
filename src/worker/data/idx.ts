/**
 * Parser for IDX files (the MNIST container format), strict enough that a wrong, truncated or
 * corrupted download fails here with a message naming the file instead of training on garbage.
 *
 * Layout: a big-endian int32 magic 0x0000TTNN (TT = data type, NN = number of dimensions), one
 * big-endian int32 per dimension, then the values, row-major.
 */

import { IDX_MAGIC_LABELS } from '../../shared/mnistFiles';
import { englishText, type DataText } from '../../shared/texts';

/** A data file that cannot be used; `message` starts with the file's name and says why, `text` is the same as data. */
export class DataFileError extends Error {
  override readonly name = 'DataFileError';
  readonly file: string;

  constructor(readonly text: DataText) {
    super(englishText(text));
    this.file = text.file;
  }
}

export interface IdxExpectation {
  /** Name used in error messages. */
  name: string;
  magic: number;
  dims: readonly number[];
}

export interface IdxFile {
  magic: number;
  dims: number[];
  /** The values, a view into the parsed bytes (no copy). */
  data: Uint8Array;
}

const IDX_TYPE_UNSIGNED_BYTE = 0x08;
const MNIST_CLASS_COUNT = 10;

export function parseIdx(bytes: Uint8Array, expected: IdxExpectation): IdxFile {
  const file = expected.name;
  const fail = (text: DataText): never => {
    throw new DataFileError(text);
  };
  const headerLength = 4 + 4 * expected.dims.length;
  const expectedLength = headerLength + expected.dims.reduce((product, dim) => product * dim, 1);
  // Checked before anything is read, so even a cut-off header reports the size the whole file should have.
  const failLength = (): never =>
    fail({ key: 'data.length', file, truncated: bytes.length < expectedLength, expected: expectedLength, received: bytes.length });

  if (bytes.length < 4) failLength();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic !== expected.magic) {
    const dataType = (magic >>> 8) & 0xff;
    // A right-shaped magic with another data type is a different problem (e.g. a float file) than
    // a file of the other kind or not an IDX file at all; say which.
    if (magic >>> 16 === 0 && dataType !== IDX_TYPE_UNSIGNED_BYTE) {
      fail({ key: 'data.dataType', file, dataType });
    }
    fail({ key: 'data.magic', file, magic, expected: expected.magic });
  }

  if (bytes.length < headerLength) failLength();
  const dims = expected.dims.map((_, index) => view.getUint32(4 + 4 * index));
  dims.forEach((dim, index) => {
    if (dim !== expected.dims[index]) fail({ key: 'data.dimension', file, index, dim, expected: expected.dims[index] });
  });
  if (bytes.length !== expectedLength) failLength();

  const data = bytes.subarray(headerLength);
  if (magic === IDX_MAGIC_LABELS) {
    const badIndex = data.findIndex((label) => label >= MNIST_CLASS_COUNT);
    if (badIndex >= 0) fail({ key: 'data.label', file, label: data[badIndex], index: badIndex });
  }
  return { magic, dims, data };
}
