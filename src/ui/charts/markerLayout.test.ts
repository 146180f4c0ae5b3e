import { describe, expect, it } from 'vitest';
import { layoutMarkerLabels } from './markerLayout';

describe('layoutMarkerLabels', () => {
  it('starts far-apart labels at the top', () => {
    expect(layoutMarkerLabels([{ px: 10, length: 40 }, { px: 100, length: 40 }], 5)).toEqual([5, 5]);
  });

  it('stacks labels of close lines below each other', () => {
    const ys = layoutMarkerLabels([{ px: 10, length: 40 }, { px: 15, length: 30 }, { px: 18, length: 20 }, { px: 60, length: 10 }], 5, 12, 6);
    expect(ys).toEqual([5, 51, 87, 5]);
  });

  it('handles no markers', () => {
    expect(layoutMarkerLabels([], 0)).toEqual([]);
  });
});
