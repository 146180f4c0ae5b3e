/**
 * The training loop: the seed's `train_model`, made interruptible. It owns one run at a time (weights,
 * optimizer, generator), reports through `emit`, and never reads the device synchronously: each step's
 * [loss, correct] is read with `await data()` one step behind, which keeps a GPU's queue one step deep
 * and lets the worker answer Pause and Stop between batches.
 */
import * as tf from '@tensorflow/tfjs';
import type { LiveField, TrainConfig } from '../../shared/config';
import type {
  BatchLossPoint,
  CheckpointSummary,
  EpochMetrics,
  FeatureMap,
  LiveChange,
  Progress,
  RunState,
  TestInsight,
  WorkerEvent,
} from '../../shared/protocol';
import { parseCheckpoint, summarize, type TrainingCheckpoint } from '../checkpoint/checkpoint';
import type { CheckpointStore } from '../checkpoint/checkpointStore';
import { snapshot, restoreOptimizerState, type CheckpointPosition } from '../checkpoint/snapshot';
import { IMAGE_SIZE, batchCount, gatherImages, gatherLabels, normalizeIntensities, sequentialOrder } from '../data/batches';
import {
  CONV_LAYERS,
  createParams,
  disposeParams,
  forward,
  forwardWithActivations,
  initialParamValues,
  type ParamName,
  type Params,
} from '../model/simpleCnn';
import { SeededRandom, shuffledIndices } from './random';
import { stepLrRate } from '../../shared/stepLr';
import { createOptimizer, type TrainingOptimizer } from './optimizer';
import { InsightCollector } from './testInsight';
import { trainStep } from './trainStep';
import { englishText, errorDetail, type Text } from '../../shared/texts';
import { Throughput, median } from './throughput';

/** A warning notice: the English and the text. */
const notice = (text: Text) => ({ type: 'notice' as const, level: 'warning' as const, message: englishText(text), text });

export interface DatasetSplit {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  train: DatasetSplit;
  test: DatasetSplit;
}

/** Images per evaluation batch: large enough to keep the device busy, small enough for any GPU. */
const EVAL_BATCH = 1000;
/** Progress events at most this often (the UI redraws on each). */
const PROGRESS_INTERVAL_MS = 100;

/** Hands control back to the event loop so queued commands (pause, stop, config) are handled. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * A batch loss that means the run has blown up: not finite, or past 1,000. Cross-entropy over ten
 * classes starts near ln 10 ≈ 2.3; a thousand means logits wrong by about a thousand — weights that
 * overflowed — while ReLUs that died on the way can keep the loss itself finite for ever.
 */
export const DIVERGED_LOSS = 1e3;
export function hasDiverged(loss: number): boolean {
  return !Number.isFinite(loss) || loss > DIVERGED_LOSS;
}

const BATCH_LIVE_FIELDS: readonly LiveField[] = ['lr', 'weightDecay', 'lrStep', 'lrGamma', 'dropout'];

function pickLive(config: TrainConfig): Record<LiveField, number> {
  const { lr, weightDecay, lrStep, lrGamma, dropout, batch } = config;
  return { lr, weightDecay, lrStep, lrGamma, dropout, batch };
}

/** Correctly classified images: the confusion matrix's diagonal. */
function correctOf(insight: TestInsight): number {
  let correct = 0;
  for (let digit = 0; digit < 10; digit++) correct += insight.confusion[11 * digit];
  return correct;
}

export class Trainer {
  private state: RunState = 'idle';
  /** The configuration as the UI has it now; the run reads the live fields (lr, epochs) from it. */
  private liveConfig: TrainConfig;
  private stopRequested = false;
  /** Reset arrived during a run: drop the network once the run has ended. */
  private resetRequested = false;
  /** A resume from the checkpoint arrived during a run (a rollback): start it once the run has ended. */
  private resumeAfterRun = false;
  private checkpoints: CheckpointStore | null = null;
  /** An imported network waits for the next Train, which trains it instead of fresh weights. */
  private continueFromImport = false;
  private resumeRun: (() => void) | null = null;
  private params: Params | null = null;
  /** Whether `params` have taken at least one optimizer step (a prediction says so). */
  private trained = false;

  constructor(
    private readonly data: Dataset,
    private readonly emit: (event: WorkerEvent) => void,
    initialConfig: TrainConfig,
  ) {
    this.liveConfig = initialConfig;
  }

  updateConfig(config: TrainConfig): void {
    this.liveConfig = config;
  }

  /** Where checkpoints go; null where storage is unavailable (the run then keeps none). */
  setCheckpointStore(store: CheckpointStore | null): void {
    this.checkpoints = store;
  }

  start(config: TrainConfig, runId: string): void {
    if (this.state !== 'idle') return; // a second Train click while a run exists changes nothing
    this.liveConfig = config;
    this.launch({ ...config }, runId, null);
  }

  /**
   * Continues the saved run. With a run on (a diverged one, being rolled back), that run ends first.
   * Without a usable checkpoint it says why and does nothing.
   */
  async resumeCheckpoint(): Promise<void> {
    if (this.state !== 'idle') {
      this.resumeAfterRun = true;
      this.stop();
      return;
    }
    const stored = await this.checkpoints?.load().catch(() => undefined);
    if (stored === undefined || stored === null) {
      this.emit(notice({ key: 'checkpoint.nothingToResume' }));
      return;
    }
    const parsed = parseCheckpoint(stored);
    if (!parsed.ok) {
      this.emit({ type: 'error', message: parsed.error, text: { key: 'checkpoint.unusable', problem: parsed.problem, deleted: false } });
      return;
    }
    if (this.state !== 'idle') return; // a Train click won the race while the checkpoint loaded
    const { checkpoint } = parsed;
    this.emit({
      type: 'restored',
      runId: checkpoint.runId,
      config: checkpoint.config,
      history: checkpoint.history,
      batchLoss: checkpoint.batchLoss,
      liveChanges: checkpoint.liveChanges,
    });
    this.launch(checkpoint.config, checkpoint.runId, checkpoint);
  }

  async discardCheckpoint(): Promise<void> {
    await this.checkpoints?.clear().catch(() => undefined);
    this.emit({ type: 'checkpoint', summary: null });
  }

  private launch(config: TrainConfig, runId: string, restored: TrainingCheckpoint | null): void {
    this.stopRequested = false;
    this.resetRequested = false;
    this.resumeAfterRun = false;
    this.setState('running');
    this.run(config, runId, restored).catch((error: unknown) => {
      const text: Text = { key: 'training.failed', detail: errorDetail(error) };
      this.emit({ type: 'error', message: englishText(text), text });
      this.setState('idle');
    });
  }

  pause(): void {
    if (this.state === 'running') this.setState('paused');
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.setState('running');
    this.resumeRun?.();
  }

  stop(): void {
    if (this.state !== 'running' && this.state !== 'paused') return;
    this.stopRequested = true;
    this.resumeRun?.();
  }

  /** Ends any run and forgets its network; the next prediction uses fresh weights of the live seed. */
  reset(): void {
    if (this.state === 'running' || this.state === 'paused') {
      this.resetRequested = true;
      this.stop();
    } else {
      this.dropNetwork();
    }
  }

  /** The network's weights (the initial ones of the live seed when nothing has been trained or imported). */
  async exportWeights(): Promise<Map<ParamName, Float32Array>> {
    const weights = new Map<ParamName, Float32Array>();
    for (const [name, variable] of this.network()) weights.set(name, Float32Array.from((await variable.data()) as Float32Array));
    return weights;
  }

  /**
   * Replaces the network with checked weights; only without a run. The next Train continues from them
   * (with a fresh optimizer); Reset returns to the seed's initial weights.
   */
  importWeights(weights: ReadonlyMap<ParamName, Float32Array>): boolean {
    if (this.state !== 'idle') return false;
    const params = createParams(weights);
    if (this.params) disposeParams(this.params);
    this.params = params;
    this.trained = true;
    this.continueFromImport = true;
    return true;
  }

  /** The current network, or (before any run) the initial weights of the configured seed, made once. */
  private network(): Params {
    this.params ??= createParams(initialParamValues(new SeededRandom(this.liveConfig.seed)));
    return this.params;
  }

  private dropNetwork(): void {
    if (this.params) disposeParams(this.params);
    this.params = null;
    this.trained = false;
    this.resetRequested = false;
    this.continueFromImport = false;
  }

  /**
   * Class probabilities for one image with the current weights — between batches when a run is on, the
   * initial weights of the configured seed before any run — and, when asked, the conv blocks' activations.
   */
  async predict(
    pixels: Float32Array,
    withFeatureMaps = false,
  ): Promise<{ probabilities: number[]; trained: boolean; featureMaps?: FeatureMap[] }> {
    if (pixels.length !== IMAGE_SIZE) throw new Error(`predict needs ${IMAGE_SIZE} pixels, got ${pixels.length}`);
    const params = this.network();
    const trained = this.trained;
    const [probabilities, ...activations] = tf.tidy(() => {
      const image = tf.tensor4d(normalizeIntensities(pixels), [1, 28, 28, 1]);
      const result = forwardWithActivations(params, image, { training: false, dropoutRate: 0 });
      const maps = withFeatureMaps ? CONV_LAYERS.map((layer) => result.activations[layer]) : [];
      return [tf.softmax(result.logits), ...maps];
    });
    try {
      const values = await probabilities.data();
      const featureMaps = await Promise.all(
        activations.map(async (activation, i): Promise<FeatureMap> => {
          const [, height, width, channels] = activation.shape;
          return { layer: CONV_LAYERS[i], height, width, channels, values: (await activation.data()) as Float32Array };
        }),
      );
      return { probabilities: Array.from(values), trained, featureMaps: withFeatureMaps ? featureMaps : undefined };
    } finally {
      tf.dispose([probabilities, ...activations]);
    }
  }

  private setState(state: RunState): void {
    this.state = state;
    this.emit({ type: 'state', state });
  }

  /**
   * Waits while paused; true when the run should end. `onPause` runs once when a pause begins (it
   * saves a checkpoint), before the wait.
   */
  private async shouldStop(onPause: () => Promise<void>): Promise<boolean> {
    await yieldToEventLoop();
    if (this.state === 'paused' && !this.stopRequested) await onPause();
    while (this.state === 'paused' && !this.stopRequested) {
      await new Promise<void>((resolve) => (this.resumeRun = resolve));
      this.resumeRun = null;
    }
    return this.stopRequested;
  }

  private async run(config: TrainConfig, runId: string, restored: TrainingCheckpoint | null): Promise<void> {
    // A fresh run draws its weights from the seed's stream; a resumed one continues where the stream stood.
    const random = new SeededRandom(restored ? restored.randomState : config.seed);
    // The initial weights are drawn even when an import replaces them, so the data order stays the seed's.
    const initial = restored ? new Map(Object.entries(restored.params) as [ParamName, Float32Array][]) : initialParamValues(random);
    const fromImport = this.continueFromImport && this.params !== null && !restored;
    this.continueFromImport = false;
    if (this.params && !fromImport) disposeParams(this.params);
    const params = fromImport && this.params ? this.params : createParams(initial);
    this.params = params;
    this.trained = restored !== null || fromImport;
    const optimizer: TrainingOptimizer<ParamName> = createOptimizer(config.optimizer, params, {
      lr: config.lr,
      weightDecay: config.weightDecay,
    });
    if (restored) restoreOptimizerState(optimizer, restored.optimizer);
    const trainCount = Math.min(config.trainSize, this.data.train.count);
    const testCount = Math.min(config.testSize, this.data.test.count);
    const throughput = new Throughput();
    /** The live settings as the run last applied them; a difference from `liveConfig` is a live change. */
    const applied: Record<LiveField, number> = restored ? { ...restored.applied } : pickLive(config);
    const history: EpochMetrics[] = restored ? [...restored.history] : [];
    const batchLoss: BatchLossPoint[] = restored ? [...restored.batchLoss] : [];
    const liveChanges: LiveChange[] = restored ? [...restored.liveChanges] : [];
    const emitChange = (change: LiveChange) => {
      liveChanges.push(change);
      this.emit({ type: 'liveChange', change });
    };
    let step = restored?.step ?? 0;
    let lastEvalSeconds = 0;
    let lastTestAccuracy: number | null = history.at(-1)?.testAccuracy ?? null;
    let lastProgressAt = 0;
    let unsentLosses: BatchLossPoint[] = [];
    let checkpointed = restored !== null;

    const saveCheckpoint = async (reason: CheckpointSummary['reason'], at: Omit<CheckpointPosition, 'randomState'>) => {
      if (!this.checkpoints) return;
      const checkpoint = await snapshot(params, optimizer, {
        runId,
        reason,
        config,
        applied: { ...applied },
        epochs: this.liveConfig.epochs,
        ...at,
        randomState: random.currentState,
        history,
        batchLoss,
        liveChanges,
      });
      // Weights that are no longer finite (a diverged run resumed anyway) must not replace a good checkpoint.
      const valid = parseCheckpoint(checkpoint);
      if (!valid.ok) return;
      try {
        await this.checkpoints.save(checkpoint);
        checkpointed = true;
        this.emit({ type: 'checkpoint', summary: summarize(checkpoint) });
      } catch (error) {
        this.checkpoints = null;
        const detail = errorDetail(error);
        this.emit({ type: 'checkpointsOff', reason: detail, text: { key: 'storage.failed', detail } });
      }
    };

    try {
      for (let epoch = restored?.epoch ?? 0; epoch < this.liveConfig.epochs; epoch++) {
        const resumingMidEpoch = restored !== null && epoch === restored.epoch && restored.order !== null;
        const order = resumingMidEpoch && restored.order ? restored.order : shuffledIndices(trainCount, random);
        const epochStart = performance.now();
        // The batch size is taken per epoch: a DataLoader's batches cannot change size mid-pass.
        if (!resumingMidEpoch) this.takeLiveChanges(applied, ['batch'], { step: step + 1, epoch, batch: 0, batches: 1 }, emitChange);
        const batchSize = applied.batch;
        const batches = batchCount(trainCount, batchSize);
        const firstBatch = resumingMidEpoch ? restored.batch : 0;
        let lossSum = resumingMidEpoch ? restored.lossSum : 0;
        let correct = resumingMidEpoch ? restored.correct : 0;
        let finishedBatches = firstBatch;
        let seen = Math.min(firstBatch * batchSize, trainCount);
        let learningRate = stepLrRate(applied.lr, epoch, applied.lrStep, applied.lrGamma);
        let pending: { result: tf.Tensor1D; step: number; x: number; batch: number } | null = null;
        let diverged: { batch: number; loss: number } | null = null;
        const stepEnds: number[] = [];

        const progress = (batch: number, phase: Progress['phase']) => {
          if (unsentLosses.length > 0) this.emit({ type: 'batchLoss', points: unsentLosses });
          unsentLosses = [];
          this.emitProgress({
            epoch,
            epochs: this.liveConfig.epochs,
            batch,
            batches,
            phase,
            testImages: testCount,
            samplesPerSecond: throughput.samplesPerSecond(),
            stepMilliseconds: throughput.medianStepMilliseconds(),
            trainRemaining: trainCount - seen,
            trainCount,
            evalSeconds: lastEvalSeconds,
            runningLoss: finishedBatches > 0 ? lossSum / finishedBatches : Number.NaN,
            learningRate,
          });
        };
        const collect = async () => {
          if (!pending) return;
          const { result, step: resultStep, x, batch } = pending;
          pending = null;
          const [loss, batchCorrect] = await result.data();
          result.dispose();
          lossSum += loss;
          correct += batchCorrect;
          finishedBatches += 1;
          const point = { step: resultStep, x, loss };
          unsentLosses.push(point);
          batchLoss.push(point);
          if (hasDiverged(loss) && !diverged) diverged = { batch, loss };
        };
        const pauseCheckpoint = async () => {
          await collect();
          if (!diverged) await saveCheckpoint('pause', { epoch, batch: finishedBatches, step, order, lossSum, correct });
        };

        for (let b = firstBatch; b < batches; b++) {
          if (await this.shouldStop(pauseCheckpoint)) {
            await collect();
            progress(b, 'train');
            return;
          }
          const start = b * batchSize;
          const end = Math.min(start + batchSize, trainCount);
          step += 1;
          this.takeLiveChanges(applied, BATCH_LIVE_FIELDS, { step, epoch, batch: b + 1, batches }, emitChange);
          learningRate = stepLrRate(applied.lr, epoch, applied.lrStep, applied.lrGamma);
          optimizer.options.lr = learningRate;
          optimizer.options.weightDecay = applied.weightDecay;
          const images = tf.tensor4d(gatherImages(this.data.train.images, order, start, end), [end - start, 28, 28, 1]);
          const labels = tf.tensor1d(gatherLabels(this.data.train.labels, order, start, end), 'int32');
          let result: tf.Tensor1D;
          try {
            result = trainStep(params, optimizer, {
              images,
              labels,
              dropoutRate: applied.dropout,
              dropoutSeed: random.nextUint32(),
            });
          } finally {
            tf.dispose([images, labels]);
          }
          this.trained = true;
          await collect();
          pending = { result, step, x: epoch + (b + 1) / batches, batch: b + 1 };
          seen = end;
          const stepEnd = performance.now();
          throughput.record(stepEnd, end - start);
          stepEnds.push(stepEnd);

          const found = diverged as { batch: number; loss: number } | null;
          if (found && this.state === 'running') {
            // Read one step behind: the batch named is the one whose loss was not finite.
            this.setState('paused');
            this.emit({ type: 'diverged', epoch: epoch + 1, batch: found.batch, learningRate, loss: found.loss, canRollBack: checkpointed });
          }
          const now = performance.now();
          if (now - lastProgressAt >= PROGRESS_INTERVAL_MS) {
            lastProgressAt = now;
            progress(b + 1, 'train');
          }
        }
        await collect();
        const trainSeconds = (performance.now() - epochStart) / 1000;
        progress(batches, 'eval');

        const evalStart = performance.now();
        const insight = await this.evaluate(params, testCount);
        const testAccuracy = (100 * correctOf(insight)) / testCount;
        const evalSeconds = (performance.now() - evalStart) / 1000;
        lastEvalSeconds = evalSeconds;
        lastTestAccuracy = testAccuracy;

        const metrics: EpochMetrics = {
          epoch: epoch + 1,
          epochs: this.liveConfig.epochs,
          loss: lossSum / batches,
          trainAccuracy: (100 * correct) / trainCount,
          testAccuracy,
          learningRate,
          trainSeconds,
          evalSeconds,
          samplesPerSecond: (trainCount - firstBatch * batchSize) / trainSeconds,
          // Intervals between step ends, the first left out: with reads one step behind it still carries
          // the first step's kernel compilation (NaN for epochs of fewer than three steps).
          stepMilliseconds: median(stepEnds.slice(2).map((t, i) => t - stepEnds[i + 1])),
        };
        history.push(metrics);
        this.emit({ type: 'epoch', metrics, numTensors: tf.memory().numTensors, insight });
        if (!diverged) await saveCheckpoint('epoch', { epoch: epoch + 1, batch: 0, step, order: null, lossSum: 0, correct: 0 });
      }
      // A finished run has nothing left to resume: its checkpoint would only offer an empty Resume.
      await this.checkpoints?.clear().catch(() => undefined);
      if (this.checkpoints) this.emit({ type: 'checkpoint', summary: null });
    } finally {
      optimizer.dispose();
      this.emit({
        type: 'done',
        reason: this.stopRequested ? 'stopped' : 'finished',
        finalTestAccuracy: lastTestAccuracy,
      });
      if (this.resetRequested) this.dropNetwork();
      this.setState('idle');
      if (this.resumeAfterRun) {
        this.resumeAfterRun = false;
        void this.resumeCheckpoint();
      }
    }
  }

  /**
   * Applies the live fields among `fields` whose value in the UI's config differs from `applied`,
   * announcing them as one change at this batch.
   */
  private takeLiveChanges(
    applied: Record<LiveField, number>,
    fields: readonly LiveField[],
    at: { step: number; epoch: number; batch: number; batches: number },
    emitChange: (change: LiveChange) => void,
  ): void {
    const live = pickLive(this.liveConfig);
    const changes = fields.filter((field) => live[field] !== applied[field]).map((field) => ({ field, from: applied[field], to: live[field] }));
    if (changes.length === 0) return;
    for (const { field, to } of changes) applied[field] = to;
    emitChange({
        step: at.step,
        // A batch-size change lands at the epoch's start; every other change at its batch's loss point.
        x: at.epoch + at.batch / at.batches,
        epoch: at.epoch + 1,
        batch: at.batch,
        changes,
        learningRate: stepLrRate(applied.lr, at.epoch, applied.lrStep, applied.lrGamma),
    });
  }

  /** Classifies the first `count` test images in eval mode (no dropout): the confusion matrix and the mistakes. */
  private async evaluate(params: Params, count: number): Promise<TestInsight> {
    const order = sequentialOrder(count);
    const collector = new InsightCollector();
    for (let start = 0; start < count; start += EVAL_BATCH) {
      const end = Math.min(start + EVAL_BATCH, count);
      const labelValues = gatherLabels(this.data.test.labels, order, start, end);
      const [predicted, confidence] = tf.tidy(() => {
        const images = tf.tensor4d(gatherImages(this.data.test.images, order, start, end), [end - start, 28, 28, 1]);
        const probabilities = tf.softmax(forward(params, images, { training: false, dropoutRate: 0 }));
        return [tf.argMax(probabilities, 1), tf.max(probabilities, 1)];
      });
      const [predictedValues, confidenceValues] = await Promise.all([predicted.data(), confidence.data()]);
      tf.dispose([predicted, confidence]);
      collector.add(order.subarray(start, end), labelValues, predictedValues, confidenceValues);
      await yieldToEventLoop();
    }
    return collector.finish(this.data.test.images);
  }

  private emitProgress(p: {
    epoch: number;
    epochs: number;
    batch: number;
    batches: number;
    phase: Progress['phase'];
    testImages: number;
    samplesPerSecond: number;
    stepMilliseconds: number;
    trainRemaining: number;
    trainCount: number;
    evalSeconds: number;
    runningLoss: number;
    learningRate: number;
  }): void {
    const rate = p.samplesPerSecond > 0 ? p.samplesPerSecond : Number.NaN;
    const epochEtaSeconds = p.trainRemaining / rate + p.evalSeconds;
    const laterEpochs = Math.max(0, p.epochs - p.epoch - 1);
    const runEtaSeconds = epochEtaSeconds + laterEpochs * (p.trainCount / rate + p.evalSeconds);
    this.emit({
      type: 'progress',
      progress: {
        epoch: p.epoch + 1,
        epochs: p.epochs,
        batch: p.batch,
        batches: p.batches,
        phase: p.phase,
        testImages: p.testImages,
        samplesPerSecond: p.samplesPerSecond,
        stepMilliseconds: p.stepMilliseconds,
        epochEtaSeconds,
        runEtaSeconds,
        runningLoss: p.runningLoss,
        learningRate: p.learningRate,
      },
    });
  }
}
