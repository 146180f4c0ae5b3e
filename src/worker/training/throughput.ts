/**
 * Training speed over a sliding window of recent batches: steady enough for an ETA, quick to follow a
 * change (a warm-up step, the tab losing the GPU to another one).
 */
const WINDOW = 20;

export class Throughput {
  private readonly times: number[] = [];
  private readonly samples: number[] = [];

  /** A batch of `samples` images finished at `timeMs`. */
  record(timeMs: number, samples: number): void {
    this.times.push(timeMs);
    this.samples.push(samples);
    if (this.times.length > WINDOW + 1) {
      this.times.shift();
      this.samples.shift();
    }
  }

  /** Images per second across the window; 0 until two batches have finished. */
  samplesPerSecond(): number {
    if (this.times.length < 2) return 0;
    const elapsedMs = this.times[this.times.length - 1] - this.times[0];
    // The first entry marks the window's start; its own samples were processed before it.
    const samples = this.samples.slice(1).reduce((a, b) => a + b, 0);
    return elapsedMs > 0 ? (samples * 1000) / elapsedMs : 0;
  }

  /** Median time between batch ends across the window, ms; NaN until two batches have finished. */
  medianStepMilliseconds(): number {
    const steps = this.times.slice(1).map((t, i) => t - this.times[i]);
    return median(steps);
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
