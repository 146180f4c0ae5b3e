/**
 * How each tensor of a network's state is laid out here (TensorFlow.js: NHWC activations, HWIO conv
 * filters, [in, out] dense weights) and in PyTorch (NCHW, OIHW filters, [out, in] dense weights), by its
 * PyTorch `state_dict` name. The architecture spec produces one list per network; the checkpoint, the
 * model files and the PyTorch bridge read it, so no code outside the spec knows a layer by name.
 */
export type ParamKind =
  /** A conv filter: here `[kh, kw, in, out]`, in PyTorch `[out, in, kh, kw]`. */
  | 'convWeight'
  /** A dense weight: here `[in, out]`, in PyTorch `[out, in]`. */
  | 'denseWeight'
  /** A bias, or a BatchNorm weight, bias or running statistic: `[n]` in both. */
  | 'vector';

export interface ParamLayout {
  /** The PyTorch `state_dict` key, e.g. `conv1.weight`, `bn1.running_var`. */
  name: string;
  kind: ParamKind;
  /** The shape here and in PyTorch. */
  shape: readonly number[];
  torchShape: readonly number[];
  /**
   * For a dense weight that reads a flattened conv map: the map's size. tfjs flattens NHWC as
   * (h, w, c) and PyTorch's `torch.flatten` on NCHW as (c, h, w), so the weight's input rows are
   * permuted between the two.
   */
  flattenedFrom?: { height: number; width: number; channels: number };
  /** Updated by the optimizer; false for a buffer (BatchNorm's running mean and variance). */
  trainable: boolean;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
