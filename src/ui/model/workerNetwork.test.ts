import { describe, expect, it } from 'vitest';
import { ARCH_PRESETS } from '../../shared/arch/presets';
import { DEFAULT_CONFIG } from '../../shared/config';
import type { BackendInfo, EpochMetrics, LiveChange } from '../../shared/protocol';
import type { RunRecord } from '../runs/runTypes';
import { exportedRunFor, followWorkerNetwork, type FollowedNetwork, type NetworkSignals } from './workerNetwork';

const backend = (): BackendInfo => ({ name: 'wasm', adapter: 'WebAssembly SIMD', software: false, reason: 'chosen', workers: 1 });

/** Feeds the signals one after another, as renders would, and returns the network after each. */
function follow(steps: NetworkSignals[]): FollowedNetwork['network'][] {
  let followed: FollowedNetwork | null = null;
  return steps.map((signals) => (followed = followWorkerNetwork(followed, signals)).network);
}

describe('followWorkerNetwork', () => {
  it('follows a page from load through a run, an import, a failed import and a Train from the import', () => {
    const first = backend();
    const imported = { kind: 'imported' as const, fileNames: ['trained.safetensors'] };
    const refused = { kind: 'refused' as const, message: 'no' };
    const exported = { kind: 'exported' as const, fileNames: ['model.json', 'w.bin'] };
    expect(
      follow([
        { modelFile: null, weightsVersion: 0, backend: null }, // loading
        { modelFile: null, weightsVersion: 0, backend: first }, // ready: initial weights
        { modelFile: null, weightsVersion: 1, backend: first }, // Train
        { modelFile: null, weightsVersion: 2, backend: first }, // an epoch
        { modelFile: imported, weightsVersion: 3, backend: first }, // the import
        { modelFile: refused, weightsVersion: 3, backend: first }, // a refused import leaves it
        { modelFile: exported, weightsVersion: 3, backend: first }, // so does an export
        { modelFile: exported, weightsVersion: 4, backend: first }, // Train from it: the new run's
      ]),
    ).toEqual([
      { kind: 'current' },
      { kind: 'fresh' },
      { kind: 'current' },
      { kind: 'current' },
      { kind: 'imported', fileNames: ['trained.safetensors'] },
      { kind: 'imported', fileNames: ['trained.safetensors'] },
      { kind: 'imported', fileNames: ['trained.safetensors'] },
      { kind: 'current' },
    ]);
  });

  it('takes a new worker for fresh weights until a run is restored into it, and a Reset for the current state', () => {
    const [first, second] = [backend(), backend()];
    const imported = { kind: 'imported' as const, fileNames: ['model.json', 'w.bin'] };
    expect(
      follow([
        { modelFile: null, weightsVersion: 5, backend: first },
        { modelFile: imported, weightsVersion: 6, backend: first },
        { modelFile: imported, weightsVersion: 6, backend: second }, // another backend: a new worker
        { modelFile: imported, weightsVersion: 7, backend: second }, // a run restored into it
        { modelFile: imported, weightsVersion: 7, backend: null }, // the worker failed, not yet replaced
        { modelFile: imported, weightsVersion: 8, backend: null }, // Reset
      ]),
    ).toEqual([{ kind: 'current' }, { kind: 'imported', fileNames: ['model.json', 'w.bin'] }, { kind: 'fresh' }, { kind: 'current' }, { kind: 'current' }, { kind: 'current' }]);
  });

  it('returns the same object while nothing changed (the hook sets state only on a change)', () => {
    const signals = { modelFile: null, weightsVersion: 1, backend: backend() };
    const followed = followWorkerNetwork(null, signals);
    expect(followWorkerNetwork(followed, { ...signals })).toBe(followed);
  });
});

const epoch = (testAccuracy: number): EpochMetrics => ({
  epoch: 1,
  epochs: 2,
  loss: 0.3,
  trainAccuracy: 90,
  testAccuracy,
  learningRate: 1e-3,
  trainSeconds: 1,
  evalSeconds: 1,
  samplesPerSecond: 100,
  stepMilliseconds: 10,
});
const liveChange: LiveChange = { step: 20, x: 1.25, epoch: 2, batch: 4, changes: [{ field: 'lr', from: 0.001, to: 0.003 }], learningRate: 0.003 };
const record = (status: RunRecord['status']): RunRecord => ({
  id: 'run-a',
  createdAt: 0,
  config: { ...DEFAULT_CONFIG, epochs: 2, arch: ARCH_PRESETS.batchNorm },
  epochs: [epoch(91.5), epoch(96.25)],
  batchLoss: [],
  liveChanges: [liveChange],
  hidden: false,
  status,
});
const names = { imported: (files: string) => `Imported ${files}`, initial: (seed: number) => `Initial weights, seed ${seed}` };
const controls = { ...DEFAULT_CONFIG, seed: 9 };

describe('exportedRunFor', () => {
  it("names the current run by its label, with its settings and live changes, and its accuracy once it finished", () => {
    const done = exportedRunFor({ kind: 'current' }, { record: record('done'), label: 'Run 2 · BN' }, controls, names);
    expect(done).toEqual({
      id: 'run-a',
      name: 'Run 2 · BN',
      config: record('done').config,
      testAccuracy: 96.25,
      liveChanges: [{ epoch: 2, batch: 4, changes: [{ field: 'lr', from: 0.001, to: 0.003 }] }],
    });
    // Stopped or still running, the weights are past the last evaluation: no accuracy is claimed for them.
    for (const status of ['stopped', 'running'] as const) {
      expect(exportedRunFor({ kind: 'current' }, { record: record(status), label: 'Run 2' }, controls, names).testAccuracy).toBeNull();
    }
  });

  it("names an import by its files and initial weights by the seed, with the controls' settings", () => {
    const current = { record: record('done'), label: 'Run 2' };
    expect(exportedRunFor({ kind: 'imported', fileNames: ['trained.safetensors'] }, current, controls, names)).toEqual({
      id: 'imported',
      name: 'Imported trained',
      config: controls,
      testAccuracy: null,
    });
    expect(exportedRunFor({ kind: 'imported', fileNames: ['model.json', 'model.weights.bin'] }, null, controls, names).name).toBe('Imported model model.weights');
    const initial = { id: 'initial', name: 'Initial weights, seed 9', config: controls, testAccuracy: null };
    expect(exportedRunFor({ kind: 'fresh' }, current, controls, names)).toEqual(initial);
    expect(exportedRunFor({ kind: 'current' }, null, controls, names)).toEqual(initial);
  });
});
