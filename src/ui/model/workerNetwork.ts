/**
 * Which network the training worker holds, as far as the page can tell from the worker's answers, so
 * that **Export for PyTorch** names what it exports truthfully: the file's metadata and the `<run>.py`
 * say which run the weights are, and claim its test accuracy only for the weights it was measured on.
 *
 * - `current`: the page's current run's network, or, with no current run (a fresh page, a Reset), the
 *   initial weights of the controls' network and seed;
 * - `imported`: a model file's network, from its import until the weights next change;
 * - `fresh`: a new worker (another backend, or one replacing a failed worker) holds initial weights until
 *   the weights next change (a restored run).
 */
import { useState } from 'react';
import type { TrainConfig } from '../../shared/config';
import type { BackendInfo } from '../../shared/protocol';
import type { ExportedLiveChange, ExportedRun } from '../../shared/pytorch/pytorchFiles';
import type { RunRecord } from '../runs/runTypes';
import type { TrainerView } from '../trainerState';

export type WorkerNetwork = { kind: 'current' } | { kind: 'imported'; fileNames: string[] } | { kind: 'fresh' };

/** What the view says of the worker's network: each value is replaced (a new object or number) when it changes. */
export interface NetworkSignals {
  modelFile: TrainerView['modelFile'];
  /** Grows with every change of the weights: an epoch, a new run, a Reset, a restored run, an import. */
  weightsVersion: number;
  /** The ready worker's backend: a new object each time a worker becomes ready. */
  backend: BackendInfo | null;
}

export interface FollowedNetwork {
  network: WorkerNetwork;
  seen: NetworkSignals;
}

/** The network after the view changed from `previous.seen` to `now`; `previous` itself when nothing changed. */
export function followWorkerNetwork(previous: FollowedNetwork | null, now: NetworkSignals): FollowedNetwork {
  if (!previous) return { network: { kind: 'current' }, seen: now };
  const { seen } = previous;
  if (seen.modelFile === now.modelFile && seen.weightsVersion === now.weightsVersion && seen.backend === now.backend) return previous;
  // An import changes the weights and the model file message at once; any other weights change is a run's (or a Reset's).
  if (now.weightsVersion !== seen.weightsVersion) {
    const { modelFile } = now;
    const imported = modelFile !== seen.modelFile && modelFile?.kind === 'imported';
    return { network: imported ? { kind: 'imported', fileNames: modelFile.fileNames } : { kind: 'current' }, seen: now };
  }
  if (now.backend !== seen.backend && now.backend !== null) return { network: { kind: 'fresh' }, seen: now };
  return { network: previous.network, seen: now };
}

/** `followWorkerNetwork` over the renders of a component. */
export function useWorkerNetwork(signals: NetworkSignals): WorkerNetwork {
  const [followed, setFollowed] = useState(() => followWorkerNetwork(null, signals));
  const next = followWorkerNetwork(followed, signals);
  // State derived from the previous render's (React's pattern for it): set during render, re-rendered at once.
  if (next !== followed) setFollowed(next);
  return next.network;
}

export interface ExportNames {
  /** The name of an imported network's export, from the imported files' names (extension dropped). */
  imported: (fileNames: string) => string;
  /** The name of initial weights' export. */
  initial: (seed: number) => string;
}

function exportedLiveChanges(record: RunRecord): ExportedLiveChange[] {
  return record.liveChanges.map(({ epoch, batch, changes }) => ({ epoch, batch, changes: changes.map(({ field, from, to }) => ({ field, from, to })) }));
}

/**
 * The run an export describes. A run's test accuracy is claimed only when it finished: then the weights
 * are those its last epoch evaluated (a stopped run's have trained past it, a running one's are moving).
 * An imported network or initial weights have none, and the controls' settings as their recipe.
 */
export function exportedRunFor(
  network: WorkerNetwork,
  currentRun: { record: RunRecord; label: string } | null,
  config: TrainConfig,
  names: ExportNames,
): ExportedRun {
  if (network.kind === 'imported') {
    const files = network.fileNames.map((name) => name.replace(/\.[^.]+$/, '')).join(' ');
    return { id: 'imported', name: names.imported(files), config, testAccuracy: null };
  }
  if (network.kind === 'current' && currentRun) {
    const { record, label } = currentRun;
    const testAccuracy = record.status === 'done' ? (record.epochs.at(-1)?.testAccuracy ?? null) : null;
    return { id: record.id, name: label, config: record.config, testAccuracy, liveChanges: exportedLiveChanges(record) };
  }
  return { id: 'initial', name: names.initial(config.seed), config, testAccuracy: null };
}
