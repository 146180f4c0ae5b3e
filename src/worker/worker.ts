/**
 * The training worker's entry point: all TensorFlow.js work happens here, off the UI thread. It turns
 * commands from the UI into calls on the backend, the data loader and the Trainer, and posts events back.
 */
import { DEFAULT_CONFIG } from '../shared/config';
import type { WorkerCommand, WorkerEvent } from '../shared/protocol';
import { startBackend } from './backends/startBackend';
import { DataFileError } from './data/idx';
import { loadMnist } from './data/loadMnist';
import { parameterCount } from './model/simpleCnn';
import { Trainer } from './training/trainer';

declare const self: DedicatedWorkerGlobalScope;

/** Posts an event, moving (not copying) the large typed arrays it carries: the worker keeps no reference. */
function post(event: WorkerEvent): void {
  const transfer: ArrayBuffer[] = [];
  if (event.type === 'prediction') event.featureMaps?.forEach((map) => transfer.push(map.values.buffer as ArrayBuffer));
  if (event.type === 'epoch') event.insight.misclassified.forEach((example) => transfer.push(example.pixels.buffer as ArrayBuffer));
  self.postMessage(event, transfer);
}

let trainer: Trainer | null = null;
/** Config messages that arrive while the data is still loading are applied once the trainer exists. */
let latestConfig = { ...DEFAULT_CONFIG };

async function init(command: WorkerCommand & { type: 'init' }): Promise<void> {
  post({ type: 'state', state: 'loading' });
  post({ type: 'loading', message: 'Starting the backend and fetching MNIST…', fraction: 0 });
  const baseUrl = new URL(import.meta.env.BASE_URL, self.location.href).href;
  const loaded = new Map<string, { loaded: number; total: number }>();
  const [backend, data] = await Promise.all([
    startBackend(
      command.backend,
      (message) => post({ type: 'notice', level: 'warning', message }),
      (message) => post({ type: 'loading', message, fraction: 0 }),
    ),
    loadMnist({
      baseUrl,
      onProgress: ({ file, loadedBytes, totalBytes }) => {
        loaded.set(file, { loaded: loadedBytes, total: totalBytes ?? loadedBytes });
        const sum = (key: 'loaded' | 'total') => [...loaded.values()].reduce((n, f) => n + f[key], 0);
        const total = sum('total');
        post({
          type: 'loading',
          message: `Downloading MNIST: ${(sum('loaded') / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`,
          fraction: total > 0 ? sum('loaded') / total : 0,
        });
      },
    }),
  ]);
  trainer = new Trainer(data, post, latestConfig);
  post({
    type: 'ready',
    backend,
    data: { trainImages: data.train.count, testImages: data.test.count, bytesOnWire: data.bytesOnWire, verified: true },
    model: { paramCount: parameterCount() },
  });
  post({ type: 'state', state: 'idle' });
}

self.onmessage = (event: MessageEvent<WorkerCommand>) => {
  const command = event.data;
  switch (command.type) {
    case 'init':
      init(command).catch((error: unknown) => {
        if (error instanceof DataFileError) post({ type: 'error', message: error.message, file: error.file });
        else post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
      });
      break;
    case 'config':
      latestConfig = command.config;
      trainer?.updateConfig(command.config);
      break;
    case 'start':
      latestConfig = command.config;
      trainer?.start(command.config);
      break;
    case 'pause':
      trainer?.pause();
      break;
    case 'resume':
      trainer?.resume();
      break;
    case 'stop':
      trainer?.stop();
      break;
    case 'reset':
      trainer?.reset();
      break;
    case 'predict': {
      // Before `ready` there is no backend to run on; the UI only asks once it has seen `ready`.
      if (!trainer) break;
      const receivedAt = performance.now();
      trainer
        .predict(command.pixels, command.withFeatureMaps)
        .then(({ probabilities, trained, featureMaps }) =>
          post({
            type: 'prediction',
            requestId: command.requestId,
            probabilities,
            trained,
            milliseconds: performance.now() - receivedAt,
            featureMaps,
          }),
        )
        .catch((error: unknown) => post({ type: 'error', message: `Prediction failed: ${error instanceof Error ? error.message : String(error)}` }));
      break;
    }
  }
};
