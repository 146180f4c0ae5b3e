/**
 * What a pool worker computes: it holds a copy of the network's weights and answers the coordinator's
 * requests for one shard at a time (its gradient share, or its test predictions). It keeps no optimizer
 * and no run: every figure a user sees is the coordinator's. A class, not module state, so tests can run
 * several replicas in one process.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE } from '../data/batches';
import { PARAM_NAMES, PARAM_SHAPES, createParams, disposeParams, type ParamName, type Params } from '../model/simpleCnn';
import type { PoolCommand, PoolEvent, ReplicaMemory, WeightArrays } from './poolProtocol';
import { classifyBlock, readShare, shardShare } from './shardStep';

export class PoolReplica {
  private params: Params | null = null;

  /** @param memory the worker's memory figures (its wasm heap where there is one), sent with each answer */
  constructor(private readonly memory: () => ReplicaMemory) {}

  /** The answer to one command, with the buffers it can move rather than copy. */
  async answer(command: PoolCommand): Promise<{ event: PoolEvent; transfer: ArrayBuffer[] }> {
    const network = this.takeWeights(command.weights);
    const rows = command.images.length / IMAGE_SIZE;
    if (command.type === 'share') {
      const images = tf.tensor4d(command.images, [rows, 28, 28, 1]);
      const labels = tf.tensor1d(command.labels, 'int32');
      let share;
      try {
        share = shardShare(network, { images, labels, offset: command.offset, total: command.total, dropoutRate: command.dropoutRate, dropoutSeed: command.dropoutSeed });
      } finally {
        tf.dispose([images, labels]);
      }
      const { grads, loss, correct } = await readShare(share);
      return {
        event: { type: 'share', id: command.id, grads, loss, correct, ...this.memory() },
        transfer: grads.map((grad) => grad.buffer as ArrayBuffer),
      };
    }
    const { predicted, confidence } = await classifyBlock(network, command.images, rows);
    return {
      event: { type: 'classified', id: command.id, predicted, confidence, ...this.memory() },
      transfer: [predicted.buffer as ArrayBuffer, confidence.buffer as ArrayBuffer],
    };
  }

  dispose(): void {
    if (this.params) disposeParams(this.params);
    this.params = null;
  }

  /** The network to compute with: the weights sent with this command, else the ones it last had. */
  private takeWeights(weights: WeightArrays | null): Params {
    if (weights) {
      const current = this.params;
      if (!current) this.params = createParams(new Map(PARAM_NAMES.map((name, i) => [name, weights[i]] as [ParamName, Float32Array])));
      else tf.tidy(() => PARAM_NAMES.forEach((name, i) => (current.get(name) as tf.Variable).assign(tf.tensor(weights[i], [...PARAM_SHAPES[name]]))));
    }
    if (!this.params) throw new Error('A pool worker was asked to compute before it had weights.');
    return this.params;
  }
}
