/**
 * Auto's calibration: where more than one fast backend is usable (hardware WebGPU, hardware WebGL, WASM),
 * time a real SimpleCNN training step on each and pick the fastest for this machine. The result is cached
 * in IndexedDB per browser and adapter, so only the first start pays for it.
 *
 * Everything here but `measureTrainingStep` (which needs a tfjs backend) and the IndexedDB wrapper at the
 * bottom is pure, so the choice, the cache key and the cache validation are testable in Node.
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG, type BackendName } from '../../shared/config';
import { SIMPLE_CNN_SPEC } from '../../shared/arch/archSpec';
import { createSpecNetwork, disposeSpecNetwork, initialSpecValues, type SpecNetwork } from '../model/specNetwork';
import { SeededRandom } from '../training/random';
import { TORCH_ADAM_DEFAULTS, TorchAdam } from '../training/torchAdam';
import { trainStepOnPool } from '../pool/poolStep';
import type { WorkerPool } from '../pool/workerPool';
import type { Candidate } from './ranking';
import { englishText, type BackendReasonText } from '../../shared/texts';

/** The seed's batch size: what a step of the default run costs. */
export const CALIBRATION_BATCH = 128;
export const TIMED_STEPS = 3;
/** A candidate whose warm-up step takes longer is not timed further and ranks below every timed one. */
export const WARMUP_LIMIT_MS = 4000;
/** Medians within this fraction of the fastest are a tie, and a tie goes to the policy order. */
export const TIE_TOLERANCE = 0.05;
/** Older cache entries are ignored, so a machine is measured again now and then (drivers change). */
export const CALIBRATION_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
const RECORD_VERSION = 1;

export type Measurement =
  /** `workers`: the CPU workers that shared each step (wasm on a pool; absent for one). */
  | { name: BackendName; status: 'measured'; msPerStep: number; workers?: number }
  /** The warm-up step alone took `warmupMs`, over WARMUP_LIMIT_MS: slower than that, not timed further. */
  | { name: BackendName; status: 'slow'; warmupMs: number }
  /** It did not start, failed its smoke test, or threw while training. */
  | { name: BackendName; status: 'failed'; error: string };

export type StepTiming = { status: 'measured'; msPerStep: number; workers?: number } | { status: 'slow'; warmupMs: number };

export interface CalibrationRecord {
  key: string;
  /** Date.now() when measured. */
  measuredAt: number;
  /** One per candidate, in the policy order. */
  results: Measurement[];
}

/**
 * The candidates worth calibrating: what the policy ranks at or above WASM. The software GPUs and plain
 * JavaScript are left out; the policy already puts them below WASM, and a step on them takes 20–40 s.
 */
export function fastCandidates(ranked: readonly Candidate[]): Candidate[] {
  return ranked.filter((c) => !c.software && c.name !== 'cpu');
}

/**
 * The measurements best first: repeatedly the fastest timed one, where any within TIE_TOLERANCE of it
 * that comes earlier in the policy order (the order of `results`) goes first; then the slow ones, then
 * the failed ones, each in the policy order.
 */
export function rankMeasurements(results: readonly Measurement[]): Measurement[] {
  const timed = results.filter((r): r is Measurement & { status: 'measured' } => r.status === 'measured');
  const ranked: Measurement[] = [];
  while (timed.length) {
    const best = Math.min(...timed.map((r) => r.msPerStep));
    const index = timed.findIndex((r) => r.msPerStep <= best * (1 + TIE_TOLERANCE));
    ranked.push(...timed.splice(index, 1));
  }
  return [...ranked, ...results.filter((r) => r.status === 'slow'), ...results.filter((r) => r.status === 'failed')];
}

/** The backend to use, or null when every candidate failed. `results` are in the policy order. */
export function pickFastest(results: readonly Measurement[]): BackendName | null {
  const first = rankMeasurements(results)[0];
  return first && first.status !== 'failed' ? first.name : null;
}

/**
 * The cache key: the browser (its user agent carries the version) and every candidate with its adapter
 * or renderer string, so a browser update, a new GPU or driver, or a GPU that appears or goes away
 * means a fresh calibration.
 */
export function calibrationKey(userAgent: string, candidates: readonly Pick<Candidate, 'name' | 'adapter'>[]): string {
  return JSON.stringify([RECORD_VERSION, userAgent, ...candidates.map((c) => `${c.name}: ${c.adapter}`)]);
}

/** What goes into IndexedDB (a plain, structured-cloneable object). */
export function toStoredCalibration(record: CalibrationRecord): unknown {
  return {
    version: RECORD_VERSION,
    key: record.key,
    measuredAt: record.measuredAt,
    results: record.results.map((r) => ({ ...r })),
  };
}

export interface ExpectedCalibration {
  key: string;
  /** The candidates now, in the policy order; the record must cover exactly these. */
  candidates: readonly BackendName[];
  now: number;
  maxAgeMs?: number;
}

const BACKEND_NAMES: readonly string[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * A cache entry read back, checked field by field: null unless it is this version's record for this key,
 * not from the future nor older than the maximum age, with one sound measurement per current candidate
 * and at least one usable. Results come back in the candidates' order, extra fields dropped.
 */
export function parseStoredCalibration(value: unknown, expected: ExpectedCalibration): CalibrationRecord | null {
  if (!isRecord(value) || value['version'] !== RECORD_VERSION || value['key'] !== expected.key) return null;
  const measuredAt = value['measuredAt'];
  const maxAge = expected.maxAgeMs ?? CALIBRATION_MAX_AGE_MS;
  if (!isFiniteNumber(measuredAt) || measuredAt > expected.now + 60_000 || expected.now - measuredAt > maxAge) return null;
  const stored = value['results'];
  if (!Array.isArray(stored) || stored.length !== expected.candidates.length) return null;
  const byName = new Map<BackendName, Measurement>();
  for (const entry of stored as unknown[]) {
    const measurement = parseMeasurement(entry);
    if (!measurement || byName.has(measurement.name)) return null;
    byName.set(measurement.name, measurement);
  }
  const results: Measurement[] = [];
  for (const name of expected.candidates) {
    const measurement = byName.get(name);
    if (!measurement) return null;
    results.push(measurement);
  }
  if (pickFastest(results) === null) return null;
  return { key: expected.key, measuredAt, results };
}

function parseMeasurement(entry: unknown): Measurement | null {
  if (!isRecord(entry)) return null;
  const name = entry['name'];
  if (typeof name !== 'string' || !BACKEND_NAMES.includes(name)) return null;
  const backend = name as BackendName;
  switch (entry['status']) {
    case 'measured': {
      const ms = entry['msPerStep'];
      const workers = entry['workers'];
      if (!isFiniteNumber(ms) || ms <= 0 || ms >= 3_600_000) return null;
      if (workers === undefined) return { name: backend, status: 'measured', msPerStep: ms };
      return Number.isInteger(workers) && (workers as number) > 1 ? { name: backend, status: 'measured', msPerStep: ms, workers: workers as number } : null;
    }
    case 'slow': {
      const ms = entry['warmupMs'];
      return isFiniteNumber(ms) && ms >= 0 ? { name: backend, status: 'slow', warmupMs: ms } : null;
    }
    case 'failed': {
      const error = entry['error'];
      return typeof error === 'string' ? { name: backend, status: 'failed', error: error.slice(0, 300) } : null;
    }
    default:
      return null;
  }
}

/**
 * The sentence for BackendInfo.reason, best first, e.g. "measured on this machine — webgpu 41 ms/step,
 * webgl 77 ms/step, wasm 342 ms/step (cached 2026-12-01)".
 */
export function describeCalibration(record: CalibrationRecord, cached: boolean): string {
  return englishText(calibrationText(record, cached));
}

/** describeCalibration's sentence as data. */
export function calibrationText(record: CalibrationRecord, cached: boolean): BackendReasonText {
  const ranked = rankMeasurements(record.results);
  const winner = ranked[0];
  const fastest = Math.min(...ranked.map((r) => (r.status === 'measured' ? r.msPerStep : Infinity)));
  return {
    key: 'backend.measured',
    results: ranked.map((r) => ({ ...r })),
    limitSeconds: WARMUP_LIMIT_MS / 1000,
    tiePercent: winner?.status === 'measured' && winner.msPerStep > fastest ? TIE_TOLERANCE * 100 : null,
    cachedOn: cached ? new Date(record.measuredAt).toISOString().slice(0, 10) : null,
  };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export interface MeasureOptions {
  batch?: number;
  steps?: number;
  warmupLimitMs?: number;
  /** The CPU pool the wasm backend would train on: its steps are what a run would get. */
  pool?: WorkerPool | null;
}

/**
 * Times SimpleCNN training steps on the current backend (spread over `pool` where given, as a run
 * would be): one warm-up step (shader compilation, XNNPACK operator creation), then `steps` timed ones,
 * each awaited with `data()` as the trainer does; the median ms/step. Everything it creates is disposed; it throws if the live tensor count is not back where
 * it started (a backend that leaks here would leak on every training step).
 */
export async function measureTrainingStep(options: MeasureOptions = {}): Promise<StepTiming> {
  const batch = options.batch ?? CALIBRATION_BATCH;
  const steps = options.steps ?? TIMED_STEPS;
  const warmupLimitMs = options.warmupLimitMs ?? WARMUP_LIMIT_MS;
  const tensorsBefore = tf.memory().numTensors;
  const random = new SeededRandom(0);
  const pixels = new Float32Array(batch * 28 * 28);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (random.next() - 0.1307) / 0.3081;
  const ys = new Int32Array(batch);
  for (let i = 0; i < batch; i++) ys[i] = random.nextInt(10);

  let network: SpecNetwork | undefined;
  let optimizer: TorchAdam<string> | undefined;
  let timing: StepTiming;
  try {
    network = createSpecNetwork(SIMPLE_CNN_SPEC, initialSpecValues(SIMPLE_CNN_SPEC, new SeededRandom(0)));
    optimizer = new TorchAdam<string>(network.params, {
      ...TORCH_ADAM_DEFAULTS,
      lr: DEFAULT_CONFIG.lr,
      weightDecay: DEFAULT_CONFIG.weightDecay,
    });
    const timeStep = async (seed: number): Promise<number> => {
      const start = performance.now();
      const result = await trainStepOnPool(options.pool ?? null, network as SpecNetwork, optimizer as TorchAdam<string>, {
        images: pixels,
        labels: ys,
        dropoutRate: DEFAULT_CONFIG.dropout,
        dropoutSeed: seed,
      });
      try {
        const [loss] = await result.data();
        if (!Number.isFinite(loss)) throw new Error(`a training step gave a loss of ${loss}`);
      } finally {
        result.dispose();
      }
      return performance.now() - start;
    };
    const warmupMs = await timeStep(0);
    if (warmupMs > warmupLimitMs) {
      timing = { status: 'slow', warmupMs };
    } else {
      const times: number[] = [];
      for (let i = 1; i <= steps; i++) times.push(await timeStep(i));
      timing = { status: 'measured', msPerStep: median(times), ...(options.pool && { workers: options.pool.size }) };
    }
  } finally {
    optimizer?.dispose();
    if (network) disposeSpecNetwork(network);
  }
  const left = tf.memory().numTensors - tensorsBefore;
  if (left !== 0) throw new Error(`calibration left ${left} tensor${left === 1 ? '' : 's'} behind`);
  return timing;
}

export interface CalibrateOptions {
  /** Called before each candidate is measured. */
  onCandidate?: (candidate: Candidate, index: number, count: number) => void;
  /** Times steps on the current backend, which is `name` (measureTrainingStep; a fake in tests). */
  measure?: (name: BackendName) => Promise<StepTiming>;
}

/**
 * Starts each candidate in turn with `start` (tf.setBackend and the smoke test; a message when it could
 * not start) and measures it. A candidate that cannot start or throws is recorded as failed, not fatal.
 * The results are in the candidates' (policy) order; the current backend is the last one started.
 */
export async function calibrate(
  candidates: readonly Candidate[],
  start: (name: BackendName) => Promise<string | null>,
  options: CalibrateOptions = {},
): Promise<Measurement[]> {
  const measure = options.measure ?? (() => measureTrainingStep());
  const results: Measurement[] = [];
  for (const [index, candidate] of candidates.entries()) {
    options.onCandidate?.(candidate, index, candidates.length);
    const { name } = candidate;
    const failure = await start(name);
    if (failure !== null) {
      results.push({ name, status: 'failed', error: `could not start: ${failure}` });
      continue;
    }
    try {
      results.push({ name, ...(await measure(name)) });
    } catch (error) {
      results.push({ name, status: 'failed', error: error instanceof Error ? error.message : String(error) });
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------------
// The cache: one IndexedDB database of its own (its schema version is independent of anything else the
// app may store), one object store, records keyed by calibrationKey. Every failure — no IndexedDB
// (Node, some private windows), a quota, a blocked or slow open — reads as "nothing cached" or "not
// saved", silently: the calibration then simply runs again next time.

const DB_NAME = 'mnist-lab-calibration';
const STORE = 'calibration';
const IDB_TIMEOUT_MS = 2000;

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('indexedDB.open failed'));
    request.onblocked = () => reject(new Error('indexedDB.open blocked'));
  });
}

async function inStore<T>(mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest<T>): Promise<T | undefined> {
  if (typeof indexedDB === 'undefined') return undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), IDB_TIMEOUT_MS)));
  const work = (async () => {
    const db = await openDatabase();
    try {
      return await new Promise<T>((resolve, reject) => {
        const transaction = db.transaction(STORE, mode);
        const request = use(transaction.objectStore(STORE));
        transaction.oncomplete = () => resolve(request.result);
        transaction.onerror = () => reject(transaction.error ?? request.error ?? new Error('transaction failed'));
        transaction.onabort = () => reject(transaction.error ?? new Error('transaction aborted'));
      });
    } finally {
      db.close();
    }
  })();
  try {
    return await Promise.race([work, timeout]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined); // a late failure after the timeout is not an unhandled rejection
  }
}

/** The stored value for `key` (to pass to parseStoredCalibration), or undefined. Never throws. */
export async function readCachedCalibration(key: string): Promise<unknown> {
  return inStore('readonly', (store) => store.get(key));
}

/** Stores a record; false when it could not be saved. Never throws. */
export async function writeCachedCalibration(key: string, value: unknown): Promise<boolean> {
  return (await inStore('readwrite', (store) => store.put(value, key))) !== undefined;
}
