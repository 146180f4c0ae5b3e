/**
 * The pool worker's side of the messages: a single-threaded wasm backend and one PoolReplica, answering
 * one command at a time, in order (the coordinator never sends the next before this one's answer).
 */
import * as tf from '@tensorflow/tfjs';
import '../backends/wasmSetup';
import { wasmBackend } from '../backends/wasmBackendAccess';
import { errorDetail } from '../../shared/texts';
import type { PoolCommand, PoolEvent } from './poolProtocol';
import { PoolReplica } from './poolReplica';

declare const self: DedicatedWorkerGlobalScope;

const post = (event: PoolEvent, transfer: Transferable[] = []) => self.postMessage(event, transfer);

export async function servePool(): Promise<void> {
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
  } catch (error) {
    post({ type: 'failed', id: null, message: errorDetail(error) });
    return;
  }
  const replica = new PoolReplica(() => ({
    numTensors: tf.memory().numTensors,
    heapBytes: wasmBackend(tf.backend(), 'pool').wasm.HEAPU8.length,
  }));
  self.onmessage = (event: MessageEvent<PoolCommand>) => {
    replica
      .answer(event.data)
      .then(({ event: answer, transfer }) => post(answer, transfer))
      .catch((error: unknown) => post({ type: 'failed', id: event.data.id, message: errorDetail(error) }));
  };
  post({ type: 'ready' });
}
