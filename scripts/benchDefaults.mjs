/**
 * The app's DEFAULT_CONFIG (src/shared/config.ts), for the benchmark: a plain Node script cannot import
 * TypeScript. `benchDefaults.test.ts` fails when the two differ, so this copy cannot drift.
 *
 * @typedef {{ epochs: number, lr: number, optimizer: string, batch: number, backend: string, seed: number,
 *   trainSize: number, testSize: number, weightDecay: number, lrStep: number, lrGamma: number,
 *   dropout: number }} TrainConfig
 */
export const DEFAULT_CONFIG = /** @type {Readonly<TrainConfig>} */ (
  Object.freeze({
    epochs: 10,
    lr: 0.001,
    optimizer: 'adam',
    batch: 128,
    backend: 'auto',
    seed: 0,
    trainSize: 60000,
    testSize: 10000,
    weightDecay: 1e-4,
    lrStep: 7,
    lrGamma: 0.5,
    dropout: 0.25,
  })
);
