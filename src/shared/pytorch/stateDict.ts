/**
 * A network's tensors between this app's layouts and a PyTorch `state_dict`, driven by its
 * `ParamLayout` list (../paramLayout.ts), so no code here knows a layer by name:
 *
 * - conv filters: here HWIO `[kh, kw, in, out]`, in PyTorch OIHW `[out, in, kh, kw]`;
 * - dense weights: here `[in, out]`, in PyTorch `[out, in]`; one that reads a flattened conv map also
 *   has its inputs reordered, from this app's NHWC flatten (h, w, c) to `torch.flatten` on NCHW (c, h, w);
 * - vectors (biases, BatchNorm's weight, bias and running statistics): the same in both;
 * - BatchNorm's `num_batches_tracked`, a PyTorch int64 counter with no counterpart here: written on
 *   export for each BatchNorm with running statistics, accepted and ignored on import.
 */
import { elementCount, type ParamLayout } from '../paramLayout';
import type { PytorchText } from './pytorchTexts';
import { formatShape, type DecodedTensor, type TensorToWrite } from './safetensors';

const RUNNING_MEAN = '.running_mean';
const NUM_BATCHES_TRACKED = '.num_batches_tracked';
/** The prefix `nn.DataParallel` and DistributedDataParallel put before every name of the model they wrap. */
const DATA_PARALLEL_PREFIX = 'module.';

/** Values in PyTorch's layout for one tensor in this app's layout (`values` has `entry.shape`). */
export function toTorchValues(entry: ParamLayout, values: Float32Array): Float32Array {
  checkLength(entry, values);
  const out = new Float32Array(values.length);
  forEachIndexPair(entry, (appIndex, torchIndex) => {
    out[torchIndex] = values[appIndex];
  });
  return out;
}

/** Values in this app's layout for one tensor in PyTorch's (`values` has `entry.torchShape`). */
export function fromTorchValues(entry: ParamLayout, values: Float32Array): Float32Array {
  checkLength(entry, values);
  const out = new Float32Array(values.length);
  forEachIndexPair(entry, (appIndex, torchIndex) => {
    out[appIndex] = values[torchIndex];
  });
  return out;
}

/** Calls `visit` with each element's index here and in PyTorch: the one place the layouts are defined. */
function forEachIndexPair(entry: ParamLayout, visit: (appIndex: number, torchIndex: number) => void): void {
  switch (entry.kind) {
    case 'vector':
      for (let i = 0; i < elementCount(entry.shape); i++) visit(i, i);
      return;
    case 'convWeight': {
      const [kh, kw, inC, outC] = entry.shape;
      for (let o = 0; o < outC; o++)
        for (let i = 0; i < inC; i++)
          for (let y = 0; y < kh; y++)
            for (let x = 0; x < kw; x++) visit(((y * kw + x) * inC + i) * outC + o, ((o * inC + i) * kh + y) * kw + x);
      return;
    }
    case 'denseWeight': {
      const [inF, outF] = entry.shape;
      const map = entry.flattenedFrom;
      const spatial = map ? map.height * map.width : 0;
      for (let o = 0; o < outF; o++) {
        for (let column = 0; column < inF; column++) {
          // PyTorch's input column c·(h·w) + s is this app's row s·channels + c (s = y·width + x).
          const row = map ? (column % spatial) * map.channels + Math.floor(column / spatial) : column;
          visit(row * outF + o, o * inF + column);
        }
      }
      return;
    }
  }
}

function checkLength(entry: ParamLayout, values: Float32Array): void {
  if (values.length !== elementCount(entry.shape)) {
    throw new RangeError(`${entry.name}: ${values.length} values, expected ${elementCount(entry.shape)}`);
  }
  if (entry.flattenedFrom) {
    const { height, width, channels } = entry.flattenedFrom;
    if (height * width * channels !== entry.shape[0]) throw new RangeError(`${entry.name}: flattenedFrom does not match its ${entry.shape[0]} inputs`);
  }
}

/** The BatchNorm modules with running statistics (`bn1` for `bn1.running_mean`), and the last layout entry of each. */
function batchNormsWithRunningStats(layout: readonly ParamLayout[]): Map<string, number> {
  const modules = new Set(layout.filter((e) => e.name.endsWith(RUNNING_MEAN)).map((e) => e.name.slice(0, -RUNNING_MEAN.length)));
  const lastEntry = new Map<string, number>();
  layout.forEach((entry, index) => {
    const module = entry.name.slice(0, entry.name.lastIndexOf('.'));
    if (modules.has(module)) lastEntry.set(module, index);
  });
  return lastEntry;
}

export interface StateDictExportOptions {
  /**
   * BatchNorm's `num_batches_tracked`: the training steps taken, which PyTorch counts per BatchNorm
   * (each step updates its running statistics once). Needed only when the network has BatchNorm.
   */
  numBatchesTracked?: number;
}

/**
 * The state_dict to write, in PyTorch's order (the layout's, with each BatchNorm's `num_batches_tracked`
 * after its running variance), from this app's tensors by PyTorch name. Throws on a missing or misshapen
 * tensor: the app's own network is at fault then, not a user's file.
 */
export function toStateDict(
  layout: readonly ParamLayout[],
  tensors: ReadonlyMap<string, Float32Array>,
  options: StateDictExportOptions = {},
): TensorToWrite[] {
  const batchNorms = batchNormsWithRunningStats(layout);
  const out: TensorToWrite[] = [];
  layout.forEach((entry, index) => {
    const values = tensors.get(entry.name);
    if (!values) throw new Error(`No values for ${entry.name}`);
    out.push({ name: entry.name, dtype: 'F32', shape: entry.torchShape, values: toTorchValues(entry, values) });
    for (const [module, last] of batchNorms) {
      if (last !== index) continue;
      const steps = options.numBatchesTracked;
      if (steps === undefined || !Number.isSafeInteger(steps) || steps < 0) {
        throw new RangeError(`${module}${NUM_BATCHES_TRACKED} needs a step count, got ${steps}`);
      }
      out.push({ name: `${module}${NUM_BATCHES_TRACKED}`, dtype: 'I64', shape: [], values: BigInt64Array.of(BigInt(steps)) });
    }
  });
  return out;
}

export type StateDictImport = { ok: true; tensors: Map<string, Float32Array> } | { ok: false; text: PytorchText };

/**
 * This app's tensors, by PyTorch name in layout order, from a state_dict read from a file, once every
 * tensor is checked: none missing, none extra (`num_batches_tracked` of the layout's BatchNorms aside),
 * each floating point, of the layout's PyTorch shape, and finite. Names saved from a model wrapped in
 * `nn.DataParallel` (all starting `module.`) are read without that prefix. `architecture` names the
 * network in the refusal texts.
 */
export function fromStateDict(layout: readonly ParamLayout[], file: ReadonlyMap<string, DecodedTensor>, architecture: string): StateDictImport {
  const fail = (text: PytorchText): StateDictImport => ({ ok: false, text });
  const names = [...file.keys()];
  const wrapped = names.length > 0 && names.every((name) => name.startsWith(DATA_PARALLEL_PREFIX));
  const tensors = new Map(names.map((name) => [wrapped ? name.slice(DATA_PARALLEL_PREFIX.length) : name, file.get(name) as DecodedTensor]));

  const missing = layout.filter((entry) => !tensors.has(entry.name)).map((entry) => entry.name);
  if (missing.length > 0) return fail({ key: 'pytorch.missingTensors', names: missing, architecture });
  const expected = new Set(layout.map((entry) => entry.name));
  for (const module of batchNormsWithRunningStats(layout).keys()) expected.add(`${module}${NUM_BATCHES_TRACKED}`);
  const extra = [...tensors.keys()].filter((name) => !expected.has(name));
  if (extra.length > 0) return fail({ key: 'pytorch.extraTensors', names: extra, architecture });

  const out = new Map<string, Float32Array>();
  for (const entry of layout) {
    const tensor = tensors.get(entry.name) as DecodedTensor;
    if (tensor.dtype === 'I64') return fail({ key: 'pytorch.notFloat', tensor: entry.name, dtype: tensor.dtype });
    if (tensor.shape.length !== entry.torchShape.length || tensor.shape.some((d, i) => d !== entry.torchShape[i])) {
      return fail({ key: 'pytorch.wrongShape', tensor: entry.name, expected: formatShape(entry.torchShape), got: formatShape(tensor.shape), architecture });
    }
    const index = tensor.values.findIndex((v) => !Number.isFinite(v));
    if (index >= 0) return fail({ key: 'pytorch.nonFinite', tensor: entry.name, value: tensor.values[index], index });
    out.set(entry.name, fromTorchValues(entry, tensor.values));
  }
  return { ok: true, tensors: out };
}
