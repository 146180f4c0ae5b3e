import { describe, expect, it } from 'vitest';
import { InsightCollector } from './testInsight';

describe('InsightCollector', () => {
  const testImages = Uint8Array.from({ length: 5 * 784 }, (_, i) => Math.floor(i / 784)); // image n is all n

  it('counts true × predicted, keeps the mistakes most confident first, with their pixels', () => {
    const collector = new InsightCollector();
    collector.add([0, 1, 2], [3, 3, 7], [3, 5, 1], [0.9, 0.6, 0.8]);
    collector.add([3, 4], [7, 0], [7, 7], [0.99, 0.6]);
    const insight = collector.finish(testImages);
    expect(insight.evaluated).toBe(5);
    expect(insight.confusion.reduce((a, b) => a + b, 0)).toBe(5);
    expect(insight.confusion[10 * 3 + 3]).toBe(1);
    expect(insight.confusion[10 * 3 + 5]).toBe(1);
    expect(insight.confusion[10 * 7 + 1]).toBe(1);
    expect(insight.confusion[10 * 7 + 7]).toBe(1);
    expect(insight.confusion[10 * 0 + 7]).toBe(1);
    expect(insight.misclassifiedCount).toBe(3);
    // Equal confidence (0.6): the lower test index first, so the gallery is stable.
    expect(insight.misclassified.map((m) => [m.index, m.label, m.predicted])).toEqual([
      [2, 7, 1],
      [1, 3, 5],
      [4, 0, 7],
    ]);
    expect(insight.misclassified[0].pixels).toHaveLength(784);
    expect(new Set(insight.misclassified[0].pixels)).toEqual(new Set([2]));
  });

  it('keeps only the gallery size, but counts every mistake', () => {
    const collector = new InsightCollector();
    collector.add([0, 1, 2, 3, 4], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0], [0.5, 0.7, 0.9, 0.6, 0.8]);
    const insight = collector.finish(testImages, 2);
    expect(insight.misclassifiedCount).toBe(5);
    expect(insight.misclassified.map((m) => m.index)).toEqual([2, 4]);
  });

  it('refuses batches whose arrays differ in length', () => {
    expect(() => new InsightCollector().add([0, 1], [1], [1, 2], [0.5, 0.5])).toThrow('differ in length');
  });
});
