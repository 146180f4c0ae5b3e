/**
 * Parser for IDX files (the MNIST container format), strict enough that a wrong, truncated or
 * corrupted download fails here with a message naming the file instead of training on garbage.
 *
 * Layout: a big-endian int32 magic 0x0000TTNN (TT = data type, NN = number of dimensions), one
 * big-endian int32 per dimension, then the values, row-major.
 */

import { IDX_MAGIC_IMAGES, IDX_MAGIC_LABELS } from '../../shared/mnistFiles';

/** A data file that cannot be used; `message` starts with the file's name and says why. */
export class DataFileError extends Error {
  override readonly name = 'DataFileError';

  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
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

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

function describeMagic(magic: number): string {
  if (magic === IDX_MAGIC_IMAGES) return 'images';
  if (magic === IDX_MAGIC_LABELS) return 'labels';
  return `${magic & 0xff}-dimensional`;
}

export function parseIdx(bytes: Uint8Array, expected: IdxExpectation): IdxFile {
  const fail = (problem: string): never => {
    throw new DataFileError(expected.name, problem);
  };
  const headerLength = 4 + 4 * expected.dims.length;
  const expectedLength = headerLength + expected.dims.reduce((product, dim) => product * dim, 1);
  // Checked before anything is read, so even a cut-off header reports the size the whole file should have.
  const failLength = (): never =>
    fail(
      `${bytes.length < expectedLength ? 'truncated' : 'over-long'}: ` +
        `${expectedLength} bytes expected, ${bytes.length} received`,
    );

  if (bytes.length < 4) failLength();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic !== expected.magic) {
    const dataType = (magic >>> 8) & 0xff;
    // A right-shaped magic with another data type is a different problem (e.g. a float file) than
    // a file of the other kind or not an IDX file at all; say which.
    if (magic >>> 16 === 0 && dataType !== IDX_TYPE_UNSIGNED_BYTE) {
      fail(`wrong IDX data type 0x${dataType.toString(16).padStart(2, '0')}, expected 0x08 (unsigned byte)`);
    }
    fail(`wrong IDX magic ${hex32(magic)}, expected ${hex32(expected.magic)} (${describeMagic(expected.magic)})`);
  }

  if (bytes.length < headerLength) failLength();
  const dims = expected.dims.map((_, index) => view.getUint32(4 + 4 * index));
  dims.forEach((dim, index) => {
    if (dim !== expected.dims[index]) fail(`dimension ${index} is ${dim}, expected ${expected.dims[index]}`);
  });
  if (bytes.length !== expectedLength) failLength();

  const data = bytes.subarray(headerLength);
  if (magic === IDX_MAGIC_LABELS) {
    const badIndex = data.findIndex((label) => label >= MNIST_CLASS_COUNT);
    if (badIndex >= 0) fail(`label ${data[badIndex]} at index ${badIndex} is not a digit 0..9`);
  }
  return { magic, dims, data };
}
