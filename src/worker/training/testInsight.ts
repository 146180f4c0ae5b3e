/**
 * Collects what an evaluation pass saw — the confusion matrix and the most confident mistakes — from
 * per-batch predictions. Pure (no tensors), so the bookkeeping is unit-tested on its own.
 */
import type { MisclassifiedExample, TestInsight } from '../../shared/protocol';

/** Mistakes kept for the gallery: enough to browse every confusion cell, little to post (≈ 80 kB). */
export const GALLERY_SIZE = 100;

const PIXELS = 28 * 28;

export class InsightCollector {
  private readonly confusion = new Array<number>(100).fill(0);
  private evaluated = 0;
  private readonly mistakes: { index: number; label: number; predicted: number; confidence: number }[] = [];

  /**
   * One evaluated batch: `indices[i]` is the test-set index of the batch's i-th image, `predicted` its
   * argmax and `confidence` that class's probability.
   */
  add(indices: ArrayLike<number>, labels: ArrayLike<number>, predicted: ArrayLike<number>, confidence: ArrayLike<number>): void {
    if (labels.length !== indices.length || predicted.length !== indices.length || confidence.length !== indices.length) {
      throw new Error('InsightCollector.add: indices, labels, predictions and confidences differ in length');
    }
    for (let i = 0; i < indices.length; i++) {
      const label = labels[i];
      const guess = predicted[i];
      this.confusion[10 * label + guess] += 1;
      if (guess !== label) this.mistakes.push({ index: indices[i], label, predicted: guess, confidence: confidence[i] });
    }
    this.evaluated += indices.length;
  }

  /** The insight, with the gallery's pixels copied out of `testImages` (so the copies can be posted). */
  finish(testImages: Uint8Array, gallerySize = GALLERY_SIZE): TestInsight {
    const sorted = [...this.mistakes].sort((a, b) => b.confidence - a.confidence || a.index - b.index);
    const misclassified: MisclassifiedExample[] = sorted.slice(0, gallerySize).map((m) => ({
      ...m,
      pixels: testImages.slice(m.index * PIXELS, (m.index + 1) * PIXELS),
    }));
    return {
      evaluated: this.evaluated,
      confusion: [...this.confusion],
      misclassifiedCount: this.mistakes.length,
      misclassified,
    };
  }
}
