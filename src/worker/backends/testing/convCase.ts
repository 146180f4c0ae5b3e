/** A convolution case of the conv-gradient kernel tests: shapes, strides, padding. */
import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, NamedAttrMap } from '@tensorflow/tfjs';

export type Shape4 = [number, number, number, number];

export interface ConvCase {
  name: string;
  x: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: Conv2DBackpropFilterAttrs['pad'];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function convInfoOf(c: ConvCase) {
  return tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.dimRoundingMode);
}

/** The dy shape conv2d produces for this case, from the same helper the kernels use. */
export function dyShapeOf(c: ConvCase): Shape4 {
  const info = convInfoOf(c);
  return [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
}

/** The attributes both gradient kernels take, plus the one shape each needs (`filterShape` or `inputShape`). */
export function convAttrsOf(c: ConvCase, shape: { filterShape: Shape4 } | { inputShape: Shape4 }): NamedAttrMap {
  const attrs: Record<string, unknown> = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', ...shape };
  if (c.dimRoundingMode != null) attrs.dimRoundingMode = c.dimRoundingMode;
  return attrs as NamedAttrMap;
}
