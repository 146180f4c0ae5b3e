/**
 * The worker's side of **Export for PyTorch** and **Import PyTorch weights**: the network the trainer
 * holds to a `.safetensors` state_dict, and a `.safetensors` file back to a network the trainer can
 * take. Pure (the trainer's tensors come in as arrays); the formats and checks are
 * src/shared/pytorch/'s.
 *
 * Which network an imported file is read as: the one its `__metadata__` names (`arch`, the compact form
 * this app writes on export) when that is a network this app can build, else the network in the
 * controls. So a run exported from any architecture comes back as that architecture whatever the
 * controls say — as a TensorFlow.js model file does, whose topology names its network — and a
 * state_dict saved by PyTorch (`--save` of the generated script, or the user's own code), which names
 * none, is read as the network the user chose. Either way every tensor is checked against it.
 */
import { archSpecsEqual, SIMPLE_CNN_SPEC, type ArchSpec } from '../shared/arch/archSpec';
import { formatCompactArch, parseCompactArch } from '../shared/arch/compactForm';
import { encodePytorchWeights, pytorchFileStem, type ExportedRun } from '../shared/pytorch/pytorchFiles';
import { englishPytorchText, type PytorchText } from '../shared/pytorch/pytorchTexts';
import { decodeSafetensors } from '../shared/pytorch/safetensors';
import { pytorchArchitectureOf } from '../shared/pytorch/specModelClass';
import { fromStateDict } from '../shared/pytorch/stateDict';

/** The trainer's network as `Trainer.exportNetwork` gives it. */
export interface NetworkState {
  spec: ArchSpec;
  /** Every tensor of its state, this app's layouts, by PyTorch name. */
  weights: ReadonlyMap<string, Float32Array>;
  /** Optimizer steps taken: BatchNorm's `num_batches_tracked`. */
  steps: number;
}

export interface PytorchExport {
  weights: ArrayBuffer;
  /** The run the page named, its `config.arch` the network's own spec (the script's class must be the one these weights fit). */
  run: ExportedRun;
  fileNames: [safetensors: string, script: string];
}

export function exportPytorch(network: NetworkState, run: ExportedRun): PytorchExport {
  const described: ExportedRun = { ...run, config: { ...run.config, arch: network.spec } };
  const stem = pytorchFileStem(run.name);
  return {
    weights: encodePytorchWeights(pytorchArchitectureOf(network.spec), network.weights, described, network.steps),
    run: described,
    fileNames: [`${stem}.safetensors`, `${stem}.py`],
  };
}

export type PytorchImport =
  | { ok: true; spec: ArchSpec; weights: Map<string, Float32Array> }
  /** `error` is the English of `text`. */
  | { ok: false; error: string; text: PytorchText };

/**
 * How refusals name the network the file was checked against: the seed's by its class name, any other
 * by its class and compact form (`Net (c32bp-c64bp-c128bp-f256)`), which says which network was meant.
 */
export function networkName(spec: ArchSpec): string {
  const { className } = pytorchArchitectureOf(spec);
  return archSpecsEqual(spec, SIMPLE_CNN_SPEC) ? className : `${className} (${formatCompactArch(spec)})`;
}

/** The network a file's metadata names, if it names one this app can build. */
function namedArchitecture(metadata: Readonly<Record<string, string>>): ArchSpec | null {
  const named = metadata.arch;
  if (named === undefined) return null;
  const parsed = parseCompactArch(named);
  return parsed.ok ? parsed.spec : null;
}

/** A `.safetensors` file as a network: read whole and every tensor checked before anything is returned. */
export function importPytorch(file: ArrayBuffer | Uint8Array, controlsArch: ArchSpec): PytorchImport {
  const fail = (text: PytorchText): PytorchImport => ({ ok: false, error: englishPytorchText(text), text });
  const decoded = decodeSafetensors(file);
  if (!decoded.ok) return fail(decoded.text);
  const spec = namedArchitecture(decoded.metadata) ?? controlsArch;
  const converted = fromStateDict(pytorchArchitectureOf(spec).layout, decoded.tensors, networkName(spec));
  if (!converted.ok) return fail(converted.text);
  return { ok: true, spec, weights: converted.tensors };
}
