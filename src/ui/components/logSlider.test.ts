import { describe, expect, it } from 'vitest';
import { WEIGHT_DECAY_SLIDER, fromLogSlider, toLogSlider } from './logSlider';

describe('weight-decay slider', () => {
  it('puts 0 at the left end and 1e-6 … 1e-1 on a log scale', () => {
    expect(toLogSlider(0, WEIGHT_DECAY_SLIDER)).toBe(-6.25);
    expect(fromLogSlider(-6.25, WEIGHT_DECAY_SLIDER)).toBe(0);
    expect(fromLogSlider(-6.05, WEIGHT_DECAY_SLIDER)).toBe(0);
    expect(fromLogSlider(-6, WEIGHT_DECAY_SLIDER)).toBe(1e-6);
    expect(fromLogSlider(-4, WEIGHT_DECAY_SLIDER)).toBe(1e-4);
    expect(fromLogSlider(-1, WEIGHT_DECAY_SLIDER)).toBe(0.1);
    expect(fromLogSlider(-2.5, WEIGHT_DECAY_SLIDER)).toBe(0.00316);
  });

  it('round-trips every notch a keyboard reaches', () => {
    for (let position = -6; position <= -1 + 1e-9; position += WEIGHT_DECAY_SLIDER.step) {
      const value = fromLogSlider(position, WEIGHT_DECAY_SLIDER);
      expect(toLogSlider(value, WEIGHT_DECAY_SLIDER)).toBeCloseTo(position, 2);
    }
  });

  it('keeps out-of-range values at the ends', () => {
    expect(toLogSlider(1, WEIGHT_DECAY_SLIDER)).toBe(-1);
    expect(toLogSlider(1e-9, WEIGHT_DECAY_SLIDER)).toBe(-6);
  });
});
