import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import type { BackendName } from '../../shared/config';
import {
  CALIBRATION_MAX_AGE_MS,
  calibrate,
  calibrationKey,
  describeCalibration,
  fastCandidates,
  measureTrainingStep,
  parseStoredCalibration,
  pickFastest,
  rankMeasurements,
  readCachedCalibration,
  toStoredCalibration,
  writeCachedCalibration,
  type CalibrationRecord,
  type Measurement,
} from './calibration';
import { rankBackends, type Candidate, type GpuProbe } from './ranking';
import { registerWasmTrainingKernels } from './wasmKernels';

const hw = (description: string): GpuProbe => ({ available: true, software: false, description });
const sw = (description: string): GpuProbe => ({ available: true, software: true, description });
const none = (description: string): GpuProbe => ({ available: false, software: false, description });

const ms = (name: BackendName, msPerStep: number): Measurement => ({ name, status: 'measured', msPerStep });
const slow = (name: BackendName, warmupMs: number): Measurement => ({ name, status: 'slow', warmupMs });
const failed = (name: BackendName, error: string): Measurement => ({ name, status: 'failed', error });

const CHROME_130 = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
const CHROME_131 = CHROME_130.replace('130.0.0.0', '131.0.0.0');
const GPUS: Pick<Candidate, 'name' | 'adapter'>[] = [
  { name: 'webgpu', adapter: 'nvidia ampere' },
  { name: 'webgl', adapter: 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 Direct3D11 vs_5_0 ps_5_0)' },
  { name: 'wasm', adapter: 'WebAssembly, 8 cores' },
];

describe('fastCandidates', () => {
  it('keeps hardware GPUs and WASM, never the CPU or a software GPU', () => {
    expect(fastCandidates(rankBackends(hw('nvidia'), hw('ANGLE (NVIDIA)'), 'WASM')).map((c) => c.name)).toEqual(['webgpu', 'webgl', 'wasm']);
    expect(fastCandidates(rankBackends(none('no adapter'), hw('Apple M2'), 'WASM')).map((c) => c.name)).toEqual(['webgl', 'wasm']);
    expect(fastCandidates(rankBackends(hw('nvidia'), sw('ANGLE (SwiftShader)'), 'WASM')).map((c) => c.name)).toEqual(['webgpu', 'wasm']);
  });

  it('leaves only WASM on a machine with software GPUs (headless Chromium): nothing to calibrate', () => {
    expect(fastCandidates(rankBackends(sw('google swiftshader'), sw('ANGLE (SwiftShader)'), 'WASM')).map((c) => c.name)).toEqual(['wasm']);
    expect(fastCandidates(rankBackends(none('no navigator.gpu'), sw('llvmpipe'), 'WASM')).map((c) => c.name)).toEqual(['wasm']);
  });
});

describe('pickFastest and rankMeasurements', () => {
  it('picks the lowest median, whatever the policy order says', () => {
    expect(pickFastest([ms('webgpu', 41), ms('webgl', 77), ms('wasm', 342)])).toBe('webgpu');
    // An integrated GPU that trains slower than WASM on a fast CPU.
    expect(pickFastest([ms('webgl', 610), ms('wasm', 300)])).toBe('wasm');
    expect(pickFastest([ms('webgpu', 90), ms('webgl', 60), ms('wasm', 300)])).toBe('webgl');
  });

  it('gives ties, and near-ties within 5%, to the policy order', () => {
    expect(pickFastest([ms('webgpu', 50), ms('webgl', 50), ms('wasm', 50)])).toBe('webgpu');
    expect(pickFastest([ms('webgpu', 52), ms('webgl', 50)])).toBe('webgpu');
    expect(pickFastest([ms('webgpu', 53), ms('webgl', 50)])).toBe('webgl');
    expect(rankMeasurements([ms('webgpu', 100), ms('webgl', 98), ms('wasm', 20)]).map((r) => r.name)).toEqual(['wasm', 'webgpu', 'webgl']);
  });

  it('excludes failed candidates and ranks a slow one below every timed one', () => {
    expect(pickFastest([failed('webgpu', 'device lost'), ms('webgl', 77), ms('wasm', 342)])).toBe('webgl');
    expect(pickFastest([slow('webgpu', 9000), ms('wasm', 3500)])).toBe('wasm');
    expect(pickFastest([slow('webgpu', 9000), slow('webgl', 5000), failed('wasm', 'x')])).toBe('webgpu');
    expect(
      rankMeasurements([failed('webgpu', 'x'), slow('webgl', 5000), ms('wasm', 342)]).map((r) => r.name),
    ).toEqual(['wasm', 'webgl', 'webgpu']);
  });

  it('has no pick when every candidate failed', () => {
    expect(pickFastest([failed('webgpu', 'x'), failed('wasm', 'y')])).toBeNull();
    expect(pickFastest([])).toBeNull();
  });
});

describe('calibrationKey', () => {
  it('is stable for the same browser and adapters', () => {
    expect(calibrationKey(CHROME_130, GPUS)).toBe(calibrationKey(CHROME_130, GPUS.map((c) => ({ ...c }))));
  });

  it('changes with the browser version, an adapter or renderer string, or the set of candidates', () => {
    const key = calibrationKey(CHROME_130, GPUS);
    expect(calibrationKey(CHROME_131, GPUS)).not.toBe(key);
    expect(calibrationKey(CHROME_130, GPUS.map((c) => (c.name === 'webgpu' ? { ...c, adapter: 'nvidia lovelace' } : c)))).not.toBe(key);
    expect(calibrationKey(CHROME_130, GPUS.map((c) => (c.name === 'webgl' ? { ...c, adapter: 'ANGLE (Intel)' } : c)))).not.toBe(key);
    expect(calibrationKey(CHROME_130, GPUS.filter((c) => c.name !== 'webgpu'))).not.toBe(key);
  });

  it('cannot be forged by moving text between the user agent and the adapters', () => {
    const a = calibrationKey('UA', [{ name: 'wasm', adapter: 'x' }]);
    const b = calibrationKey('UA", "wasm: x', []);
    expect(a).not.toBe(b);
  });
});

describe('the cached record', () => {
  const now = Date.UTC(2026, 11, 1, 12);
  const key = calibrationKey(CHROME_130, GPUS);
  const candidates: BackendName[] = ['webgpu', 'webgl', 'wasm'];
  const record: CalibrationRecord = {
    key,
    measuredAt: now - 60_000,
    results: [ms('webgpu', 41.2), slow('webgl', 5300), failed('wasm', 'out of memory')],
  };
  const expected = { key, candidates, now };
  const stored = () => JSON.parse(JSON.stringify(toStoredCalibration(record))) as Record<string, unknown>;

  it('survives a round trip through the store (structured clone or JSON)', () => {
    expect(parseStoredCalibration(structuredClone(toStoredCalibration(record)), expected)).toEqual(record);
    expect(parseStoredCalibration(stored(), expected)).toEqual(record);
  });

  it('comes back in the current policy order, without fields it does not know', () => {
    const value = stored();
    value['results'] = [...(value['results'] as object[])].reverse().map((r) => ({ ...r, extra: 'ignored' }));
    expect(parseStoredCalibration(value, expected)?.results).toEqual(record.results);
  });

  it('ignores what is not a record of this version and key', () => {
    for (const value of [undefined, null, 42, 'text', [], {}]) expect(parseStoredCalibration(value, expected)).toBeNull();
    expect(parseStoredCalibration({ ...stored(), version: 2 }, expected)).toBeNull();
    expect(parseStoredCalibration({ ...stored(), key: calibrationKey(CHROME_131, GPUS) }, expected)).toBeNull();
    expect(parseStoredCalibration(stored(), { ...expected, key: calibrationKey(CHROME_131, GPUS) })).toBeNull();
  });

  it('ignores entries older than 30 days, or from the future', () => {
    expect(parseStoredCalibration({ ...stored(), measuredAt: now - CALIBRATION_MAX_AGE_MS - 1 }, expected)).toBeNull();
    expect(parseStoredCalibration({ ...stored(), measuredAt: now - CALIBRATION_MAX_AGE_MS + 1000 }, expected)).not.toBeNull();
    expect(parseStoredCalibration({ ...stored(), measuredAt: now + 3_600_000 }, expected)).toBeNull();
    expect(parseStoredCalibration({ ...stored(), measuredAt: String(now) }, expected)).toBeNull();
  });

  it('ignores damaged measurements', () => {
    const withResults = (results: unknown) => parseStoredCalibration({ ...stored(), results }, expected);
    const good = stored()['results'] as Record<string, unknown>[];
    const replaceFirst = (entry: unknown) => withResults([entry, ...good.slice(1)]);
    expect(withResults('webgpu')).toBeNull();
    expect(withResults(good.slice(1))).toBeNull(); // a candidate missing
    expect(withResults([...good, ms('cpu', 9000)])).toBeNull(); // one too many
    expect(withResults([good[1], good[1], good[2]])).toBeNull(); // a duplicate
    expect(replaceFirst({ ...good[0], name: 'webgpu2' })).toBeNull();
    expect(replaceFirst({ ...good[0], msPerStep: null })).toBeNull(); // NaN after JSON
    expect(replaceFirst({ ...good[0], msPerStep: -5 })).toBeNull();
    expect(replaceFirst({ ...good[0], msPerStep: '41' })).toBeNull();
    expect(replaceFirst({ ...good[0], status: 'fast' })).toBeNull();
    expect(replaceFirst({ name: 'webgpu', status: 'failed' })).toBeNull();
    expect(replaceFirst(null)).toBeNull();
  });

  it('ignores a record in which nothing worked (nothing to trust it for)', () => {
    const value = toStoredCalibration({ ...record, results: [failed('webgpu', 'a'), failed('webgl', 'b'), failed('wasm', 'c')] });
    expect(parseStoredCalibration(value, expected)).toBeNull();
  });

  it('shortens a long stored error message', () => {
    const value = toStoredCalibration({ ...record, results: [ms('webgpu', 41), ms('webgl', 77), failed('wasm', 'e'.repeat(5000))] });
    const parsed = parseStoredCalibration(value, expected);
    expect(parsed?.results[2]).toEqual(failed('wasm', 'e'.repeat(300)));
  });
});

describe('describeCalibration', () => {
  const record = (results: Measurement[]): CalibrationRecord => ({ key: 'k', measuredAt: Date.UTC(2026, 11, 1, 12), results });

  it('lists the timings best first and says whether they were cached', () => {
    const r = record([ms('webgpu', 41.4), ms('webgl', 76.6), ms('wasm', 342)]);
    expect(describeCalibration(r, true)).toBe(
      'measured on this machine — webgpu 41 ms/step, webgl 77 ms/step, wasm 342 ms/step (cached 2026-12-01)',
    );
    expect(describeCalibration(r, false)).toBe(
      'measured on this machine — webgpu 41 ms/step, webgl 77 ms/step, wasm 342 ms/step (measured now)',
    );
  });

  it('says which were too slow to time or failed, and when a tie decided', () => {
    expect(describeCalibration(record([failed('webgpu', 'device lost'), slow('webgl', 5310), ms('wasm', 342)]), false)).toBe(
      'measured on this machine — wasm 342 ms/step, webgl slower than 4 s/step (warm-up 5.3 s), webgpu failed (device lost) (measured now)',
    );
    expect(describeCalibration(record([ms('webgpu', 51), ms('wasm', 50)]), false)).toBe(
      'measured on this machine — webgpu 51 ms/step, wasm 50 ms/step; within 5% counts as a tie, which goes to the policy order (measured now)',
    );
  });
});

describe('a pool of CPU workers in the calibration', () => {
  const now = Date.UTC(2026, 11, 6);
  const expected = { key: 'k', candidates: ['webgl', 'wasm'] as const, now };
  const pooled: Measurement = { name: 'wasm', status: 'measured', msPerStep: 180, workers: 2 };

  it('says how many workers shared the step it timed', () => {
    const record: CalibrationRecord = { key: 'k', measuredAt: now, results: [ms('webgl', 240), pooled] };
    expect(describeCalibration(record, false)).toBe('measured on this machine — wasm (2 workers) 180 ms/step, webgl 240 ms/step (measured now)');
  });

  it('keeps the worker count through the cache, and refuses a count that is not a pool', () => {
    const stored = (wasm: unknown) => ({ version: 1, key: 'k', measuredAt: now, results: [ms('webgl', 240), wasm] });
    expect(parseStoredCalibration(stored(pooled), expected)?.results[1]).toEqual(pooled);
    expect(parseStoredCalibration(stored({ ...pooled, workers: 1 }), expected)).toBeNull();
    expect(parseStoredCalibration(stored({ ...pooled, workers: 'two' }), expected)).toBeNull();
  });
});

describe('calibrate', () => {
  const candidates = fastCandidates(rankBackends(hw('nvidia'), hw('ANGLE (NVIDIA)'), 'WASM'));

  it('measures each candidate in the policy order and records, not throws, the failures', async () => {
    const started: BackendName[] = [];
    const announced: string[] = [];
    let current: BackendName | null = null;
    const results = await calibrate(
      candidates,
      async (name) => {
        started.push(name);
        if (name === 'webgpu') return 'no adapter';
        current = name;
        return null;
      },
      {
        onCandidate: (c, i, n) => announced.push(`${c.name} ${i + 1}/${n}`),
        measure: async () => {
          if (current === 'webgl') throw new Error('CONTEXT_LOST_WEBGL');
          return { status: 'measured', msPerStep: 342 };
        },
      },
    );
    expect(started).toEqual(['webgpu', 'webgl', 'wasm']);
    expect(announced).toEqual(['webgpu 1/3', 'webgl 2/3', 'wasm 3/3']);
    expect(results).toEqual([failed('webgpu', 'could not start: no adapter'), failed('webgl', 'CONTEXT_LOST_WEBGL'), ms('wasm', 342)]);
    expect(pickFastest(results)).toBe('wasm');
  });
});

describe('the IndexedDB cache in Node (no indexedDB)', () => {
  it('reads nothing and saves nothing, without throwing', async () => {
    expect(typeof indexedDB).toBe('undefined');
    await expect(readCachedCalibration('k')).resolves.toBeUndefined();
    await expect(writeCachedCalibration('k', { a: 1 })).resolves.toBe(false);
  });
});

describe('measureTrainingStep on the wasm backend', () => {
  it('times real SimpleCNN steps at batch 128 and leaves no tensor behind', async () => {
    registerWasmTrainingKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
    const before = tf.memory().numTensors;
    const timing = await measureTrainingStep();
    expect(timing.status).toBe('measured');
    if (timing.status === 'measured') {
      expect(Number.isFinite(timing.msPerStep)).toBe(true);
      expect(timing.msPerStep).toBeGreaterThan(0);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops after the warm-up step when that alone is over the limit', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const before = tf.memory().numTensors;
    const timing = await measureTrainingStep({ warmupLimitMs: 1 });
    expect(timing.status).toBe('slow');
    if (timing.status === 'slow') expect(timing.warmupMs).toBeGreaterThan(1);
    expect(tf.memory().numTensors).toBe(before);
  });
});
