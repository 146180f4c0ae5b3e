/**
 * Converting SimpleCNN parameters from PyTorch's layouts to this model's (pure typed-array code):
 * conv weights OIHW → HWIO, linear weights [out, in] → [in, out], and fc1's inputs reordered from
 * PyTorch's NCHW flatten (c, h, w) to the NHWC flatten (h, w, c) this model uses.
 */
import { PARAM_SHAPES, type ParamName } from './simpleCnn';

/** Channels and spatial size of the feature map fc1 reads: 128 × 3 × 3. */
const FC1_CHANNELS = 128;
const FC1_SPATIAL = 3 * 3;

export function fromTorchLayout(name: ParamName, torchShape: readonly number[], values: Float32Array): Float32Array {
  const expected = PARAM_SHAPES[name];
  if (name.endsWith('.bias')) {
    if (torchShape.length !== 1 || torchShape[0] !== expected[0]) throw shapeError(name, torchShape);
    return values.slice();
  }
  if (name.startsWith('conv')) {
    const [outC, inC, kh, kw] = torchShape;
    if (torchShape.length !== 4 || kh !== expected[0] || kw !== expected[1] || inC !== expected[2] || outC !== expected[3]) {
      throw shapeError(name, torchShape);
    }
    const out = new Float32Array(values.length);
    for (let o = 0; o < outC; o++)
      for (let i = 0; i < inC; i++)
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++) out[((y * kw + x) * inC + i) * outC + o] = values[((o * inC + i) * kh + y) * kw + x];
    return out;
  }
  const [outF, inF] = torchShape;
  if (torchShape.length !== 2 || inF !== expected[0] || outF !== expected[1]) throw shapeError(name, torchShape);
  const out = new Float32Array(values.length);
  for (let o = 0; o < outF; o++) {
    for (let i = 0; i < inF; i++) {
      // For fc1, PyTorch's input column c·9 + s (s = h·3 + w) is this model's row s·128 + c.
      const row = name === 'fc1.weight' ? (i % FC1_SPATIAL) * FC1_CHANNELS + Math.floor(i / FC1_SPATIAL) : i;
      out[row * outF + o] = values[o * inF + i];
    }
  }
  return out;
}

function shapeError(name: string, shape: readonly number[]): Error {
  return new Error(`${name}: PyTorch shape [${shape.join(', ')}] does not fit SimpleCNN`);
}
