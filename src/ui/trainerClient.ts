/**
 * The UI's typed handle on the training worker: the only place that knows the worker's URL, and the
 * only place messages cross the boundary, so both directions are checked against shared/protocol.ts.
 */
import type { WorkerCommand, WorkerEvent } from '../shared/protocol';

export class TrainerClient {
  private readonly worker: Worker;

  constructor(onEvent: (event: WorkerEvent) => void, onCrash: (message: string) => void) {
    this.worker = new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module', name: 'trainer' });
    this.worker.onmessage = (event: MessageEvent<WorkerEvent>) => onEvent(event.data);
    this.worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      onCrash(event.message || 'The training worker failed to load.');
    };
  }

  send(command: WorkerCommand): void {
    this.worker.postMessage(command);
  }

  terminate(): void {
    this.worker.terminate();
  }
}
