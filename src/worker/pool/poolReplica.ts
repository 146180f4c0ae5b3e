/**
 * What a pool worker computes: it holds a copy of the network and answers the coordinator's requests
 * for one shard at a time (its gradient share, or its test predictions). It keeps no optimizer and no
 * run: every figure a user sees is the coordinator's. A class, not module state, so tests can run
 * several replicas in one process.
 */
import * as tf from '@tensorflow/tfjs';
import { archSpecsEqual } from '../../shared/arch/archSpec';
import { paramLayouts } from '../../shared/arch/paramLayouts';
import { IMAGE_SIZE } from '../data/batches';
import { createSpecNetwork, disposeSpecNetwork, type SpecNetwork } from '../model/specNetwork';
import type { PoolCommand, PoolEvent, ReplicaMemory, WeightArrays } from './poolProtocol';
import { classifyBlock, readShare, shardShare } from './shardStep';

export class PoolReplica {
  private network: SpecNetwork | null = null;

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
    if (this.network) disposeSpecNetwork(this.network);
    this.network = null;
  }

  /** The network to compute with: the weights sent with this command (a new network for a new spec), else the ones it last had. */
  private takeWeights(weights: WeightArrays | null): SpecNetwork {
    if (weights) {
      const current = this.network;
      if (current && archSpecsEqual(current.spec, weights.spec)) {
        tf.tidy(() =>
          current.layouts.forEach((layout, i) => {
            const variable = (current.params.get(layout.name) ?? current.buffers.get(layout.name)) as tf.Variable;
            variable.assign(tf.tensor(weights.values[i], variable.shape));
          }),
        );
      } else {
        this.dispose();
        const names = paramLayouts(weights.spec).map((layout) => layout.name);
        this.network = createSpecNetwork(weights.spec, new Map(names.map((name, i) => [name, weights.values[i]])));
      }
    }
    if (!this.network) throw new Error('A pool worker was asked to compute before it had weights.');
    return this.network;
  }
}
