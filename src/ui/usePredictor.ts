import { useCallback, useEffect, useRef, useState } from 'react';
import { preprocessDigit, type GrayImage } from '../shared/preprocessDigit';
import type { WorkerCommand } from '../shared/protocol';
import type { TrainerView } from './trainerState';

/** Where the network's current input came from: the pad, or a test image picked from the gallery. */
export type InputSource = { kind: 'drawing' } | { kind: 'test'; index: number; label: number };

/**
 * Turns drawings (and picked test images) into predictions with at most one request in flight: while the worker answers, only
 * the newest drawing waits, so a fast stroke never builds a queue and the last drawing always wins.
 */
export function usePredictor(
  prediction: TrainerView['prediction'],
  send: (command: WorkerCommand) => void,
  ready: boolean,
  /** Changes when the weights have moved enough to ask again about an unchanged input (each epoch). */
  weightsVersion: number,
) {
  const [input, setInput] = useState<Float32Array | null>(null);
  const [source, setSource] = useState<InputSource>({ kind: 'drawing' });
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
      send({ type: 'predict', requestId, pixels, withFeatureMaps: true });
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

  // After an epoch the same input may read differently: ask again, so the panel shows the new weights.
  useEffect(() => {
    if (ready && input) request(input);
    // Only the weights' version should trigger this; input changes are requested where they happen.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [weightsVersion]);

  const onDrawing = useCallback(
    (image: GrayImage | null) => {
      const pixels = image ? preprocessDigit(image) : null;
      setInput(pixels);
      setSource({ kind: 'drawing' });
      if (!pixels) {
        waiting.current = null;
        setValidFrom(nextId.current);
        return;
      }
      if (ready) request(pixels);
    },
    [ready, request],
  );

  /** A test image is already MNIST-style: its intensities go to the network as they are. */
  const showTestImage = useCallback(
    (pixels: Uint8Array, index: number, label: number) => {
      const intensities = Float32Array.from(pixels, (v) => v / 255);
      setInput(intensities);
      setSource({ kind: 'test', index, label });
      if (ready) request(intensities);
    },
    [ready, request],
  );

  const current = input && prediction && prediction.requestId >= validFrom ? prediction : null;
  return { input, source, prediction: current, onDrawing, showTestImage };
}
