import { describe, expect, it } from 'vitest';
import { Throughput } from './throughput';

describe('Throughput', () => {
  it('is unknown (0) before two batches', () => {
    const t = new Throughput();
    expect(t.samplesPerSecond()).toBe(0);
    t.record(0, 128);
    expect(t.samplesPerSecond()).toBe(0);
  });

  it('measures images per second between batch ends', () => {
    const t = new Throughput();
    t.record(1000, 128);
    t.record(1500, 128);
    t.record(2000, 128);
    expect(t.samplesPerSecond()).toBeCloseTo(256, 9);
  });

  it('gives the median step time, robust to one slow step', () => {
    const t = new Throughput();
    expect(t.medianStepMilliseconds()).toBeNaN();
    [0, 100, 200, 900, 1000, 1100].forEach((time) => t.record(time, 10));
    expect(t.medianStepMilliseconds()).toBe(100);
  });

  it('follows a change in speed within its window', () => {
    const t = new Throughput();
    for (let i = 0; i <= 30; i++) t.record(i * 100, 100); // 1000/s
    for (let i = 1; i <= 30; i++) t.record(3000 + i * 50, 100); // 2000/s
    expect(t.samplesPerSecond()).toBeCloseTo(2000, 6);
  });
});
