/**
 * The PyTorch bridge's files, end to end: **Export for PyTorch** writes a run's network as a
 * `<run>.safetensors` state_dict (and, in ./trainingScript.ts, a `<run>.py`); **Import PyTorch
 * weights** reads a `.safetensors` state_dict back into this app's tensors. Pure: the worker passes the
 * network's tensors in and gets bytes out, or the reverse, with a refusal as data (./pytorchTexts.ts).
 */
import type { ArchSpec } from '../arch/archSpec';
import { formatCompactArch } from '../arch/compactForm';
import type { TrainConfig } from '../config';
import type { ParamLayout } from '../paramLayout';
import { englishPytorchText, type PytorchText } from './pytorchTexts';
import { decodeSafetensors, encodeSafetensors } from './safetensors';
import { fromStateDict, toStateDict } from './stateDict';

/** A network as the bridge needs it: its PyTorch class name and its tensors' layouts. */
export interface NetworkLayout {
  /** The Python class whose state_dict this is, e.g. `SimpleCNN`. */
  className: string;
  /** The architecture spec it is built from, written to the file's metadata as its compact form (`arch`). */
  spec: ArchSpec;
  layout: readonly ParamLayout[];
}

/** A setting changed while the run trained (the shape of protocol.ts's LiveChange that matters here). */
export interface ExportedLiveChange {
  /** 1-based epoch and batch where it took effect. */
  epoch: number;
  batch: number;
  changes: readonly { field: string; from: number; to: number }[];
}

/** The run an export comes from, as the page keeps it (src/ui/runs/runTypes.ts's RunRecord). */
export interface ExportedRun {
  id: string;
  /** The name the page shows for it (the user's, or the automatic label). */
  name: string;
  /** The configuration the run started with. */
  config: TrainConfig;
  /** The test accuracy (percent, on the first `config.testSize` test images) after its last epoch; null before one ends. */
  testAccuracy: number | null;
  liveChanges?: readonly ExportedLiveChange[];
}

export const APP_NAME = 'MNIST Lab';
export const NORMALIZATION_FORMULA = '(pixel / 255 - 0.1307) / 0.3081';

/**
 * A file name for the run's two files (without extension): its name's letters and digits, in any
 * script, joined by single dashes, at most 60 characters; `mnist-lab-run` when nothing is left.
 */
export function pytorchFileStem(runName: string): string {
  const stem = runName
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return stem === '' ? 'mnist-lab-run' : stem;
}

/**
 * The safetensors `__metadata__` (strings only): `format: pt` as safetensors.torch writes it, then the
 * app, the network (its class and its architecture's compact form), the run and its whole configuration, its test accuracy and the input it expects.
 */
export function exportMetadata(run: ExportedRun, network: NetworkLayout): Record<string, string> {
  return {
    format: 'pt',
    app: APP_NAME,
    architecture: network.className,
    arch: formatCompactArch(network.spec),
    run: run.name,
    run_id: run.id,
    config: JSON.stringify(run.config),
    ...(run.testAccuracy !== null && { test_accuracy: run.testAccuracy.toFixed(2), test_images: String(run.config.testSize) }),
    input: `[batch, 1, 28, 28] float32, each pixel ${NORMALIZATION_FORMULA}`,
    output: '[batch, 10] logits',
  };
}

/**
 * `<run>.safetensors`: the network's tensors (this app's layouts, by PyTorch name) as PyTorch's
 * state_dict. `steps` is the optimizer steps taken, written as BatchNorm's `num_batches_tracked`.
 */
export function encodePytorchWeights(
  network: NetworkLayout,
  tensors: ReadonlyMap<string, Float32Array>,
  run: ExportedRun,
  steps: number,
): ArrayBuffer {
  return encodeSafetensors(toStateDict(network.layout, tensors, { numBatchesTracked: steps }), exportMetadata(run, network));
}

export type PytorchImport =
  | { ok: true; tensors: Map<string, Float32Array>; metadata: Record<string, string> }
  /** `error` is the English of `text`. */
  | { ok: false; error: string; text: PytorchText };

/** A `.safetensors` file's state_dict as this app's tensors, by PyTorch name, once all of it is checked. */
export function decodePytorchWeights(network: NetworkLayout, file: ArrayBuffer | Uint8Array): PytorchImport {
  const fail = (text: PytorchText): PytorchImport => ({ ok: false, error: englishPytorchText(text), text });
  const decoded = decodeSafetensors(file);
  if (!decoded.ok) return fail(decoded.text);
  const converted = fromStateDict(network.layout, decoded.tensors, network.className);
  if (!converted.ok) return fail(converted.text);
  return { ok: true, tensors: converted.tensors, metadata: decoded.metadata };
}
