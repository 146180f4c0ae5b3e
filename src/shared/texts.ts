/**
 * Texts that the worker and the shared parsers write for the user (loading steps, notices, errors, the
 * backend's reason), as data: one member per kind of message, with its parameters. Events carry the
 * `Text` next to its English wording, so the page can render it in its own language
 * (src/ui/i18n: `t.texts.render(text)`), while the English stays exactly `englishText(text)`.
 *
 * Numbers travel raw; names (files, backends, weights, keys) as they are; `detail` only holds what is
 * English at its source anyway: a browser's exception text, a stored measurement's error, a GPU's name.
 */
import { compactArchErrorText, type CompactArchError } from './arch/compactForm';
import { archProblemText, type ArchProblem } from './arch/problems';
import type { BackendName } from './config';
import { IDX_MAGIC_IMAGES, IDX_MAGIC_LABELS } from './mnistFiles';
import type { OptimizerKind } from './optimizers';
import { englishModelArchText, isModelArchText, type ModelArchText } from './modelFiles/modelArchTexts';
import { englishPytorchText, isPytorchText, type PytorchText } from './pytorch/pytorchTexts';

/** Why a GPU probe found no usable adapter or context. */
export type ProbeProblem =
  | { kind: 'noApi' }
  | { kind: 'noAdapter' }
  | { kind: 'requestFailed'; detail: string }
  | { kind: 'noContext' }
  | { kind: 'contextFailed'; detail: string };

/** What the probe found for one GPU API: unavailable (with `problem` when known) or a software adapter. */
export interface GpuStatus {
  available: boolean;
  /** The adapter or renderer's name, or the English of `problem`. */
  description: string;
  problem?: ProbeProblem;
}

/** A backend that could not start; `detail` null when tf.setBackend said it did not initialize. */
export interface BackendFailure {
  backend: BackendName;
  detail: string | null;
}

/** One calibration result (the shape of calibration.ts's Measurement). */
/** `workers`: the CPU workers that shared each batch (wasm on a pool; absent for one). */
export type MeasuredBackend =
  | { name: BackendName; status: 'measured'; msPerStep: number; workers?: number }
  | { name: BackendName; status: 'slow'; warmupMs: number }
  | { name: BackendName; status: 'failed'; error: string };

/** Why a saved checkpoint cannot be used. */
export type CheckpointProblem =
  | { kind: 'notCheckpoint' }
  | { kind: 'version'; version: string; expected: number }
  | { kind: 'noRun' }
  | { kind: 'position' }
  | { kind: 'noWeights' }
  | { kind: 'weightSize'; name: string }
  | { kind: 'weightNonFinite'; name: string }
  | { kind: 'optimizerSize'; name: string; slot: string }
  | { kind: 'order' }
  /** The architecture it names cannot be built. */
  | { kind: 'arch'; problems: ArchProblem[] }
  /** Another network than the one asked for (compact forms): a branch keeps its parent's network. */
  | { kind: 'otherArch'; checkpoint: string; wanted: string };

/** A data file that cannot be used: every member names the file. */
export type DataText =
  | { key: 'data.length'; file: string; truncated: boolean; expected: number; received: number }
  | { key: 'data.dataType'; file: string; dataType: number }
  | { key: 'data.magic'; file: string; magic: number; expected: number }
  | { key: 'data.dimension'; file: string; index: number; dim: number; expected: number }
  | { key: 'data.label'; file: string; label: number; index: number }
  | { key: 'data.downloadFailed'; file: string; detail: string }
  | { key: 'data.http'; file: string; status: number; statusText: string; url: string }
  | { key: 'data.html'; file: string; url: string }
  | { key: 'data.noBody'; file: string }
  | { key: 'data.checksum'; file: string; expected: string; got: string }
  | { key: 'data.notGzip'; file: string; detail: string; contentEncoding: string | null };

/** Why model files were refused (src/shared/modelFiles.ts, the worker and the page's file reader). */
export type ModelFileText =
  | { key: 'model.invalidJson'; detail: string }
  | { key: 'model.notObject' }
  | { key: 'model.wrongFormat'; format: string; graphModel: boolean }
  | { key: 'model.noTopology' }
  | { key: 'model.noManifest' }
  | { key: 'model.noLayers' }
  | { key: 'model.groupNoWeights'; group: number }
  | { key: 'model.weightNotObject'; weight: number; group: number }
  | { key: 'model.weightNoName'; weight: number; group: number }
  | { key: 'model.weightNoShape'; name: string }
  | { key: 'model.duplicateWeight'; name: string }
  | { key: 'model.duplicateParam'; param: string; previous: string; name: string }
  /** `dtype` as JSON. */
  | { key: 'model.notFloat32'; name: string; dtype: string }
  /** `quantization`: the quantized dtype, null when unknown. */
  | { key: 'model.quantized'; name: string; quantization: string | null }
  | { key: 'model.wrongShape'; name: string; expected: string; got: string }
  | { key: 'model.unsupportedDtype'; name: string; dtype: string }
  | { key: 'model.missingWeights'; names: string[] }
  | { key: 'model.wrongBinSize'; expected: number; got: number }
  | { key: 'model.nonFinite'; name: string; value: number; index: number }
  | { key: 'model.exportFailed'; detail: string }
  | { key: 'model.importWhileRunning' }
  | { key: 'model.chooseOneJson'; count: number }
  | { key: 'model.chooseBin' };

/** Why a backend sits where it does in auto's order, or why it is in use. */
export type BackendReasonText =
  | { key: 'ranking.softwareGpu'; backend: 'webgpu' | 'webgl'; adapter: string }
  | { key: 'ranking.hardwareGpu'; backend: 'webgpu' | 'webgl'; adapter: string }
  | { key: 'ranking.wasmAfterGpu' }
  | { key: 'ranking.wasmNoGpu'; webgpu: GpuStatus; webgl: GpuStatus }
  | { key: 'ranking.cpuLastResort' }
  /** Calibration results best first; `tiePercent` when the winner won a tie; `cachedOn` YYYY-MM-DD or null (measured now). */
  | { key: 'backend.measured'; results: MeasuredBackend[]; limitSeconds: number; tiePercent: number | null; cachedOn: string | null }
  | { key: 'backend.auto'; why: BackendReasonText; failures: BackendFailure[] }
  | { key: 'backend.chosen' }
  | { key: 'backend.chosenFailed'; chosen: BackendName };

export type Text =
  | ModelArchText
  | PytorchText
  | { key: 'loading.start' }
  /** Megabytes (1e6 bytes), unrounded. */
  | { key: 'loading.download'; loadedMb: number; totalMb: number }
  /** `position` is 1-based, of `count`. */
  | { key: 'loading.measuring'; backend: BackendName; position: number; count: number }
  | { key: 'backend.cannotStart'; failure: BackendFailure; next: BackendName }
  | { key: 'backend.notMeasured'; backend: BackendName; detail: string }
  | { key: 'backend.noneStarted'; failures: BackendFailure[] }
  | { key: 'adapter.wasm'; simd: boolean; threads: number }
  | BackendReasonText
  | DataText
  | ModelFileText
  | { key: 'checkpoint.unusable'; problem: CheckpointProblem; deleted: boolean }
  | { key: 'checkpoint.nothingToResume' }
  /** A save did not fit in the quota even with every other run's checkpoints dropped (`noRoom`), or the browser refused it for quota. */
  | { key: 'checkpoint.saveSkipped'; why: 'noRoom' | 'quota' }
  /** "Branch from epoch k" could not start: the checkpoint is gone, unusable, or a run is on. */
  | { key: 'branch.gone'; epoch: number }
  | { key: 'branch.refused'; epoch: number; problem: CheckpointProblem }
  | { key: 'branch.busy' }
  /** A branch with another optimizer than its parent's: that optimizer starts with fresh state. */
  | { key: 'branch.freshOptimizer'; epoch: number; from: OptimizerKind; to: OptimizerKind }
  | { key: 'storage.noIndexedDb' }
  /** Storage failed with the browser's message (quota, blocked, …). */
  | { key: 'storage.failed'; detail: string }
  | { key: 'training.failed'; detail: string }
  /** The CPU pool could not start: this worker trains alone. */
  | { key: 'pool.failed'; workers: number; detail: string }
  | { key: 'prediction.failed'; detail: string }
  /** An error with nothing to add to the exception's own text. */
  | { key: 'error.other'; detail: string }
  | { key: 'url.unknownKey'; setting: string }
  | { key: 'url.badChoice'; setting: string; raw: string; options: readonly string[]; using: string }
  | { key: 'url.notNumber'; setting: string; raw: string; using: number }
  | { key: 'url.outOfRange'; setting: string; raw: string; min: number; max: number; using: number }
  | { key: 'url.notAllowed'; setting: string; raw: string; using: number }
  /** `arch=` that is not a network this app can build; `using` is the compact form kept. */
  | { key: 'url.badArch'; raw: string; error: CompactArchError; using: string };

export type TextKey = Text['key'];

/** The backends' names in sentences. */
export const BACKEND_LABELS: Readonly<Record<BackendName, string>> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };

/** The optimizers' names in sentences (the same in every language). */
export const OPTIMIZER_LABELS: Readonly<Record<OptimizerKind, string>> = { adam: 'Adam', adamw: 'AdamW', sgd: 'SGD' };

/** An exception's message, or the thrown value as text. */
export function errorDetail(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

export function hex8(value: number): string {
  return `0x${value.toString(16).padStart(2, '0')}`;
}

/** 'images', 'labels' or null for another IDX magic. */
export function idxKind(magic: number): 'images' | 'labels' | null {
  return magic === IDX_MAGIC_IMAGES ? 'images' : magic === IDX_MAGIC_LABELS ? 'labels' : null;
}

export function englishProbeProblem(problem: ProbeProblem): string {
  switch (problem.kind) {
    case 'noApi':
      return 'no navigator.gpu';
    case 'noAdapter':
      return 'no WebGPU adapter';
    case 'requestFailed':
      return `requestAdapter failed: ${problem.detail}`;
    case 'noContext':
      return 'no WebGL2 context';
    case 'contextFailed':
      return `WebGL2 failed: ${problem.detail}`;
  }
}

export function englishCheckpointProblem(problem: CheckpointProblem): string {
  switch (problem.kind) {
    case 'notCheckpoint':
      return 'it is not a checkpoint';
    case 'version':
      return `it has version ${problem.version}, this app reads ${problem.expected}`;
    case 'noRun':
      return 'its run or configuration is missing';
    case 'position':
      return 'its position in the run is damaged';
    case 'noWeights':
      return 'its weights or optimizer state are missing';
    case 'weightSize':
      return `weight ${problem.name} is missing or has the wrong size`;
    case 'weightNonFinite':
      return `weight ${problem.name} has a non-finite value`;
    case 'optimizerSize':
      return `optimizer state ${problem.name}.${problem.slot} is missing or has the wrong size`;
    case 'order':
      return 'its data order is damaged';
    case 'arch':
      return `its network cannot be built: ${problem.problems.map(archProblemText).join('; ')}`;
    case 'otherArch':
      return `it holds the network ${problem.checkpoint}, not ${problem.wanted} (a branch continues its parent's network; change the network with Reset)`;
  }
}

const englishFailure = (f: BackendFailure) => `${BACKEND_LABELS[f.backend]} could not start (${f.detail ?? 'it did not initialize'})`;

function englishGpu(label: string, gpu: GpuStatus): string {
  const description = gpu.problem ? englishProbeProblem(gpu.problem) : gpu.description;
  return gpu.available ? `${label} is software (${description})` : `${label} unavailable (${description})`;
}

function englishMeasurement(r: MeasuredBackend, limitSeconds: number): string {
  switch (r.status) {
    case 'measured':
      return `${r.name}${r.workers ? ` (${r.workers} workers)` : ''} ${Math.round(r.msPerStep)} ms/step`;
    case 'slow':
      return `${r.name} slower than ${limitSeconds} s/step (warm-up ${(r.warmupMs / 1000).toFixed(1)} s)`;
    case 'failed':
      return `${r.name} failed (${r.error})`;
  }
}

/** The text in English: exactly the wording the worker and parsers wrote before texts were data. */
export function englishText(text: Text): string {
  if (isModelArchText(text)) return englishModelArchText(text);
  if (isPytorchText(text)) return englishPytorchText(text);
  switch (text.key) {
    case 'loading.start':
      return 'Starting the backend and fetching MNIST…';
    case 'loading.download':
      return `Downloading MNIST: ${text.loadedMb.toFixed(1)} of ${text.totalMb.toFixed(1)} MB`;
    case 'loading.measuring':
      return `Measuring which backend trains fastest here (once per browser and GPU): ${BACKEND_LABELS[text.backend]}, ${text.position} of ${text.count}…`;
    case 'backend.cannotStart':
      return `${englishFailure(text.failure)}; trying ${BACKEND_LABELS[text.next]}.`;
    case 'backend.notMeasured':
      return `${BACKEND_LABELS[text.backend]} could not be measured (${text.detail}); auto chooses among the others.`;
    case 'backend.noneStarted':
      return `No TensorFlow.js backend could start: ${text.failures.map(englishFailure).join('; ')}`;
    case 'adapter.wasm':
      return `WebAssembly${text.simd ? ' SIMD' : ''}, ${text.threads} thread${text.threads === 1 ? '' : 's'} per worker`;
    case 'ranking.softwareGpu':
      return `${BACKEND_LABELS[text.backend]} runs on a software adapter (${text.adapter}), slower than WASM`;
    case 'ranking.hardwareGpu':
      return `${BACKEND_LABELS[text.backend]} has a hardware adapter (${text.adapter})`;
    case 'ranking.wasmAfterGpu':
      return 'WASM is next after the hardware GPU backends';
    case 'ranking.wasmNoGpu':
      return `${englishGpu('WebGPU', text.webgpu)}, ${englishGpu('WebGL', text.webgl)}; WASM is the fastest CPU path`;
    case 'ranking.cpuLastResort':
      return 'plain JavaScript is the last resort';
    case 'backend.measured': {
      const parts = text.results.map((r) => englishMeasurement(r, text.limitSeconds));
      const tie = text.tiePercent !== null ? `; within ${text.tiePercent}% counts as a tie, which goes to the policy order` : '';
      const when = text.cachedOn !== null ? `cached ${text.cachedOn}` : 'measured now';
      return `measured on this machine — ${parts.join(', ')}${tie} (${when})`;
    }
    case 'backend.auto': {
      const chosenBy = `Auto: ${englishText(text.why)}.`;
      return text.failures.length ? `${chosenBy} (${text.failures.map(englishFailure).join('; ')})` : chosenBy;
    }
    case 'backend.chosen':
      return 'Chosen in the Backend menu.';
    case 'backend.chosenFailed':
      return `Fallback: ${BACKEND_LABELS[text.chosen]} was chosen but could not start.`;

    case 'data.length':
      return `${text.file}: ${text.truncated ? 'truncated' : 'over-long'}: ${text.expected} bytes expected, ${text.received} received`;
    case 'data.dataType':
      return `${text.file}: wrong IDX data type ${hex8(text.dataType)}, expected 0x08 (unsigned byte)`;
    case 'data.magic':
      return `${text.file}: wrong IDX magic ${hex32(text.magic)}, expected ${hex32(text.expected)} (${idxKind(text.expected) ?? `${text.expected & 0xff}-dimensional`})`;
    case 'data.dimension':
      return `${text.file}: dimension ${text.index} is ${text.dim}, expected ${text.expected}`;
    case 'data.label':
      return `${text.file}: label ${text.label} at index ${text.index} is not a digit 0..9`;
    case 'data.downloadFailed':
      return `${text.file}: download failed: ${text.detail}`;
    case 'data.http':
      return `${text.file}: HTTP ${text.status}${text.statusText ? ` ${text.statusText}` : ''} for ${text.url}`;
    case 'data.html':
      return `${text.file}: ${text.url} answered with an HTML page, not the file (is it missing on the server?)`;
    case 'data.noBody':
      return `${text.file}: the response has no body`;
    case 'data.checksum':
      return `${text.file}: checksum mismatch: expected SHA-256 ${text.expected}, got ${text.got}`;
    case 'data.notGzip': {
      const hint = text.contentEncoding
        ? ` (the server sent it with Content-Encoding: ${text.contentEncoding}, so it arrived already decompressed;` +
          ' serve .gz files as plain bytes)'
        : '';
      return `${text.file}: not a valid gzip stream: ${text.detail}${hint}`;
    }

    case 'model.invalidJson':
      return `model.json is not valid JSON: ${text.detail}.`;
    case 'model.notObject':
      return 'model.json is not a TensorFlow.js model: expected a JSON object.';
    case 'model.wrongFormat':
      return (
        `model.json is not a TensorFlow.js layers model: its "format" is ${text.format}, expected "layers-model".` +
        (text.graphModel ? ' Graph models (e.g. converted from a SavedModel) cannot be imported.' : '')
      );
    case 'model.noTopology':
      return 'model.json is not a TensorFlow.js layers model: it has no "modelTopology" (the description of the layers).';
    case 'model.noManifest':
      return 'model.json is not a TensorFlow.js layers model: it has no "weightsManifest" (the list of weights in the weights file).';
    case 'model.noLayers':
      return 'model.json is not a TensorFlow.js layers model: its "modelTopology" has no list of layers.';
    case 'model.groupNoWeights':
      return `model.json has a malformed "weightsManifest": group ${text.group} has no "weights" list.`;
    case 'model.weightNotObject':
      return `model.json has a malformed "weightsManifest": weight ${text.weight} of group ${text.group} is not an object.`;
    case 'model.weightNoName':
      return `model.json has a malformed "weightsManifest": weight ${text.weight} of group ${text.group} has no name.`;
    case 'model.weightNoShape':
      return `model.json has a malformed "weightsManifest": weight "${text.name}" has no valid shape (a list of sizes).`;
    case 'model.duplicateWeight':
      return `model.json lists the weight "${text.name}" twice.`;
    case 'model.duplicateParam':
      return `model.json lists the weight ${text.param} twice (as "${text.previous}" and "${text.name}").`;
    case 'model.notFloat32':
      return `Weight "${text.name}" has dtype ${text.dtype}; only float32 weights can be imported.`;
    case 'model.quantized':
      return `Weight "${text.name}" is quantized (${text.quantization ?? 'unknown type'}); only unquantized float32 weights can be imported.`;
    case 'model.wrongShape':
      return `Weight "${text.name}" has the wrong shape: expected ${text.expected}, got ${text.got}.`;
    case 'model.unsupportedDtype':
      return `model.json has a malformed "weightsManifest": weight "${text.name}" has an unsupported dtype ${text.dtype}.`;
    case 'model.missingWeights':
      return `model.json is missing ${text.names.length === 1 ? 'the weight' : 'the weights'} ${text.names.map((n) => `"${n}"`).join(', ')}.`;
    case 'model.wrongBinSize':
      return (
        `The weights file is the wrong size: expected ${text.expected} bytes, got ${text.got} bytes. ` +
        'Choose the .bin file that was saved together with this model.json.'
      );
    case 'model.nonFinite':
      return `Weight "${text.name}" has a non-finite value (${text.value}) at index ${text.index}; the model cannot be used.`;
    case 'model.exportFailed':
      return `The model could not be exported: ${text.detail}`;
    case 'model.importWhileRunning':
      return 'A model can be imported only while no run is going: press Stop first.';
    case 'model.chooseOneJson':
      return `Choose one model.json and its weights file together (got ${text.count} JSON files).`;
    case 'model.chooseBin':
      return 'Choose the weights file (.bin) together with model.json.';

    case 'checkpoint.unusable':
      return `The saved checkpoint cannot be used: ${englishCheckpointProblem(text.problem)}.${text.deleted ? ' It was deleted.' : ''}`;
    case 'checkpoint.nothingToResume':
      return 'There is no saved checkpoint to resume from.';
    case 'checkpoint.saveSkipped':
      return text.why === 'noRoom'
        ? "A checkpoint was not saved: it would not fit in this browser's storage even with every other run's checkpoints dropped. Training goes on; a reload would lose the steps since the last checkpoint."
        : 'A checkpoint was not saved: the browser refused it for lack of space. Training goes on; a reload would lose the steps since the last checkpoint.';
    case 'branch.gone':
      return `Epoch ${text.epoch} can no longer be branched: its checkpoint is gone. Nothing was changed.`;
    case 'branch.refused':
      return `The branch from epoch ${text.epoch} was refused: its checkpoint cannot be used: ${englishCheckpointProblem(text.problem)}. Nothing was changed.`;
    case 'branch.busy':
      return 'A branch starts a new run: stop the current run first.';
    case 'branch.freshOptimizer':
      return (
        `The branch from epoch ${text.epoch} uses ${OPTIMIZER_LABELS[text.to]} where its parent used ${OPTIMIZER_LABELS[text.from]}: ` +
        `${OPTIMIZER_LABELS[text.to]} starts with fresh state (no moments, step 0); the weights, the data order and StepLR continue from the checkpoint.`
      );
    case 'storage.noIndexedDb':
      return 'this browser offers no IndexedDB here';
    case 'storage.failed':
      return text.detail;
    case 'training.failed':
      return `Training failed: ${text.detail}`;
    case 'pool.failed':
      return `${text.workers} CPU workers could not start (${text.detail}); training uses one.`;
    case 'prediction.failed':
      return `Prediction failed: ${text.detail}`;
    case 'error.other':
      return text.detail;

    case 'url.unknownKey':
      return `Ignored unknown setting "${text.setting}".`;
    case 'url.badChoice':
      return `${text.setting}=${text.raw} is not one of ${text.options.join(', ')}; using ${text.using}.`;
    case 'url.notNumber':
      return `${text.setting}=${text.raw} is not a number; using ${text.using}.`;
    case 'url.outOfRange':
      return `${text.setting}=${text.raw} is outside ${text.min}–${text.max}; using ${text.using}.`;
    case 'url.notAllowed':
      return `${text.setting}=${text.raw} is not an allowed value; using ${text.using}.`;
    case 'url.badArch':
      return `arch=${text.raw} is not a network this app can build: ${compactArchErrorText(text.error)}; using ${text.using}.`;
  }
}
