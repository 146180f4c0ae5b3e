/**
 * The typed message protocol between the UI and the training worker. Both sides import these types;
 * nothing else crosses the boundary. Commands flow UI → worker, events worker → UI.
 */
import type { ArchSpec } from './arch/archSpec';
import type { ArchiveSlot, CheckpointIndexEntry } from './checkpointIndex';
import type { BackendChoice, BackendName, LiveField, TrainConfig } from './config';
import type { ExportedRun } from './pytorch/pytorchFiles';
import type { Text } from './texts';

export type WorkerCommand =
  /** Start the backend and load the data; answered by `ready` (or `error`). Sent once per worker. */
  /** `workers`: the CPU pool size asked for (0: auto); only the wasm backend trains on a pool. */
  | { type: 'init'; backend: BackendChoice; workers: number }
  /** Start a fresh run: new weights from the seed, new optimizer, epoch 1. `runId` names it in checkpoints. */
  | { type: 'start'; config: TrainConfig; runId: string }
  /** Continue the run saved in the checkpoint (after a reload or a crash). */
  | { type: 'resumeCheckpoint' }
  /**
   * Continue from the roll-back point: the last healthy checkpoint before the run's first loss spike (or
   * before its non-finite loss), else the saved checkpoint. A run still on ends first.
   */
  | { type: 'rollBack' }
  /**
   * Stop offering the saved run for Resume: its rolling checkpoint is dropped, its epochs stay as branch
   * points (`dropCheckpoints` deletes those).
   */
  | { type: 'discardCheckpoint' }
  /**
   * Start a new run, `runId`, from run `from.runId`'s checkpoint after `from.epoch` epochs, with
   * `config`: its weights, its generator (the data order continues) and StepLR's position; its
   * optimizer state too, unless `config.optimizer` differs (then the optimizer starts fresh, and a
   * notice says so). Answered by `restored` (the branch's past, under `runId`) or `branchRefused`.
   */
  | { type: 'branch'; runId: string; from: BranchPoint; config: TrainConfig }
  /** Delete every checkpoint of a run (its curves are the page's and stay): it can no longer be branched or resumed. */
  | { type: 'dropCheckpoints'; runId: string }
  /** Liveness check while a run exists: answered by `pong` between batches. */
  | { type: 'ping' }
  /** Report the worker's memory figures (answered by `diagnostics`). */
  | { type: 'diagnostics' }
  /** The current network in TensorFlow.js's format (answered by `modelExported`, or `modelFileRefused`). */
  | { type: 'exportModel' }
  /**
   * Replace the network with one from files (model.json's text and the weights file's bytes), checked
   * first: answered by `modelImported` or `modelFileRefused`, the current network untouched then.
   */
  | { type: 'importModel'; modelJson: string; weights: ArrayBuffer; fileNames: string[] }
  /**
   * The current network as a PyTorch state_dict in a `.safetensors` file whose metadata names `run` (the
   * run, or the import or initial weights, that the page says the network is) and its settings: answered
   * by `pytorchExported`, or `modelFileRefused`.
   */
  | { type: 'exportPytorch'; run: ExportedRun }
  /**
   * Replace the network with the state_dict in a `.safetensors` file's bytes, checked first (against the
   * architecture the file's metadata names, else the controls' network): answered by `modelImported` or
   * `modelFileRefused` with the reason, the current network untouched then.
   */
  | { type: 'importPytorch'; weights: ArrayBuffer; fileName: string }
  | { type: 'pause' }
  | { type: 'resume' }
  /** End the run after the current batch; the weights are kept. */
  | { type: 'stop' }
  /** End any run and drop its network: predictions use fresh initial weights of the configured seed. */
  | { type: 'reset' }
  /**
   * The UI's configuration changed. A running run takes each field when `FIELD_TIMING` (config.ts)
   * says: the epoch count at once, lr, weight decay, StepLR and dropout from the next batch, the batch
   * size from the next epoch; the rest at the next start.
   */
  | { type: 'config'; config: TrainConfig }
  /**
   * Classify one 28×28 image: `pixels` are 784 intensities in [0, 1], row-major, ink bright (as
   * ToTensor gives for MNIST). Answered by `prediction` with the same `requestId`, between training
   * batches when a run is on. With `withFeatureMaps` the answer carries the conv blocks' activations.
   */
  | { type: 'predict'; requestId: number; pixels: Float32Array; withFeatureMaps?: boolean };

export type RunState = 'loading' | 'idle' | 'running' | 'paused';

export interface BackendInfo {
  name: BackendName;
  /** What runs the kernels: the GPU adapter or renderer, or the CPU flavour (e.g. "WebAssembly SIMD, 1 thread per worker"). */
  adapter: string;
  /** A software GPU (SwiftShader, llvmpipe, a fallback adapter) is ranked below WASM. */
  software: boolean;
  /** Why this backend is in use, in a sentence (the auto ranking, or "chosen in the Backend menu"). */
  reason: string;
  /** `reason` as data, for the page to show in its language. */
  reasonText?: Text;
  /** `adapter` as data where it is not a name (the WASM flavour). */
  adapterText?: Text;
  /** Workers sharing each batch: the training worker and its pool (1 on a GPU, or without a pool). */
  workers: number;
}

export interface DataFacts {
  trainImages: number;
  testImages: number;
  /** Compressed bytes fetched. */
  bytesOnWire: number;
  /** Every file matched its SHA-256, IDX magic and dimensions. */
  verified: true;
}

/** One row of the seed's per-epoch printout. */
export interface EpochMetrics {
  epoch: number;
  epochs: number;
  /** Mean of the epoch's batch losses (the seed's `running_loss / len(train_loader)`). */
  loss: number;
  /** Percent correct over the epoch's training batches, in training mode (dropout on). */
  trainAccuracy: number;
  /** Percent correct over the test subset, in eval mode. */
  testAccuracy: number;
  /** The learning rate used during this epoch (StepLR's `get_last_lr()` before `step()`). */
  learningRate: number;
  /** Wall time of the epoch's training batches and of its evaluation, seconds. */
  trainSeconds: number;
  evalSeconds: number;
  samplesPerSecond: number;
  /** Median wall time of one training step in this epoch (the first step, a warm-up, left out), ms. */
  stepMilliseconds: number;
}

export interface Progress {
  epoch: number;
  epochs: number;
  /** Batches finished in this epoch, of `batches`. */
  batch: number;
  batches: number;
  /** Phase within the epoch: training batches, then the evaluation on `testImages` test images. */
  phase: 'train' | 'eval';
  testImages: number;
  samplesPerSecond: number;
  /** Median time of the recent training steps, ms (NaN until measured). */
  stepMilliseconds: number;
  /** Seconds left in this epoch and in the whole run, estimated from the recent throughput. */
  epochEtaSeconds: number;
  runEtaSeconds: number;
  /** Mean loss of the epoch's batches so far. */
  runningLoss: number;
  /** The learning rate of the current batch: base × γ^⌊epoch / step⌋. */
  learningRate: number;
}

/** One training batch's loss. `x` is in epochs: batch b (1-based) of n in epoch e (1-based) is e − 1 + b/n. */
export interface BatchLossPoint {
  /** Training steps since the run started, this one included. */
  step: number;
  x: number;
  loss: number;
}

/** Settings a running run took up, at the batch where they took effect. */
export interface LiveChange {
  step: number;
  x: number;
  /** 1-based epoch and batch within it. */
  epoch: number;
  batch: number;
  changes: { field: LiveField; from: number; to: number }[];
  /** The learning rate from this batch on. */
  learningRate: number;
}

/** Where a roll-back returns to, as a checkpoint's position: `epoch` epochs done and `batch` batches of the next. */
export interface RollBackPoint {
  epoch: number;
  batch: number;
}

/** The first batch of a loss spike episode (src/shared/lossSpikes.ts). */
export interface LossSpike {
  step: number;
  /** In epochs, as for BatchLossPoint; `epoch` and `batch` 1-based. */
  x: number;
  epoch: number;
  batch: number;
  loss: number;
  /** The median of the recent losses it was measured against. */
  median: number;
  learningRate: number;
  /** Null when there is nothing healthy to go back to. */
  rollBackTo: RollBackPoint | null;
}

/** The activations after one conv block (its activation, before its pooling), for one image. */
export interface FeatureMap {
  /** The conv block's PyTorch name: `conv1`, `conv2`, … (one map per block, whatever the network). */
  layer: string;
  height: number;
  width: number;
  channels: number;
  /** `height × width × channels` values, HWC order (channel fastest), all ≥ 0 after the ReLU. */
  values: Float32Array;
}

/** A test image the network got wrong, with its pixels so the UI can show it and send it back. */
export interface MisclassifiedExample {
  /** Index in the test set. */
  index: number;
  label: number;
  predicted: number;
  /** Softmax probability of the predicted (wrong) class. */
  confidence: number;
  /** 784 raw intensities 0–255, row-major. */
  pixels: Uint8Array;
}

/** What the evaluation after an epoch saw, beyond the accuracy. */
export interface TestInsight {
  /** Test images evaluated (the sum of `confusion`). */
  evaluated: number;
  /** 100 counts, row = true digit, column = predicted digit: `confusion[10 * label + predicted]`. */
  confusion: number[];
  /** Mistakes in total (the gallery keeps only the most confident `misclassified`). */
  misclassifiedCount: number;
  /** The most confident mistakes, most confident first. */
  misclassified: MisclassifiedExample[];
}

/** A run and the epochs of it done: where a branch starts (0: the run's initial weights). */
export interface BranchPoint {
  runId: string;
  epoch: number;
}

/** What a saved checkpoint holds, for the UI to offer it. */
export interface CheckpointSummary {
  runId: string;
  savedAt: number;
  /**
   * `start`: the state a run (or a branch) began with; `epoch`: an epoch's end; `rolling`: mid-epoch,
   * after a minute of training; `pause`: mid-epoch, at a Pause.
   */
  reason: 'start' | 'epoch' | 'rolling' | 'pause';
  /** The epoch in progress (0-based) and the batches of it already trained. */
  epoch: number;
  batch: number;
  epochs: number;
  config: TrainConfig;
}

/** The last checkpoint written to IndexedDB: what it was, its estimated size, and how long the write took. */
export interface CheckpointWrite {
  runId: string;
  slot: ArchiveSlot;
  epoch: number;
  batch: number;
  bytes: number;
  /** From the start of the IndexedDB transaction to its commit, in the worker. */
  milliseconds: number;
}

/** Every run's checkpoints as the archive's index lists them, and the browser's storage figures. */
export interface CheckpointArchiveView {
  entries: CheckpointIndexEntry[];
  /** `navigator.storage.estimate()` for this origin, bytes; null where the browser gives none. */
  usage: number | null;
  quota: number | null;
  lastWrite: CheckpointWrite | null;
}

/** The worker's memory: TensorFlow.js's own figures for the backend in use. */
export interface Diagnostics {
  numTensors: number;
  numDataBuffers: number;
  numBytes: number;
  /** Backend-specific: GPU bytes (webgl), the wasm heap, or null where the backend does not say. */
  backendBytes: number | null;
  backendBytesLabel: string | null;
  /** The tensor count with no run and no network: what Stop and Reset return to. */
  idleNumTensors: number | null;
  /**
   * The pool workers beside this one (none without a pool), as of each one's last answer: its live
   * tensors and its wasm heap (which never shrinks, so it is also the peak).
   */
  pool: { numTensors: number; heapBytes: number }[];
}

/**
 * Events whose `message` (or `reason`) is a sentence for the user carry it twice: in English, and as
 * `text` (src/shared/texts.ts) for the page to render in its own language.
 */
export type WorkerEvent =
  | { type: 'loading'; message: string; text?: Text; fraction: number }
  | { type: 'ready'; backend: BackendInfo; data: DataFacts }
  | { type: 'notice'; level: 'info' | 'warning'; message: string; text?: Text }
  | { type: 'state'; state: RunState }
  | { type: 'progress'; progress: Progress }
  /** Batch losses since the last such event (sent with each progress event and at each epoch's end). */
  | { type: 'batchLoss'; points: BatchLossPoint[] }
  | { type: 'liveChange'; change: LiveChange }
  /** The saved checkpoint now (after a save, a discard, and once at start); null when there is none. */
  | { type: 'checkpoint'; summary: CheckpointSummary | null }
  /** Checkpoints cannot be saved here (no storage, or it failed); training goes on without them. */
  | { type: 'checkpointsOff'; reason: string; text?: Text }
  /** The stored checkpoints now: at start, and after every save, drop and eviction. */
  | { type: 'checkpointArchive'; archive: CheckpointArchiveView }
  /** These runs' checkpoints were dropped to make room for a save (their curves are the page's and stay). */
  | { type: 'checkpointsEvicted'; runIds: string[] }
  /** The branch `runId` did not start (its checkpoint is gone or unusable, or a run is on); nothing changed. */
  | { type: 'branchRefused'; runId: string; message: string; text: Text }
  /** A resumed run's past (or a branch's, inherited), for the charts and the log: replaces what the UI shows of the run. */
  | {
      type: 'restored';
      runId: string;
      config: TrainConfig;
      history: EpochMetrics[];
      batchLoss: BatchLossPoint[];
      liveChanges: LiveChange[];
      lossSpikes: LossSpike[];
    }
  /** A finite batch loss far above the recent ones (src/shared/lossSpikes.ts): a warning; the run goes on. */
  | { type: 'lossSpike'; spike: LossSpike }
  /** The loss became NaN or infinite: the run is paused at this batch. */
  | { type: 'diverged'; epoch: number; batch: number; learningRate: number; loss: number; rollBackTo: RollBackPoint | null }
  | { type: 'diagnostics'; diagnostics: Diagnostics }
  | { type: 'pong' }
  | { type: 'modelExported'; modelJson: string; weights: ArrayBuffer; weightsFileName: string }
  /** `arch`: the imported network, which the page's controls then show (its parameters are computed from it). */
  | { type: 'modelImported'; fileNames: string[]; arch: ArchSpec }
  /**
   * The `.safetensors` file of `exportPytorch` (its buffer transferred), with the run it describes (its
   * `config.arch` the exported network's own spec) and the names of the two files the page saves:
   * `<run>.safetensors` and the `<run>.py` it generates from `run`.
   */
  | { type: 'pytorchExported'; weights: ArrayBuffer; run: ExportedRun; fileNames: [safetensors: string, script: string] }
  /** An export or import that could not be done; nothing was changed. */
  | { type: 'modelFileRefused'; message: string; text?: Text }
  /**
   * `numTensors` is the worker's live tensor count after the epoch, `poolTensors` each pool worker's (none
   * without a pool): none may grow from epoch to epoch.
   */
  | { type: 'epoch'; metrics: EpochMetrics; numTensors: number; poolTensors: number[]; insight: TestInsight }
  | { type: 'done'; reason: 'finished' | 'stopped'; finalTestAccuracy: number | null }
  | {
      type: 'prediction';
      requestId: number;
      /** Softmax of the logits, one per digit 0–9. */
      probabilities: number[];
      /** False while the network still has its initial, untrained weights. */
      trained: boolean;
      /** Worker-side time from receiving the request to having the probabilities, ms. */
      milliseconds: number;
      /** Present when the request asked `withFeatureMaps`: one per conv block, in order. */
      featureMaps?: FeatureMap[];
      /** With the feature maps: the network that answered (its blocks describe the maps). */
      network?: ArchSpec;
    }
  /** `file` names the data file when one is missing or damaged. */
  | { type: 'error'; message: string; text?: Text; file?: string };
