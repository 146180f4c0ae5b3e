/**
 * A small seeded generator (mulberry32) for everything random in a run: the per-epoch shuffle, the
 * weight initialization and the dropout seeds. Its whole state is one uint32, so a run can be
 * reproduced from its seed and a checkpoint can store where the stream stands.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** Uniform integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A uint32, e.g. to seed a tfjs random op. */
  nextUint32(): number {
    return Math.floor(this.next() * 2 ** 32) >>> 0;
  }

  get currentState(): number {
    return this.state;
  }
}

/** A fresh Fisher–Yates permutation of 0…n−1 (what `DataLoader(shuffle=True)` draws every epoch). */
export function shuffledIndices(n: number, random: SeededRandom): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}
