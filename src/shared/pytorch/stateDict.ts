/**
 * A network's tensors between this app's layouts and a PyTorch `state_dict`, driven by its
 * `ParamLayout` list (../paramLayout.ts), so no code here knows a layer by name. Each tensor moves
 * between the layouts as ../arch/torchConversion.ts moves it:
 *
 * - conv filters: here HWIO `[kh, kw, in, out]`, in PyTorch OIHW `[out, in, kh, kw]`;
 * - dense weights: here `[in, out]`, in PyTorch `[out, in]`; one that reads a flattened conv map also
 *   has its inputs reordered, from this app's NHWC flatten (h, w, c) to `torch.flatten` on NCHW (c, h, w);
 * - vectors (biases, BatchNorm's weight, bias and running statistics): the same in both.
 *
 * The whole state_dict is checked on the way in. BatchNorm's `num_batches_tracked`, a PyTorch int64
 * counter with no counterpart here, is written on export for each BatchNorm with running statistics,
 * and accepted and ignored on import.
 */
import { fromTorchLayout, toTorchLayout } from '../arch/torchConversion';
import type { ParamLayout } from '../paramLayout';
import type { PytorchText } from './pytorchTexts';
import { formatShape, type DecodedTensor, type TensorToWrite } from './safetensors';

const RUNNING_MEAN = '.running_mean';
const NUM_BATCHES_TRACKED = '.num_batches_tracked';
/** The prefix `nn.DataParallel` and DistributedDataParallel put before every name of the model they wrap. */
const DATA_PARALLEL_PREFIX = 'module.';

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
    out.push({ name: entry.name, dtype: 'F32', shape: entry.torchShape, values: toTorchLayout(entry, values) });
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
    out.set(entry.name, fromTorchLayout(entry, tensor.values));
  }
  return { ok: true, tensors: out };
}
