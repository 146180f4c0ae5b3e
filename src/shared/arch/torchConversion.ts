/**
 * Moving a tensor between PyTorch's layout and this app's, driven only by its ParamLayout (pure
 * typed-array code, for the parity tests, checkpoints and model files of any spec):
 *
 * - conv weight: PyTorch OIHW `[out, in, kh, kw]` ↔ here HWIO `[kh, kw, in, out]`;
 * - dense weight: PyTorch `[out, in]` ↔ here `[in, out]`; for the first dense layer after a flatten
 *   (`flattenedFrom` = H × W × C) the inputs are also reordered, PyTorch's NCHW flatten putting input
 *   (h, w, c) at column c·H·W + h·W + w and this app's NHWC flatten at row (h·W + w)·C + c;
 * - vectors (biases, BatchNorm weights and running statistics): unchanged.
 */
import { elementCount, type ParamLayout } from '../paramLayout';

export function fromTorchLayout(layout: ParamLayout, values: Float32Array): Float32Array {
  return convert(layout, values, 'fromTorch');
}

export function toTorchLayout(layout: ParamLayout, values: Float32Array): Float32Array {
  return convert(layout, values, 'toTorch');
}

function convert(layout: ParamLayout, values: Float32Array, direction: 'fromTorch' | 'toTorch'): Float32Array {
  const size = elementCount(layout.shape);
  if (values.length !== size) {
    throw new Error(`${layout.name}: ${values.length} values for shape [${layout.torchShape.join(', ')}] (${size})`);
  }
  if (layout.kind === 'vector') return values.slice();
  const out = new Float32Array(size);
  // `move(here, torch)`: the element at index `here` in this app's layout is at `torch` in PyTorch's.
  const move = (here: number, torch: number) => {
    if (direction === 'fromTorch') out[here] = values[torch];
    else out[torch] = values[here];
  };
  if (layout.kind === 'convWeight') {
    const [kh, kw, inC, outC] = layout.shape;
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let i = 0; i < inC; i++)
          for (let o = 0; o < outC; o++) move(((y * kw + x) * inC + i) * outC + o, ((o * inC + i) * kh + y) * kw + x);
    return out;
  }
  const [inF, outF] = layout.shape;
  const torchColumn = torchInputColumn(layout);
  for (let row = 0; row < inF; row++) {
    const column = torchColumn(row);
    for (let o = 0; o < outF; o++) move(row * outF + o, o * inF + column);
  }
  return out;
}

/** For a dense weight: the PyTorch input column of this app's input row. */
function torchInputColumn(layout: ParamLayout): (row: number) => number {
  const map = layout.flattenedFrom;
  if (!map) return (row) => row;
  const spatial = map.height * map.width;
  if (spatial * map.channels !== layout.shape[0]) {
    throw new Error(`${layout.name}: flattenedFrom ${map.height}×${map.width}×${map.channels} does not match ${layout.shape[0]} inputs`);
  }
  return (row) => (row % map.channels) * spatial + Math.floor(row / map.channels);
}
