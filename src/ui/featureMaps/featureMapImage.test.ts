import { describe, expect, it } from 'vitest';
import type { FeatureMap } from '../../shared/protocol';
import { channelAt, featureMapGrid, heatColour } from './featureMapImage';

/** 3 channels of 2×2: channel 0 ramps 0..3, channel 1 is all zero, channel 2 is 5 at one pixel. */
function sampleMap(): FeatureMap {
  const values = new Float32Array(2 * 2 * 3);
  for (let p = 0; p < 4; p++) values[p * 3] = p;
  values[3 * 3 + 2] = 5;
  return { layer: 'conv1', height: 2, width: 2, channels: 3, values };
}

const pixel = (rgba: Uint8ClampedArray, width: number, x: number, y: number) => Array.from(rgba.slice((y * width + x) * 4, (y * width + x) * 4 + 4));

describe('featureMapGrid', () => {
  it('places channels row by row with a one-pixel gap, each scaled to its own maximum', () => {
    const grid = featureMapGrid(sampleMap(), 2);
    expect([grid.width, grid.height, grid.columns, grid.rows]).toEqual([5, 5, 2, 2]);
    expect(Array.from(grid.maxima)).toEqual([3, 0, 5]);
    expect(pixel(grid.rgba, 5, 0, 0)).toEqual([...heatColour(0), 255]); // channel 0, value 0
    expect(pixel(grid.rgba, 5, 1, 1)).toEqual([...heatColour(1), 255]); // channel 0, value 3 = its max
    expect(pixel(grid.rgba, 5, 2, 0)).toEqual([0, 0, 0, 0]); // the gap
    expect(pixel(grid.rgba, 5, 4, 1)).toEqual([...heatColour(0), 255]); // channel 1, all zero
    expect(pixel(grid.rgba, 5, 1, 4)).toEqual([...heatColour(1), 255]); // channel 2's single 5
    expect(pixel(grid.rgba, 5, 3, 3)).toEqual([0, 0, 0, 0]); // no fourth channel
  });

  it('refuses values that do not match the shape', () => {
    expect(() => featureMapGrid({ ...sampleMap(), values: new Float32Array(5) }, 2)).toThrow('expected 12 values');
  });

  it('finds the channel under a point, null on gaps and empty cells', () => {
    const map = sampleMap();
    expect(channelAt(map, 2, 0, 0)).toBe(0);
    expect(channelAt(map, 2, 4, 1)).toBe(1);
    expect(channelAt(map, 2, 1, 3)).toBe(2);
    expect(channelAt(map, 2, 2, 0)).toBeNull();
    expect(channelAt(map, 2, 4, 4)).toBeNull();
    expect(channelAt(map, 2, -1, 0)).toBeNull();
  });

  it('colours from dark to bright', () => {
    const brightness = (t: number) => heatColour(t).reduce((a, b) => a + b, 0);
    expect(brightness(0)).toBeLessThan(brightness(0.5));
    expect(brightness(0.5)).toBeLessThan(brightness(1));
    expect(heatColour(-1)).toEqual(heatColour(0));
    expect(heatColour(2)).toEqual(heatColour(1));
  });
});
