/** Test data that a few steps can learn, so predictions have margins and runs can be compared exactly. */
import { IMAGE_SIZE } from '../../data/batches';
import { SeededRandom } from '../random';
import type { DatasetSplit } from '../trainer';

/** A learnable toy set: digit d is a bright 6×6 block at one of ten positions, on noise. */
export function toySplit(count: number, seed: number): DatasetSplit {
  const random = new SeededRandom(seed);
  const images = new Uint8Array(count * IMAGE_SIZE);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % 10;
    labels[n] = label;
    const top = 3 + Math.floor(label / 5) * 12;
    const left = 2 + (label % 5) * 5;
    for (let i = 0; i < IMAGE_SIZE; i++) images[n * IMAGE_SIZE + i] = random.nextInt(40);
    for (let y = top; y < top + 6; y++) for (let x = left; x < left + 6; x++) images[n * IMAGE_SIZE + y * 28 + x] = 255;
  }
  return { images, labels, count };
}
