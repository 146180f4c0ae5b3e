/**
 * How a conv block pads its input, and how much of its output is worth computing.
 *
 * A 2×2, stride-2 pool in floor mode (PyTorch's `nn.MaxPool2d(2)` / `nn.AvgPool2d(2)`) never reads the
 * last row and column of an odd-sized map: the SimpleCNN's conv3 computes a 7×7 map of which the pool
 * reads 6×6, so 13 of its 49 positions per channel are computed and thrown away, and in training their
 * gradient is exactly zero, yet the filter gradient still sums over them. Computing only the rows and
 * columns the pool reads gives the same pooled values and the same gradients, and saves a quarter of
 * that conv's forward and filter-gradient work (the SimpleCNN's training step: about 6%).
 *
 * The trimmed conv drops its last output row and column by padding `stride` less at the bottom and
 * right (which keeps the top-left windows where they were); where that padding is narrower than
 * `stride`, the input's last rows and columns are cut off as well (`cropInput`), since no kept window
 * reaches them.
 *
 * Not trimmed: blocks with BatchNorm (its batch statistics are over the whole map, discarded positions
 * included, as in PyTorch), blocks without pooling, even maps, and whenever the whole map is wanted
 * (the feature maps a prediction shows).
 */
import type { ConvBlockSpec } from './archSpec';

export interface ConvPadding {
  top: number;
  bottom: number;
  left: number;
  right: number;
  /** Rows (and columns) cut off the bottom (right) of the input before the conv. */
  cropInput: number;
  /** The conv's output size (square), trimmed or not. */
  outputSize: number;
}

/** PyTorch's padding for the block: `k // 2` on every side for 'same' (at stride 2 too), 0 for 'valid'. */
export function torchPadding(block: Pick<ConvBlockSpec, 'kernel' | 'padding'>): number {
  return block.padding === 'same' ? Math.floor(block.kernel / 2) : 0;
}

/**
 * The padding of `block`'s conv on a square input of `inputSize`; with `trimUnpooled`, trimmed to the
 * rows and columns its pool reads (see the file's comment for when it is not).
 */
export function convPadding(block: ConvBlockSpec, inputSize: number, trimUnpooled: boolean): ConvPadding {
  const pad = torchPadding(block);
  const outputSize = Math.floor((inputSize + 2 * pad - block.kernel) / block.stride) + 1;
  const whole: ConvPadding = { top: pad, bottom: pad, left: pad, right: pad, cropInput: 0, outputSize };
  const trims = trimUnpooled && block.pooling !== 'none' && !block.batchNorm && outputSize % 2 === 1 && outputSize >= 3;
  if (!trims) return whole;
  const bottom = pad - block.stride;
  return {
    top: pad,
    bottom: Math.max(0, bottom),
    left: pad,
    right: Math.max(0, bottom),
    cropInput: Math.max(0, -bottom),
    outputSize: outputSize - 1,
  };
}
