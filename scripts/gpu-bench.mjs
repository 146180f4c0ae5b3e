// @ts-check
/* global window */
/**
 * `node scripts/gpu-bench.mjs`: the SimpleCNN training step (batch 128: forward, backward, Adam) on
 * webgpu and webgl with tfjs's own Conv2DBackpropFilter and with this project's
 * (src/worker/backends/gpuKernels.ts), wasm beside them, and the filter gradient alone per layer.
 * Meant for a machine with a real GPU and a Chrome or Chromium that uses it; see docs/benchmark.md.
 *
 * It starts the dev server (`npx vite`, as `npm start` does) on a free port, opens the GPU kernel
 * harness page (e2e/harness/gpuKernels.html) in a browser launched by Playwright, and prints a table.
 * Progress goes to stderr; stdout gets the tables and one `GPU_BENCH {json}` line per row.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { QUIET_CHROMIUM_ARGS } from './chromiumArgs.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const HARNESS_PATH = '/e2e/harness/gpuKernels.html';
const BACKENDS = ['webgpu', 'webgl', 'wasm'];
/** The SimpleCNN's convolutions: their filter gradients are what the project's kernel replaces. */
const LAYERS = [
  { name: 'conv1', x: [28, 28, 1], filter: [3, 3, 1, 32] },
  { name: 'conv2', x: [14, 14, 32], filter: [3, 3, 32, 64] },
  { name: 'conv3', x: [7, 7, 64], filter: [3, 3, 64, 128] },
];

const USAGE = `Usage: node scripts/gpu-bench.mjs [options]

  --backends LIST      comma-separated, of ${BACKENDS.join(', ')} (default: all three)
  --steps N            timed training steps per backend and kernel variant, after one warm-up
                       step each (default: 20; on a software GPU 2 is plenty: ~15 s a step)
  --batch N            mini-batch size (default: 128)
  --layer-repeats N    timed calls of the filter gradient alone per layer and variant (default: 5;
                       0 skips the per-layer table)
  --browser PATH       Chrome or Chromium (default: $PLAYWRIGHT_CHROMIUM_EXECUTABLE, else
                       ${SYSTEM_CHROMIUM}, else Playwright's own)
  --browser-arg=FLAG   extra browser flag, repeatable (e.g. --browser-arg=--use-angle=vulkan)
  --headed             a visible window (on some systems only then does Chrome use the GPU)
  --json-out FILE      also write every result to FILE as JSON
  --help               this text
`;

/** @param {string} message */
function log(message) {
  process.stderr.write(`[gpu-bench] ${message}\n`);
}

/** An expected failure: one clear line, no stack trace. */
class BenchError extends Error {}

/**
 * @param {string} flag
 * @param {string} text
 * @param {number} min
 */
function integerAtLeast(flag, text, min) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new BenchError(`${flag} wants an integer ≥ ${min}, got '${text}'`);
  return value;
}

function parseOptions() {
  let parsed;
  try {
    parsed = parseArgs({
      strict: true,
      options: {
        backends: { type: 'string', default: BACKENDS.join(',') },
        steps: { type: 'string', default: '20' },
        batch: { type: 'string', default: '128' },
        'layer-repeats': { type: 'string', default: '5' },
        browser: { type: 'string' },
        'browser-arg': { type: 'string', multiple: true, default: [] },
        headed: { type: 'boolean', default: false },
        'json-out': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new BenchError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  const { values } = parsed;
  if (values.help) return null;
  const backends = values.backends.split(',').map((b) => b.trim());
  for (const b of backends) if (!BACKENDS.includes(b)) throw new BenchError(`unknown backend '${b}' (of ${BACKENDS.join(', ')})`);
  const browserPath =
    values.browser ?? process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE ?? (existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined);
  return {
    backends,
    steps: integerAtLeast('--steps', values.steps, 1),
    batch: integerAtLeast('--batch', values.batch, 1),
    layerRepeats: integerAtLeast('--layer-repeats', values['layer-repeats'], 0),
    browserPath,
    browserArgs: values['browser-arg'],
    headed: values.headed,
    jsonOut: values['json-out'],
  };
}

// ─── The dev server ────────────────────────────────────────────────────────────────────────────

/** @returns {Promise<number>} a port nobody listens on right now (--strictPort catches a race) */
function findFreePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `npx vite` in its own process group (stopping it stops npx and vite alike).
 * @returns {Promise<{ baseUrl: string, stop: () => Promise<void> }>}
 */
async function startDevServer() {
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn('npx', ['vite', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = /** @type {number} */ (child.pid);
  const killGroup = (/** @type {NodeJS.Signals} */ signal) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  process.on('exit', () => killGroup('SIGKILL'));
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  let exited = false;
  const closed = new Promise((resolve) => child.on('close', () => resolve((exited = true))));
  const stop = async () => {
    killGroup('SIGTERM');
    if (!(await Promise.race([closed, sleep(5000).then(() => false)]))) killGroup('SIGKILL');
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !exited) {
    try {
      if ((await fetch(baseUrl + HARNESS_PATH, { signal: AbortSignal.timeout(2000) })).ok) return { baseUrl, stop };
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  await stop();
  throw new BenchError(`the dev server did not come up on ${baseUrl}:\n${output.trimEnd().split('\n').slice(-20).join('\n')}`);
}

// ─── Measuring ─────────────────────────────────────────────────────────────────────────────────

/**
 * @param {import('@playwright/test').Page} page
 * @param {ReturnType<typeof parseOptions> & {}} options
 */
async function measure(page, options) {
  /** @type {any[]} */
  const steps = [];
  /** @type {any[]} */
  const layers = [];
  for (const backend of options.backends) {
    const variants = backend === 'wasm' ? ['project'] : ['stock', 'project'];
    log(`${backend}: training step, ${variants.join(' and ')} kernels, ${options.steps} steps each …`);
    const started = Date.now();
    const rows = await page.evaluate((o) => window.gpuHarness?.benchTrainingStep(/** @type {any} */ (o)), {
      backend,
      variants,
      batch: options.batch,
      steps: options.steps,
    });
    log(`${backend}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    steps.push(...(rows ?? []));
    if (backend === 'wasm' || options.layerRepeats === 0) continue;
    for (const layer of LAYERS) {
      const c = { name: layer.name, x: [options.batch, ...layer.x], filter: layer.filter, strides: 1, pad: 'same', seed: 1 };
      const timing = await page.evaluate(
        ([b, kase, repeats]) => window.gpuHarness?.timeFilterGradient(/** @type {any} */ (b), /** @type {any} */ (kase), /** @type {number} */ (repeats)),
        /** @type {const} */ ([backend, c, options.layerRepeats]),
      );
      layers.push(timing);
    }
  }
  return { steps, layers };
}

// ─── Output ────────────────────────────────────────────────────────────────────────────────────

/** @param {number} ms */
const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** @param {string[][]} rows */
function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  // Numbers right-aligned; the first column (names) and the device column (text) left-aligned.
  const left = (/** @type {string} */ header) => header.startsWith('backend') || header === 'device';
  return rows.map((r) => r.map((cell, i) => (left(rows[0][i]) ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd()).join('\n');
}

/**
 * @param {any[]} steps
 * @param {number} batch
 */
function stepTable(steps, batch) {
  const rows = [['backend · kernels', 'ms/step', 'samples/s', 'programs/step', 'vs stock', 'device']];
  for (const r of steps) {
    const stock = steps.find((s) => s.backend === r.backend && s.variant === 'stock');
    const speedUp = stock && r !== stock ? `${(stock.medianMs / r.medianMs).toFixed(2)}×` : '';
    const programs = r.backend === 'wasm' ? '' : String(r.programsPerStep);
    rows.push([`${r.backend} · ${r.variant}`, fmtMs(r.medianMs), ((batch / r.medianMs) * 1000).toFixed(0), programs, speedUp, r.device]);
  }
  return table(rows);
}

/** @param {any[]} layers */
function layerTable(layers) {
  const rows = [['backend · layer', 'stock ms', 'project ms', 'speed-up']];
  for (const l of layers) {
    rows.push([`${l.backend} · ${l.name}`, fmtMs(l.medianMs.stock), fmtMs(l.medianMs.project), `${(l.medianMs.stock / l.medianMs.project).toFixed(2)}×`]);
  }
  return table(rows);
}

function environmentFacts(/** @type {string} */ browserVersion) {
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return {
    date: new Date().toISOString(),
    commit: git.status === 0 ? `${git.stdout.trim()}${dirty.stdout.trim() ? '+dirty' : ''}` : 'unknown',
    node: process.version,
    browser: browserVersion,
    cpus: os.cpus().length,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

async function main() {
  const options = parseOptions();
  if (!options) {
    process.stdout.write(USAGE);
    return 0;
  }
  const started = Date.now();
  const server = await startDevServer();
  log(`dev server at ${server.baseUrl}`);
  const browser = await chromium.launch({
    executablePath: options.browserPath,
    headless: !options.headed,
    // WebGPU is behind this flag in headless Chromium (and on Linux generally).
    args: [...QUIET_CHROMIUM_ARGS, '--enable-unsafe-webgpu', ...options.browserArgs],
  });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => log(`page error: ${error.message}`));
    // Vite may optimize dependencies on the first load and reload the page once: wait for the harness.
    await page.goto(server.baseUrl + HARNESS_PATH);
    await page.waitForFunction(() => window.gpuHarness != null, null, { timeout: 120_000 });
    const { steps, layers } = await measure(page, options);
    const environment = environmentFacts(browser.version());
    process.stdout.write(`\nSimpleCNN training step, batch ${options.batch}, median of ${options.steps} (after one warm-up step)\n`);
    process.stdout.write(`${stepTable(steps, options.batch)}\n`);
    if (layers.length > 0) {
      process.stdout.write(`\nConv2DBackpropFilter alone, batch ${options.batch}, median of ${options.layerRepeats}\n${layerTable(layers)}\n`);
    }
    const leaks = steps.filter((r) => r.tensorsLeaked !== 0);
    if (leaks.length > 0) process.stdout.write(`\nwarning: tensors left after ${leaks.map((r) => r.backend).join(', ')}\n`);
    process.stdout.write(`\nbrowser ${environment.browser}, load average ${environment.loadAverage.join(' ')}, commit ${environment.commit}\n\n`);
    for (const r of [...steps, ...layers]) process.stdout.write(`GPU_BENCH ${JSON.stringify({ ...r, batch: options.batch, environment })}\n`);
    if (options.jsonOut) await writeFile(options.jsonOut, `${JSON.stringify({ environment, options, steps, layers }, null, 2)}\n`);
  } finally {
    await browser.close();
    await server.stop();
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return 0;
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error) => {
    process.stderr.write(`gpu-bench: ${error instanceof BenchError ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
