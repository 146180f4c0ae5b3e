/**
 * Messages between the training worker (the pool's coordinator, which also computes the first shard)
 * and each pool worker. Weights travel only when they changed since that worker last had them. Large
 * arrays are transferred, never copied, and return to their sender with the next message the other
 * way (`spent`, `spare`) to be reused: a step allocates no new large buffer (see bufferShelf.ts).
 */

import type { ArchSpec } from '../../shared/arch/archSpec';

/** The name a pool worker is started with: the training worker's script serves both roles by it. */
export const POOL_WORKER_NAME = 'pool';

/** The network to compute with: its spec and every tensor of its state, one after another in `paramLayouts(spec)` order. */
export interface WeightArrays {
  spec: ArchSpec;
  values: Float32Array;
}

export type PoolCommand =
  /** The share of the batch's gradient for rows `offset …` of a batch of `total`. */
  | {
      type: 'share';
      id: number;
      weights: WeightArrays | null;
      /** Normalized pixels, [rows, 28, 28, 1] row-major. */
      images: Float32Array;
      labels: Int32Array;
      offset: number;
      total: number;
      dropoutRate: number;
      dropoutSeed: number;
      /** Gradient buffers this worker sent before, handed back for its next answers. */
      spare: ArrayBuffer[];
    }
  /** Predicted digits and their probabilities for a block of test images, in eval mode. */
  | { type: 'classify'; id: number; weights: WeightArrays | null; images: Float32Array };

/** What a pool worker says of its memory with every answer (its wasm heap never shrinks: this is its peak). */
export interface ReplicaMemory {
  numTensors: number;
  heapBytes: number;
}

/** A shard's share as it crosses between workers: its gradients one after another in parameter order. */
export interface ShareArrays {
  grads: Float32Array;
  loss: number;
  correct: number;
}

/** The buffers of the command answered (its images, labels, weights), handed back for reuse. */
interface Spent {
  spent: ArrayBuffer[];
}

export type PoolEvent =
  | { type: 'ready' }
  | ({ type: 'share'; id: number } & ShareArrays & ReplicaMemory & Spent)
  | ({ type: 'classified'; id: number; predicted: Int32Array; confidence: Float32Array } & ReplicaMemory & Spent)
  | { type: 'failed'; id: number | null; message: string };
