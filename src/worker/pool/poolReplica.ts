/**
 * What a pool worker computes: it holds a copy of the network and answers the coordinator's requests
 * for one shard at a time (its gradient share, or its test predictions). It keeps no optimizer and no
 * run: every figure a user sees is the coordinator's. A class, not module state, so tests can run
 * several replicas in one process.
 */
import * as tf from '@tensorflow/tfjs';
import { archSpecsEqual } from '../../shared/arch/archSpec';
import { paramLayouts } from '../../shared/arch/paramLayouts';
import { elementCount } from '../../shared/paramLayout';
import { IMAGE_SIZE } from '../data/batches';
import { createSpecNetwork, disposeSpecNetwork, type SpecNetwork } from '../model/specNetwork';
import { BufferShelf } from '../memory/bufferShelf';
import type { PoolCommand, PoolEvent, ReplicaMemory, WeightArrays } from './poolProtocol';
import { classifyBlock, gradientLength, readShare, shardShare } from './shardStep';

export class PoolReplica {
  private network: SpecNetwork | null = null;
  /** Gradient buffers the coordinator handed back. */
  private readonly spares = new BufferShelf();

  /** @param memory the worker's memory figures (its wasm heap where there is one), sent with each answer */
  constructor(private readonly memory: () => ReplicaMemory) {}

  /** The answer to one command, with the buffers it can move rather than copy. */
  async answer(command: PoolCommand): Promise<{ event: PoolEvent; transfer: ArrayBuffer[] }> {
    const network = this.takeWeights(command.weights);
    const rows = command.images.length / IMAGE_SIZE;
    // Once read into tensors, the command's arrays go back to the coordinator for its next command.
    const spent = [command.images.buffer as ArrayBuffer, ...(command.weights ? [command.weights.values.buffer as ArrayBuffer] : [])];
    if (command.type === 'share') {
      this.spares.put(command.spare);
      spent.push(command.labels.buffer as ArrayBuffer);
      const images = tf.tensor4d(command.images, [rows, 28, 28, 1]);
      const labels = tf.tensor1d(command.labels, 'int32');
      let share;
      try {
        share = shardShare(network, { images, labels, offset: command.offset, total: command.total, dropoutRate: command.dropoutRate, dropoutSeed: command.dropoutSeed });
      } finally {
        tf.dispose([images, labels]);
      }
      const { grads, loss, correct } = await readShare(share, this.spares.float32(gradientLength(network)));
      return {
        event: { type: 'share', id: command.id, grads, loss, correct, spent, ...this.memory() },
        transfer: [grads.buffer as ArrayBuffer, ...spent],
      };
    }
    const { predicted, confidence } = await classifyBlock(network, command.images, rows);
    return {
      event: { type: 'classified', id: command.id, predicted, confidence, spent, ...this.memory() },
      transfer: [predicted.buffer as ArrayBuffer, confidence.buffer as ArrayBuffer, ...spent],
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
      const layouts = paramLayouts(weights.spec);
      const valuesOf = (i: number) => {
        const start = layouts.slice(0, i).reduce((n, layout) => n + elementCount(layout.shape), 0);
        return weights.values.subarray(start, start + elementCount(layouts[i].shape));
      };
      if (current && archSpecsEqual(current.spec, weights.spec)) {
        tf.tidy(() =>
          current.layouts.forEach((layout, i) => {
            const variable = (current.params.get(layout.name) ?? current.buffers.get(layout.name)) as tf.Variable;
            // The wasm backend copies the values into its heap, so `weights.values` can go back at once.
            variable.assign(tf.tensor(valuesOf(i), variable.shape));
          }),
        );
      } else {
        this.dispose();
        // Copies: the network keeps its initial values, and `weights.values` goes back to the coordinator.
        this.network = createSpecNetwork(weights.spec, new Map(layouts.map((layout, i) => [layout.name, valuesOf(i).slice()])));
      }
    }
    if (!this.network) throw new Error('A pool worker was asked to compute before it had weights.');
    return this.network;
  }
}
