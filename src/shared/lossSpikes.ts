/**
 * Which batch losses are spikes: a finite loss far above the run's recent ones and worse than a guess
 * (a learning rate too high for where the network is), or a loss that is not a number at all. Pure, so
 * the worker classifies and the tests check the same rule. A spike is only news at the start of an episode: a run that stays up
 * there for twenty batches gets one warning, not twenty, and neither does one that blew up to chance
 * and hovers there, its batch losses dipping just under ln 10 and back over it.
 */

/** A finite loss this many times the recent median is a spike… */
export const SPIKE_FACTOR = 10;
/**
 * …if it is also worse than guessing: over the cross-entropy of a uniform guess among the ten digits,
 * ln 10 ≈ 2.30. The ratio alone fires on noise once a run has learned: the default run's median batch
 * loss falls to about 0.006 by epoch 8, and a batch of 128 with one confidently wrong digit then
 * scores 0.05–0.1 — 24 false warnings in one full run. A rate too high sends the loss to hundreds.
 */
export const SPIKE_FLOOR = Math.log(10);
/** The recent losses the median is taken over… */
export const SPIKE_WINDOW = 50;
/** …once there are at least this many of them (the first batches of a run fall fast and vary). */
export const SPIKE_MIN_HISTORY = 10;
/** An episode ends after this many ordinary losses in a row; a spike after that is news again. */
export const SPIKE_CALM_BATCHES = 10;

export type LossKind =
  /** An ordinary loss, or one inside a spike episode already reported. */
  | 'normal'
  /** The first spike batch of an episode: the one to warn about. */
  | 'spikeStart'
  /** A later batch of the same episode. */
  | 'spike'
  /** NaN or ±∞: nothing can be learned from here on. */
  | 'nonFinite';

export class LossSpikeDetector {
  /** The last SPIKE_WINDOW finite losses, oldest first. */
  private readonly recent: number[];
  /** Ordinary losses since the last spike; an episode lasts while this is under SPIKE_CALM_BATCHES. */
  private calmBatches = Number.POSITIVE_INFINITY;

  /** `history`: the run's finite losses so far (a resumed run picks up where it stood). */
  constructor(history: readonly number[] = []) {
    this.recent = history.filter(Number.isFinite).slice(-SPIKE_WINDOW);
  }

  /**
   * Classifies the next batch's loss and adds it to the history; `median` is what a finite loss was
   * measured against (NaN before SPIKE_MIN_HISTORY losses).
   */
  observe(loss: number): { kind: LossKind; median: number } {
    if (!Number.isFinite(loss)) return { kind: 'nonFinite', median: Number.NaN };
    const reference = this.recent.length >= SPIKE_MIN_HISTORY ? median(this.recent) : Number.NaN;
    const isSpike = loss > SPIKE_FLOOR && loss > SPIKE_FACTOR * reference;
    // Spikes join the window too: a run that settles at a higher loss makes that its new normal.
    this.recent.push(loss);
    if (this.recent.length > SPIKE_WINDOW) this.recent.shift();
    if (!isSpike) {
      this.calmBatches++;
      return { kind: 'normal', median: reference };
    }
    const kind: LossKind = this.calmBatches < SPIKE_CALM_BATCHES ? 'spike' : 'spikeStart';
    this.calmBatches = 0;
    return { kind, median: reference };
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
