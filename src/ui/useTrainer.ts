import type { ArchSpec } from '../shared/arch/archSpec';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { nextBackend } from '../shared/backendFallback';
import type { BackendChoice, BackendName, TrainConfig } from '../shared/config';
import type { WorkerCommand, WorkerEvent } from '../shared/protocol';
import { downloadModelFiles } from './model/modelFiles';
import { downloadBlobs } from './download';
import { pytorchDownloads } from './model/pytorchFiles';
import { TrainerClient } from './trainerClient';
import { INITIAL_VIEW, trainerReducer } from './trainerState';

/** A run's worker is pinged this often; one that has not answered for DEAD_AFTER_MS is taken for dead. */
const PING_INTERVAL_MS = 2_000;
const DEAD_AFTER_MS = 15_000;

export interface WorkerFailure {
  /** What happened, in a sentence. */
  message: string;
  backend: BackendName | null;
  /** The backend the restarted worker uses (a change of backend after a second failure). */
  restartOn: BackendChoice;
}

/**
 * One worker per backend choice and pool size: switching backends starts a fresh worker (tfjs backends
 * do not share tensors, and a clean start is the honest way to measure one), and so does a new count
 * of CPU workers (the pool is the worker's).
 *
 * A worker that dies or stops answering during a run, or whose backend fails mid-run, is replaced and
 * the run resumed from its last checkpoint; after a second failure on the same backend the replacement
 * uses the next backend of the auto order (`onBackendChange`).
 */
export function useTrainer(
  config: TrainConfig,
  onBackendChange: (backend: BackendChoice) => void,
  /** An imported model file's network, for the controls to show (the worker now holds it). */
  onNetworkImported: (arch: ArchSpec) => void,
) {
  const onNetworkImportedRef = useRef(onNetworkImported);
  useEffect(() => {
    onNetworkImportedRef.current = onNetworkImported;
  }, [onNetworkImported]);
  const { backend, workers } = config;
  // A new worker (another backend, or a replacement) must know the live settings before it resumes a run.
  const configRef = useRef(config);
  useEffect(() => {
    configRef.current = config;
  }, [config]);
  const [view, dispatch] = useReducer(trainerReducer, INITIAL_VIEW);
  const [generation, setGeneration] = useState(0);
  const [failure, setFailure] = useState<WorkerFailure | null>(null);
  const clientRef = useRef<TrainerClient | null>(null);
  const viewRef = useRef(view);
  useEffect(() => {
    viewRef.current = view;
  }, [view]);
  /** Failures per backend in the current run, and whether the next ready worker should resume. */
  const failures = useRef(new Map<BackendName, number>());
  const resumeOnReady = useRef(false);
  /** When the worker last said anything (performance.now()); set when a worker starts and on each event. */
  const lastAnswer = useRef(0);

  const fail = useCallback(
    (message: string) => {
      const { backend: info, runState } = viewRef.current;
      const runWasOn = runState === 'running' || runState === 'paused';
      clientRef.current?.terminate();
      clientRef.current = null;
      const name = info?.name ?? null;
      const count = name ? (failures.current.get(name) ?? 0) + 1 : 1;
      if (name) failures.current.set(name, count);
      const fallback = name && count >= 2 ? nextBackend(name, info?.software ?? false) : null;
      // A worker that never became ready would fail again the same way: say so instead of looping.
      if (!name || (count >= 2 && !fallback)) {
        dispatch({ type: 'crashed', message });
        return;
      }
      const restartOn = fallback ?? backend;
      setFailure({ message, backend: name, restartOn });
      resumeOnReady.current = runWasOn;
      if (fallback && fallback !== backend) onBackendChange(fallback);
      else setGeneration((g) => g + 1);
    },
    [backend, onBackendChange],
  );

  useEffect(() => {
    const client = new TrainerClient(
      (event: WorkerEvent) => {
        lastAnswer.current = performance.now();
        if (event.type === 'pong') return;
        if (event.type === 'pytorchExported') downloadBlobs(pytorchDownloads(event.weights, event.run, event.fileNames));
        if (event.type === 'modelExported') downloadModelFiles(event.modelJson, event.weights, event.weightsFileName);
        if (event.type === 'modelImported') onNetworkImportedRef.current(event.arch);
        // A backend that fails under a run (a lost GPU device, a kernel error, a pool worker gone) is a
        // worker failure: the failure notice says what happened and that the run goes on, so the error
        // is not shown a second time as one that stops the page.
        const running = viewRef.current.runState === 'running' || viewRef.current.runState === 'paused';
        if (event.type === 'error' && running && !event.file) {
          fail(event.message);
          return;
        }
        dispatch({ type: 'event', event });
        if (event.type === 'checkpoint' && resumeOnReady.current) {
          resumeOnReady.current = false;
          if (event.summary) client.send({ type: 'resumeCheckpoint' });
          else setFailure((f) => (f ? { ...f, message: `${f.message} There was no checkpoint to resume from.` } : f));
        }
      },
      (message) => fail(message),
    );
    clientRef.current = client;
    lastAnswer.current = performance.now();
    dispatch({ type: 'event', event: { type: 'state', state: 'loading' } });
    client.send({ type: 'init', backend, workers });
    client.send({ type: 'config', config: configRef.current });
    return () => {
      client.terminate();
      if (clientRef.current === client) clientRef.current = null;
    };
  }, [backend, workers, generation, fail]);

  // The watchdog: only while a run exists (idle workers have nothing to lose).
  const runExists = view.runState === 'running' || view.runState === 'paused';
  useEffect(() => {
    if (!runExists) return;
    lastAnswer.current = performance.now();
    const timer = setInterval(() => {
      const step = viewRef.current.progress?.stepMilliseconds ?? 0;
      if (performance.now() - lastAnswer.current > Math.max(DEAD_AFTER_MS, 4 * (Number.isFinite(step) ? step : 0))) {
        fail('The training worker stopped responding.');
        return;
      }
      clientRef.current?.send({ type: 'ping' });
    }, PING_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [runExists, fail]);

  const send = useCallback((command: WorkerCommand) => {
    const newRun = command.type === 'start' || command.type === 'branch';
    if (newRun) {
      failures.current.clear();
      setFailure(null);
    }
    if (newRun || command.type === 'reset') dispatch({ type: 'runRequested' });
    clientRef.current?.send(command);
  }, []);

  const dismissNotice = useCallback((index: number) => dispatch({ type: 'dismissNotice', index }), []);
  const dismissEviction = useCallback((index: number) => dispatch({ type: 'dismissEviction', index }), []);

  /** An event that happened on this side (a file that could not be read), shown like the worker's. */
  const report = useCallback((event: WorkerEvent) => dispatch({ type: 'event', event }), []);

  /** A fresh worker for the same backend: Retry after a data file could not be used. */
  const retry = useCallback(() => setGeneration((g) => g + 1), []);

  return { view, send, report, retry, dismissNotice, dismissEviction, failure, dismissFailure: () => setFailure(null) };
}
