import { describe, expect, it } from 'vitest';
import { LossSpikeDetector, SPIKE_CALM_BATCHES, SPIKE_FLOOR, SPIKE_MIN_HISTORY, SPIKE_WINDOW } from './lossSpikes';

const kinds = (detector: LossSpikeDetector, losses: number[]) => losses.map((loss) => detector.observe(loss).kind);
const steady = (n: number, value = 0.5) => Array.from({ length: n }, (_, i) => value + 0.01 * (i % 3));

describe('LossSpikeDetector', () => {
  it('warns once when a finite loss jumps past ten times the recent median, and once per episode', () => {
    const detector = new LossSpikeDetector();
    expect(kinds(detector, steady(20))).toEqual(Array(20).fill('normal'));
    expect(detector.observe(1040)).toEqual({ kind: 'spikeStart', median: 0.51 });
    expect(kinds(detector, [2e4, 7e9])).toEqual(['spike', 'spike']);
    // Back to normal for a while, then up again: a new episode, a new warning.
    expect(kinds(detector, [...steady(SPIKE_CALM_BATCHES), 40])).toEqual([...Array(SPIKE_CALM_BATCHES).fill('normal'), 'spikeStart']);
  });

  it('gives a run that blew up to chance and hovers there one warning, not one per dip under ln 10', () => {
    // Measured on the dev server: lr 0.1 after epoch 1 sent the loss to 116, then about 2.30 for good.
    const detector = new LossSpikeDetector(steady(SPIKE_WINDOW, 0.2));
    const hovering = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? 2.29 : 2.31));
    const seen = kinds(detector, [116, 3.2, ...hovering]);
    expect(seen.filter((kind) => kind === 'spikeStart')).toHaveLength(1);
    expect(seen[0]).toBe('spikeStart');
  });

  it('ends an episode only after enough ordinary losses in a row', () => {
    const detector = new LossSpikeDetector(steady(SPIKE_WINDOW, 0.5));
    expect(kinds(detector, [40, ...steady(SPIKE_CALM_BATCHES - 1), 40])).toEqual(['spikeStart', ...Array(SPIKE_CALM_BATCHES - 1).fill('normal'), 'spike']);
  });

  it('keeps quiet below the factor and before it has enough history', () => {
    const detector = new LossSpikeDetector();
    // The first batches of a run may fall from 2.3 to 0.3 and jump back: no median to judge them by yet.
    expect(kinds(detector, [2.3, 0.1, 50, ...steady(SPIKE_MIN_HISTORY - 3)])).toEqual(Array(SPIKE_MIN_HISTORY).fill('normal'));
    const calm = new LossSpikeDetector(steady(30, 1));
    expect(calm.observe(9.9).kind).toBe('normal');
    expect(calm.observe(10.5).kind).toBe('spikeStart');
  });

  it("lets a trained run's noise pass: a loss must also be worse than guessing among ten digits", () => {
    // Epochs 8-10 of the default run: a median near 0.006, batches with one confidently wrong digit at 0.09.
    const trained = new LossSpikeDetector(steady(SPIKE_WINDOW, 0.006));
    expect(kinds(trained, [0.09, 0.9, 2.3])).toEqual(['normal', 'normal', 'normal']);
    expect(trained.observe(2.31).kind).toBe('spikeStart');
    expect(SPIKE_FLOOR).toBeCloseTo(2.3026, 4);
  });

  it('calls NaN and infinities non-finite, whatever came before, and leaves them out of the median', () => {
    const detector = new LossSpikeDetector();
    expect(kinds(detector, [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])).toEqual(['nonFinite', 'nonFinite', 'nonFinite']);
    expect(kinds(detector, steady(SPIKE_MIN_HISTORY))).toEqual(Array(SPIKE_MIN_HISTORY).fill('normal'));
    expect(detector.observe(100).kind).toBe('spikeStart');
    expect(detector.observe(Number.NaN).kind).toBe('nonFinite');
  });

  it('takes a run that settles higher as its new normal, over the last fifty losses', () => {
    const detector = new LossSpikeDetector(steady(SPIKE_WINDOW, 0.1));
    expect(detector.observe(30).kind).toBe('spikeStart');
    const settled = kinds(detector, Array(SPIKE_WINDOW).fill(30));
    // Spike batches until thirty-ish sit in the window's upper half; then the median is thirty.
    expect(settled.at(-1)).toBe('normal');
    expect(settled.indexOf('normal')).toBeLessThan(SPIKE_WINDOW / 2 + 1);
  });

  it('continues a resumed run from its stored losses', () => {
    const resumed = new LossSpikeDetector([...steady(SPIKE_WINDOW * 2, 0.2), Number.NaN]);
    expect(resumed.observe(5).kind).toBe('spikeStart');
  });
});
