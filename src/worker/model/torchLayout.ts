/**
 * SimpleCNN's side of the PyTorch bridge: the shared, layout-driven conversions (src/shared/pytorch and
 * src/shared/arch/torchConversion.ts) bound to SIMPLE_CNN_LAYOUT and keyed by this model's parameter
 * names. Conv weights OIHW ↔ HWIO, linear weights [out, in] ↔ [in, out], and fc1's inputs between
 * PyTorch's NCHW flatten (c, h, w) and the NHWC flatten (h, w, c) this model uses.
 */
import { fromTorchLayout as fromTorchValues } from '../../shared/arch/torchConversion';
import { decodePytorchWeights, encodePytorchWeights, type ExportedRun } from '../../shared/pytorch/pytorchFiles';
import type { PytorchText } from '../../shared/pytorch/pytorchTexts';
import { SIMPLE_CNN_PYTORCH } from '../../shared/pytorch/trainingScript';
import { PARAM_NAMES, SIMPLE_CNN_LAYOUT, type ParamName } from '../../shared/simpleCnnShapes';

/** One parameter from PyTorch's layout (`torchShape`, as in a state_dict) to this model's. */
export function fromTorchLayout(name: ParamName, torchShape: readonly number[], values: Float32Array): Float32Array {
  const entry = SIMPLE_CNN_LAYOUT.find((e) => e.name === name);
  if (!entry || torchShape.length !== entry.torchShape.length || torchShape.some((d, i) => d !== entry.torchShape[i])) {
    throw new Error(`${name}: PyTorch shape [${torchShape.join(', ')}] does not fit SimpleCNN`);
  }
  return fromTorchValues(entry, values);
}

/** `<run>.safetensors` for SimpleCNN's weights (`steps`: the optimizer steps the run took). */
export function encodeSimpleCnnSafetensors(weights: ReadonlyMap<ParamName, Float32Array>, run: ExportedRun, steps: number): ArrayBuffer {
  return encodePytorchWeights(SIMPLE_CNN_PYTORCH, weights, run, steps);
}

export type SimpleCnnImport =
  | { ok: true; weights: Map<ParamName, Float32Array>; metadata: Record<string, string> }
  /** `error` is the English of `text`. */
  | { ok: false; error: string; text: PytorchText };

/** SimpleCNN's weights from a `.safetensors` state_dict, checked tensor by tensor; nothing is changed on refusal. */
export function decodeSimpleCnnSafetensors(file: ArrayBuffer | Uint8Array): SimpleCnnImport {
  const decoded = decodePytorchWeights(SIMPLE_CNN_PYTORCH, file);
  if (!decoded.ok) return decoded;
  const weights = new Map<ParamName, Float32Array>(PARAM_NAMES.map((name) => [name, decoded.tensors.get(name) as Float32Array]));
  return { ok: true, weights, metadata: decoded.metadata };
}
