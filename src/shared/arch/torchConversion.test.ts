import { describe, expect, it } from 'vitest';
import { elementCount, type ParamLayout } from '../paramLayout';
import { paramLayouts } from './paramLayouts';
import { ARCH_PRESETS } from './presets';
import { fromTorchLayout, toTorchLayout } from './torchConversion';

const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

describe('PyTorch layout conversion', () => {
  it('moves a conv weight from OIHW to HWIO', () => {
    const layout: ParamLayout = { name: 'conv2.weight', kind: 'convWeight', shape: [3, 3, 2, 4], torchShape: [4, 2, 3, 3], trainable: true };
    const here = fromTorchLayout(layout, ramp(72));
    // here[y][x][i][o] = torch[o][i][y][x]
    expect(here[((1 * 3 + 2) * 2 + 1) * 4 + 3]).toBe(((3 * 2 + 1) * 3 + 1) * 3 + 2);
  });

  it('transposes a dense weight and reorders the inputs of the one after a flatten', () => {
    const plain: ParamLayout = { name: 'fc2.weight', kind: 'denseWeight', shape: [3, 2], torchShape: [2, 3], trainable: true };
    expect(Array.from(fromTorchLayout(plain, ramp(6)))).toEqual([0, 3, 1, 4, 2, 5]);
    // A 2×2×3 map: PyTorch column c·4 + h·2 + w is this app's row (h·2 + w)·3 + c.
    const flat: ParamLayout = { ...plain, name: 'fc1.weight', shape: [12, 1], torchShape: [1, 12], flattenedFrom: { height: 2, width: 2, channels: 3 } };
    expect(Array.from(fromTorchLayout(flat, ramp(12)))).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
  });

  it('leaves vectors as they are and refuses a wrong length', () => {
    const bias: ParamLayout = { name: 'bn1.running_var', kind: 'vector', shape: [4], torchShape: [4], trainable: false };
    expect(Array.from(fromTorchLayout(bias, ramp(4)))).toEqual([0, 1, 2, 3]);
    expect(() => fromTorchLayout(bias, ramp(5))).toThrow('bn1.running_var: 5 values');
  });

  it('round-trips every tensor of every preset', () => {
    for (const spec of Object.values(ARCH_PRESETS)) {
      for (const layout of paramLayouts(spec)) {
        const values = ramp(elementCount(layout.shape));
        expect(toTorchLayout(layout, fromTorchLayout(layout, values)), layout.name).toEqual(values);
      }
    }
  });
});
