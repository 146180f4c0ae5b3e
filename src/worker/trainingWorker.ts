/**
 * The training worker: all TensorFlow.js work happens here, off the UI thread. It turns commands from the
 * UI into calls on the backend, the data loader and the Trainer, and posts events back. On wasm it is also
 * the coordinator of the pool of workers that share each batch.
 */
import { DEFAULT_CONFIG, MAX_WORKERS } from '../shared/config';
import type { WorkerCommand, WorkerEvent } from '../shared/protocol';
import { NoBackendError, startBackend } from './backends/startBackend';
import { measureTrainingStep } from './backends/calibration';
import { englishText, errorDetail, type Text } from '../shared/texts';
import * as tf from '@tensorflow/tfjs';
import type { StorageFigures } from '../shared/checkpointRetention';
import { wasmBackend } from './backends/wasmBackendAccess';
import { openCheckpointArchive } from './checkpoint/checkpointArchive';
import { CheckpointKeeper } from './checkpoint/checkpointKeeper';
import { DataFileError } from './data/idx';
import { decodeTfjsModel, encodeTfjsModel } from '../shared/modelFiles';
import { loadMnist } from './data/loadMnist';
import { Trainer } from './training/trainer';
import { resolveWorkerCount } from './pool/shards';
import { WorkerPool } from './pool/workerPool';
import { POOL_WORKER_NAME } from './pool/poolProtocol';
import { exportPytorch, importPytorch } from './pytorchBridge';

declare const self: DedicatedWorkerGlobalScope;

/** Posts an event, moving (not copying) the large typed arrays it carries: the worker keeps no reference. */
function post(event: WorkerEvent): void {
  const transfer: ArrayBuffer[] = [];
  if (event.type === 'prediction') event.featureMaps?.forEach((map) => transfer.push(map.values.buffer as ArrayBuffer));
  if (event.type === 'epoch') event.insight.misclassified.forEach((example) => transfer.push(example.pixels.buffer as ArrayBuffer));
  if (event.type === 'modelExported' || event.type === 'pytorchExported') transfer.push(event.weights);
  self.postMessage(event, transfer);
}

const loading = (text: Text, fraction: number): WorkerEvent => ({ type: 'loading', message: englishText(text), text, fraction });
const refused = (text: Text): WorkerEvent => ({ type: 'modelFileRefused', message: englishText(text), text });

let trainer: Trainer | null = null;
/** Config messages that arrive while the data is still loading are applied once the trainer exists. */
let latestConfig = { ...DEFAULT_CONFIG };

async function init(command: WorkerCommand & { type: 'init' }): Promise<void> {
  post({ type: 'state', state: 'loading' });
  post(loading({ key: 'loading.start' }, 0));
  const baseUrl = new URL(import.meta.env.BASE_URL, self.location.href).href;
  const loaded = new Map<string, { loaded: number; total: number }>();
  const cpuWorkers = resolveWorkerCount(command.workers, self.navigator.hardwareConcurrency, MAX_WORKERS);
  // The pool starts once, when wasm is chosen (beside the data download) or auto's calibration needs it.
  let poolStart = null as Promise<WorkerPool | null> | null;
  const pool = () => (poolStart ??= startPool(cpuWorkers));
  if (command.backend === 'wasm') void pool();
  const [backend, data] = await Promise.all([
    startBackend(
      command.backend,
      (text) => post({ type: 'notice', level: 'warning', message: englishText(text), text }),
      (text) => post(loading(text, 0)),
      { count: cpuWorkers, measure: async () => measureTrainingStep({ pool: await pool() }) },
    ),
    loadMnist({
      baseUrl,
      onProgress: ({ file, loadedBytes, totalBytes }) => {
        loaded.set(file, { loaded: loadedBytes, total: totalBytes ?? loadedBytes });
        const sum = (key: 'loaded' | 'total') => [...loaded.values()].reduce((n, f) => n + f[key], 0);
        const total = sum('total');
        post(loading({ key: 'loading.download', loadedMb: sum('loaded') / 1e6, totalMb: total / 1e6 }, total > 0 ? sum('loaded') / total : 0));
      },
    }),
  ]);
  // Only wasm trains on a pool; one started for auto's calibration is let go when a GPU won.
  let trainingPool: WorkerPool | null = null;
  if (backend.name === 'wasm') trainingPool = await pool();
  else if (poolStart) (await poolStart)?.terminate();
  trainer = new Trainer(data, post, latestConfig);
  trainer.setPool(trainingPool);
  idleNumTensors = tf.memory().numTensors;
  post({
    type: 'ready',
    backend: { ...backend, workers: trainingPool?.size ?? 1 },
    data: { trainImages: data.train.count, testImages: data.test.count, bytesOnWire: data.bytesOnWire, verified: true },
  });
  post({ type: 'state', state: 'idle' });
  await announceCheckpoint(trainer);
}

/**
 * The wasm workers that share each batch with this one, for a pool of `size` (this worker included).
 * None for a pool of one; a pool that cannot start leaves this worker training alone, with a notice.
 */
async function startPool(size: number): Promise<WorkerPool | null> {
  if (size <= 1) return null;
  try {
    // This very script, under the pool's name (worker.ts serves both roles): one download, one bundle.
    return await WorkerPool.start(size - 1, () => new Worker(self.location.href, { type: 'module', name: POOL_WORKER_NAME }));
  } catch (error) {
    const text: Text = { key: 'pool.failed', workers: size, detail: errorDetail(error) };
    post({ type: 'notice', level: 'warning', message: englishText(text), text });
    return null;
  }
}

/** Tensors with no network and no run: what the worker returns to after Reset (Stop keeps the 10 weights). */
let idleNumTensors: number | null = null;

/** The browser's storage figures for this origin (workers have `navigator.storage` too); null where it gives none. */
async function storageEstimate(): Promise<StorageFigures | null> {
  const estimate = await self.navigator.storage?.estimate?.();
  return estimate?.usage !== undefined && estimate.quota !== undefined ? { usage: estimate.usage, quota: estimate.quota } : null;
}

/**
 * Connects the trainer to the checkpoint archive and tells the UI what is stored and whether a run from
 * an earlier visit can be resumed. A checkpoint of the previous version that failed validation was left
 * behind by the archive's upgrade: it is named.
 */
async function announceCheckpoint(target: Trainer): Promise<void> {
  const opened = await openCheckpointArchive();
  if (!opened.archive) {
    post({ type: 'checkpointsOff', reason: opened.reason, text: opened.text });
    return;
  }
  for (const { problem } of opened.migration.refused) {
    const text: Text = { key: 'checkpoint.unusable', problem, deleted: true };
    post({ type: 'notice', level: 'warning', message: englishText(text), text });
  }
  const keeper = new CheckpointKeeper(opened.archive, post, storageEstimate);
  target.setCheckpoints(keeper);
  await keeper.announce();
}

async function exportModel(target: Trainer): Promise<void> {
  try {
    const { spec, weights } = await target.exportNetwork();
    const { modelJson, weightsBin, weightsFileName } = encodeTfjsModel(weights, { spec, dropout: latestConfig.dropout });
    post({ type: 'modelExported', modelJson, weights: weightsBin, weightsFileName });
  } catch (error) {
    post(refused({ key: 'model.exportFailed', detail: errorDetail(error) }));
  }
}

/** The files are data: parsed and checked as JSON and float32 bytes, never run. */
function importModel(target: Trainer, command: WorkerCommand & { type: 'importModel' }): void {
  const decoded = decodeTfjsModel(command.modelJson, command.weights);
  if (!decoded.ok) return post({ type: 'modelFileRefused', message: decoded.error, text: decoded.text });
  if (!target.importNetwork(decoded.spec, decoded.weights)) {
    return post(refused({ key: 'model.importWhileRunning' }));
  }
  post({ type: 'modelImported', fileNames: command.fileNames, arch: decoded.spec });
}

/** The network as a PyTorch state_dict: `command.run` is what the page says the network is, for the file's metadata. */
async function exportPytorchWeights(target: Trainer, command: WorkerCommand & { type: 'exportPytorch' }): Promise<void> {
  try {
    const { weights, run, fileNames } = exportPytorch(await target.exportNetwork(), command.run);
    post({ type: 'pytorchExported', weights, run, fileNames });
  } catch (error) {
    post(refused({ key: 'model.exportFailed', detail: errorDetail(error) }));
  }
}

/**
 * A `.safetensors` state_dict in place of the network, read as the network the file names or else the
 * one in the controls (./pytorchBridge.ts says why), every tensor checked before the network is touched.
 */
function importPytorchWeights(target: Trainer, command: WorkerCommand & { type: 'importPytorch' }): void {
  const decoded = importPytorch(command.weights, latestConfig.arch);
  if (!decoded.ok) return post({ type: 'modelFileRefused', message: decoded.error, text: decoded.text });
  if (!target.importNetwork(decoded.spec, decoded.weights)) {
    return post(refused({ key: 'model.importWhileRunning' }));
  }
  post({ type: 'modelImported', fileNames: [command.fileName], arch: decoded.spec });
}

/** TensorFlow.js's memory figures, with what the backend adds (GPU bytes on webgl, the wasm heap). */
function diagnostics(): void {
  const memory = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  let backendBytes: number | null = null;
  let backendBytesLabel: string | null = null;
  if (typeof memory.numBytesInGPU === 'number') {
    backendBytes = memory.numBytesInGPU;
    backendBytesLabel = 'GPU';
  } else if (tf.getBackend() === 'wasm') {
    backendBytes = wasmBackend(tf.backend(), 'diagnostics').wasm.HEAPU8.length;
    backendBytesLabel = 'WASM heap';
  }
  post({
    type: 'diagnostics',
    diagnostics: {
      numTensors: memory.numTensors,
      numDataBuffers: memory.numDataBuffers,
      numBytes: memory.numBytes,
      backendBytes,
      backendBytesLabel,
      idleNumTensors,
      pool: trainer?.poolMemory() ?? [],
    },
  });
}

/** Serves the UI's commands. */
export function serveTrainer(): void {
  self.onmessage = (event: MessageEvent<WorkerCommand>) => handle(event.data);
}

function handle(command: WorkerCommand): void {
  switch (command.type) {
    case 'init':
      init(command).catch((error: unknown) => {
        if (error instanceof DataFileError) post({ type: 'error', message: error.message, text: error.text, file: error.file });
        else if (error instanceof NoBackendError) post({ type: 'error', message: error.message, text: error.text });
        else post({ type: 'error', message: errorDetail(error), text: { key: 'error.other', detail: errorDetail(error) } });
      });
      break;
    case 'config':
      latestConfig = command.config;
      trainer?.updateConfig(command.config);
      break;
    case 'start':
      latestConfig = command.config;
      trainer?.start(command.config, command.runId);
      break;
    case 'resumeCheckpoint':
      void trainer?.resumeCheckpoint();
      break;
    case 'rollBack':
      void trainer?.rollBack();
      break;
    case 'discardCheckpoint':
      void trainer?.discardCheckpoint();
      break;
    case 'branch':
      void trainer?.branch(command.runId, command.from, command.config);
      break;
    case 'dropCheckpoints':
      void trainer?.dropCheckpoints(command.runId);
      break;
    case 'diagnostics':
      if (trainer) diagnostics();
      break;
    case 'ping':
      post({ type: 'pong' });
      break;
    case 'exportModel':
      if (trainer) void exportModel(trainer);
      break;
    case 'importModel':
      if (trainer) importModel(trainer, command);
      break;
    case 'exportPytorch':
      if (trainer) void exportPytorchWeights(trainer, command);
      break;
    case 'importPytorch':
      if (trainer) importPytorchWeights(trainer, command);
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
        .then(({ probabilities, trained, featureMaps, network }) =>
          post({
            type: 'prediction',
            requestId: command.requestId,
            probabilities,
            trained,
            milliseconds: performance.now() - receivedAt,
            featureMaps,
            network,
          }),
        )
        .catch((error: unknown) => {
          const text: Text = { key: 'prediction.failed', detail: errorDetail(error) };
          post({ type: 'error', message: englishText(text), text });
        });
      break;
    }
  }
}
