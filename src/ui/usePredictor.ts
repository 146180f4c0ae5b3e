import { useCallback, useEffect, useRef, useState } from 'react';
import { preprocessDigit, type GrayImage } from '../shared/preprocessDigit';
import type { WorkerCommand } from '../shared/protocol';
import type { TrainerView } from './trainerState';

/**
 * Turns drawings into predictions with at most one request in flight: while the worker answers, only
 * the newest drawing waits, so a fast stroke never builds a queue and the last drawing always wins.
 */
export function usePredictor(prediction: TrainerView['prediction'], send: (command: WorkerCommand) => void, ready: boolean) {
  const [input, setInput] = useState<Float32Array | null>(null);
  const nextId = useRef(1);
  const inFlight = useRef<number | null>(null);
  const waiting = useRef<Float32Array | null>(null);
  /** Answers to requests older than this belong to a drawing that was cleared. */
  const [validFrom, setValidFrom] = useState(0);

  const request = useCallback(
    (pixels: Float32Array) => {
      if (inFlight.current !== null) {
        waiting.current = pixels;
        return;
      }
      const requestId = nextId.current++;
      inFlight.current = requestId;
      send({ type: 'predict', requestId, pixels });
    },
    [send],
  );

  useEffect(() => {
    if (!prediction || prediction.requestId !== inFlight.current) return;
    inFlight.current = null;
    const next = waiting.current;
    waiting.current = null;
    if (next) request(next);
  }, [prediction, request]);

  // A new worker (another backend) has nothing in flight; ask it about the current drawing.
  useEffect(() => {
    inFlight.current = null;
    if (ready && input) request(input);
    // Only a change of worker readiness should re-send; drawing changes go through onDrawing.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready]);

  const onDrawing = useCallback(
    (image: GrayImage | null) => {
      const pixels = image ? preprocessDigit(image) : null;
      setInput(pixels);
      if (!pixels) {
        waiting.current = null;
        setValidFrom(nextId.current);
        return;
      }
      if (ready) request(pixels);
    },
    [ready, request],
  );

  const current = input && prediction && prediction.requestId >= validFrom ? prediction : null;
  return { input, prediction: current, onDrawing };
}
