/**
 * Downloads the four gzipped MNIST files, decompresses them as they stream in, and checks each one
 * (IDX structure, then SHA-256) before any of it is handed to training. Runs in the worker.
 */

import { MNIST_DATA_DIR, MNIST_FILES, servedFileName, type MnistFileSpec } from '../../shared/mnistFiles';
import { DataFileError, parseIdx } from './idx';

export interface MnistSplit {
  /** `count` images of 28×28 unsigned-byte pixels, row-major, one after another. */
  images: Uint8Array;
  /** `count` digits 0..9. */
  labels: Uint8Array;
  count: number;
}

export interface MnistData {
  train: MnistSplit;
  test: MnistSplit;
  /** Compressed bytes downloaded, all four files together. */
  bytesOnWire: number;
}

export interface LoadProgress {
  /** The served file name, e.g. `train-images-idx3-ubyte.gz`. */
  file: string;
  /** Compressed bytes received so far. */
  loadedBytes: number;
  /** Compressed size from Content-Length; null when the server did not send it. */
  totalBytes: number | null;
}

export interface LoadMnistOptions {
  /** The app's base URL, ending in `/` (Vite's `import.meta.env.BASE_URL`). */
  baseUrl: string;
  /** Called per file when its headers arrive, at most every PROGRESS_INTERVAL_MS while it streams, and once when complete. */
  onProgress: (progress: LoadProgress) => void;
  signal?: AbortSignal;
}

const PROGRESS_INTERVAL_MS = 100;

/** Resolves with all four files checked, or rejects with the first failure (a DataFileError, or the abort reason). */
export async function loadMnist({ baseUrl, onProgress, signal }: LoadMnistOptions): Promise<MnistData> {
  // One failed file makes the others useless; this aborts their downloads too.
  const cancelAll = new AbortController();
  const abortFromCaller = () => cancelAll.abort(signal?.reason);
  if (signal?.aborted) abortFromCaller();
  signal?.addEventListener('abort', abortFromCaller, { once: true });
  try {
    const loaded = await Promise.all(
      MNIST_FILES.map((spec) =>
        loadFile(spec, baseUrl, onProgress, cancelAll.signal).catch((error: unknown) => {
          cancelAll.abort(error);
          throw error;
        }),
      ),
    );
    const byRole = Object.fromEntries(loaded.map((file) => [file.spec.role, file]));
    const split = (images: LoadedFile, labels: LoadedFile): MnistSplit => ({
      images: images.data,
      labels: labels.data,
      count: labels.data.length,
    });
    return {
      train: split(byRole.trainImages, byRole.trainLabels),
      test: split(byRole.testImages, byRole.testLabels),
      bytesOnWire: loaded.reduce((sum, file) => sum + file.compressedBytes, 0),
    };
  } finally {
    signal?.removeEventListener('abort', abortFromCaller);
  }
}

interface LoadedFile {
  spec: MnistFileSpec;
  /** The IDX values (pixels or labels), header stripped. */
  data: Uint8Array;
  compressedBytes: number;
}

async function loadFile(
  spec: MnistFileSpec,
  baseUrl: string,
  onProgress: (progress: LoadProgress) => void,
  signal: AbortSignal,
): Promise<LoadedFile> {
  const file = servedFileName(spec.name);
  const url = `${baseUrl}${MNIST_DATA_DIR}/${file}`;
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (cause) {
    throw signal.aborted ? signal.reason : new DataFileError({ key: 'data.downloadFailed', file, detail: describe(cause) });
  }
  if (!response.ok) {
    throw new DataFileError({ key: 'data.http', file, status: response.status, statusText: response.statusText, url });
  }
  // Vite's dev and preview servers answer a missing file with the app's index.html, status 200.
  if (response.headers.get('content-type')?.startsWith('text/html')) {
    throw new DataFileError({ key: 'data.html', file, url });
  }
  if (!response.body) throw new DataFileError({ key: 'data.noBody', file });

  const progress = new ProgressReporter(file, parseContentLength(response.headers), onProgress);
  const bytes = await gunzip(response.body, {
    file,
    expectedLength: spec.byteLength,
    contentEncoding: response.headers.get('content-encoding'),
    progress,
    signal,
  });
  progress.finish();

  // Structure first: its messages (truncated, wrong magic, …) say more than a checksum mismatch.
  const idx = parseIdx(bytes, { name: file, magic: spec.magic, dims: spec.dims });
  const sha256 = toHex(await crypto.subtle.digest('SHA-256', bytes));
  if (sha256 !== spec.sha256) {
    throw new DataFileError({ key: 'data.checksum', file, expected: spec.sha256, got: sha256 });
  }
  return { spec, data: idx.data, compressedBytes: progress.loadedBytes };
}

interface GunzipOptions {
  file: string;
  /** Decompressed size the file should have; the buffer is allocated for it up front. */
  expectedLength: number;
  contentEncoding: string | null;
  progress: ProgressReporter;
  signal: AbortSignal;
}

/**
 * Streams the body through DecompressionStream into one buffer. The download and the decompression
 * are driven by separate loops so that a failing network and a corrupt gzip stream can be told apart.
 */
async function gunzip(
  body: ReadableStream<Uint8Array<ArrayBuffer>>,
  { file, expectedLength, contentEncoding, progress, signal }: GunzipOptions,
): Promise<Uint8Array<ArrayBuffer>> {
  const compressed = body.getReader();
  const decompressor = new DecompressionStream('gzip');
  const decompressorInput = decompressor.writable.getWriter();
  const decompressorOutput = decompressor.readable.getReader();
  const collector = new ByteCollector(expectedLength);
  let downloadFailure: unknown;

  const download = async () => {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array<ArrayBuffer>>;
      try {
        chunk = await compressed.read();
      } catch (cause) {
        downloadFailure = cause;
        // Unblocks the decompression loop, which would otherwise wait for input forever.
        void decompressorInput.abort(cause).catch(() => {});
        throw cause;
      }
      if (chunk.done) break;
      progress.add(chunk.value.byteLength);
      await decompressorInput.write(chunk.value);
    }
    await decompressorInput.close();
  };
  const decompress = async () => {
    for (;;) {
      const chunk = await decompressorOutput.read();
      if (chunk.done) return;
      collector.add(chunk.value);
    }
  };

  try {
    await Promise.all([download(), decompress()]);
  } catch (error) {
    // Stops the download when the gzip stream is what failed.
    void compressed.cancel().catch(() => {});
    if (signal.aborted) throw signal.reason;
    if (downloadFailure !== undefined) {
      throw new DataFileError({ key: 'data.downloadFailed', file, detail: describe(downloadFailure) });
    }
    // A server that sends the file with Content-Encoding: gzip makes the browser decompress it already
    // (the message then says so).
    throw new DataFileError({ key: 'data.notGzip', file, detail: describe(error), contentEncoding: contentEncoding || null });
  }
  return collector.bytes();
}

/**
 * Collects decompressed chunks into one buffer allocated at the expected size, so the 47 MB file
 * is not held twice. Extra bytes are kept aside so parseIdx can report the real (over-long) size.
 */
class ByteCollector {
  private readonly buffer: Uint8Array<ArrayBuffer>;
  private filled = 0;
  private readonly overflow: Uint8Array[] = [];

  constructor(expectedLength: number) {
    this.buffer = new Uint8Array(expectedLength);
  }

  add(chunk: Uint8Array): void {
    const fitting = Math.min(chunk.length, this.buffer.length - this.filled);
    this.buffer.set(chunk.subarray(0, fitting), this.filled);
    this.filled += fitting;
    if (fitting < chunk.length) this.overflow.push(chunk.slice(fitting));
  }

  bytes(): Uint8Array<ArrayBuffer> {
    if (this.overflow.length === 0) return this.buffer.subarray(0, this.filled);
    const extra = this.overflow.reduce((sum, chunk) => sum + chunk.length, 0);
    const all = new Uint8Array(this.filled + extra);
    all.set(this.buffer);
    let offset = this.filled;
    for (const chunk of this.overflow) {
      all.set(chunk, offset);
      offset += chunk.length;
    }
    return all;
  }
}

class ProgressReporter {
  loadedBytes = 0;
  private lastReportAt = -Infinity;

  constructor(
    private readonly file: string,
    private readonly totalBytes: number | null,
    private readonly onProgress: (progress: LoadProgress) => void,
  ) {
    this.report();
  }

  add(byteCount: number): void {
    this.loadedBytes += byteCount;
    if (performance.now() - this.lastReportAt >= PROGRESS_INTERVAL_MS) this.report();
  }

  finish(): void {
    this.report();
  }

  private report(): void {
    this.lastReportAt = performance.now();
    this.onProgress({ file: this.file, loadedBytes: this.loadedBytes, totalBytes: this.totalBytes });
  }
}

function parseContentLength(headers: Headers): number | null {
  const value = headers.get('content-length');
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}

function toHex(digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
