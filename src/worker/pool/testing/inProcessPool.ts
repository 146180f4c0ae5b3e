/**
 * Pool workers for tests: each "worker" is a PoolReplica in this process, answering asynchronously over
 * the same messages (structured-cloned, transferred buffers moved, as postMessage does), so the
 * coordinator's code runs unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import type { PoolCommand, PoolEvent } from '../poolProtocol';
import { PoolReplica } from '../poolReplica';
import { WorkerPool, type PoolPort } from '../workerPool';

export interface FakePort extends PoolPort {
  /** Stops answering, as a crashed worker does: no message, no error. */
  crash(): void;
}

export function inProcessPort(): FakePort {
  const replica = new PoolReplica(() => ({ numTensors: tf.memory().numTensors, heapBytes: 0 }));
  let crashed = false;
  const port: FakePort = {
    onmessage: null,
    onerror: null,
    onmessageerror: null,
    postMessage(message: unknown, transfer?: Transferable[] | StructuredSerializeOptions) {
      // Moved as postMessage moves them: the sender's transferred buffers are detached from here on.
      const command = structuredClone(message, { transfer: Array.isArray(transfer) ? transfer : (transfer?.transfer ?? []) }) as PoolCommand;
      void replica.answer(command).then(
        ({ event, transfer: moved }) => deliver(structuredClone(event, { transfer: moved })),
        (error: unknown) => deliver({ type: 'failed', id: command.id, message: String(error) }),
      );
    },
    terminate() {
      crashed = true;
      replica.dispose();
    },
    crash() {
      crashed = true;
    },
  };
  const deliver = (event: PoolEvent) => {
    if (!crashed) port.onmessage?.call(port as unknown as Worker, { data: event } as MessageEvent);
  };
  setTimeout(() => deliver({ type: 'ready' }), 0);
  return port;
}

/** A pool of `size` workers in all (the coordinator and `size − 1` in-process replicas), or null for 1. */
export async function inProcessPool(size: number, ports: FakePort[] = []): Promise<WorkerPool | null> {
  if (size <= 1) return null;
  return WorkerPool.start(size - 1, () => {
    const port = inProcessPort();
    ports.push(port);
    return port;
  });
}
