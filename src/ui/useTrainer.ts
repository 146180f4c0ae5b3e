import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { BackendChoice } from '../shared/config';
import type { WorkerCommand } from '../shared/protocol';
import { TrainerClient } from './trainerClient';
import { INITIAL_VIEW, trainerReducer } from './trainerState';

/**
 * One worker per backend choice: switching backends starts a fresh worker (tfjs backends do not share
 * tensors, and a clean start is the honest way to measure one).
 */
export function useTrainer(backend: BackendChoice) {
  const [view, dispatch] = useReducer(trainerReducer, INITIAL_VIEW);
  const clientRef = useRef<TrainerClient | null>(null);

  useEffect(() => {
    const client = new TrainerClient(
      (event) => dispatch({ type: 'event', event }),
      (message) => dispatch({ type: 'crashed', message }),
    );
    clientRef.current = client;
    dispatch({ type: 'event', event: { type: 'state', state: 'loading' } });
    client.send({ type: 'init', backend });
    return () => {
      client.terminate();
      clientRef.current = null;
    };
  }, [backend]);

  const send = useCallback((command: WorkerCommand) => {
    if (command.type === 'start' || command.type === 'reset') dispatch({ type: 'runRequested' });
    clientRef.current?.send(command);
  }, []);

  const dismissNotice = useCallback((index: number) => dispatch({ type: 'dismissNotice', index }), []);

  return { view, send, dismissNotice };
}
