/**
 * The training loop: the seed's `train_model`, made interruptible. It owns one run at a time (weights,
 * optimizer, generator), reports through `emit`, and never reads the device synchronously: each step's
 * [loss, correct] is read with `await data()` one step behind, which keeps a GPU's queue one step deep
 * and lets the worker answer Pause and Stop between batches.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../../shared/config';
import type { EpochMetrics, FeatureMap, Progress, RunState, TestInsight, WorkerEvent } from '../../shared/protocol';
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
import { stepLrRate } from './stepLr';
import { TORCH_ADAM_DEFAULTS, TorchAdam } from './torchAdam';
import { InsightCollector } from './testInsight';
import { trainStep } from './trainStep';
import { Throughput, median } from './throughput';

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

  start(config: TrainConfig): void {
    if (this.state !== 'idle') return; // a second Train click while a run exists changes nothing
    this.liveConfig = config;
    this.stopRequested = false;
    this.setState('running');
    this.run({ ...config }).catch((error: unknown) => {
      this.emit({ type: 'error', message: `Training failed: ${error instanceof Error ? error.message : String(error)}` });
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

  /**
   * Class probabilities for one image with the current weights — between batches when a run is on, the
   * initial weights of the configured seed before any run — and, when asked, the conv blocks' activations.
   */
  async predict(
    pixels: Float32Array,
    withFeatureMaps = false,
  ): Promise<{ probabilities: number[]; trained: boolean; featureMaps?: FeatureMap[] }> {
    if (pixels.length !== IMAGE_SIZE) throw new Error(`predict needs ${IMAGE_SIZE} pixels, got ${pixels.length}`);
    this.params ??= createParams(initialParamValues(new SeededRandom(this.liveConfig.seed)));
    const params = this.params;
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

  /** Waits while paused; true when the run should end. */
  private async shouldStop(): Promise<boolean> {
    await yieldToEventLoop();
    while (this.state === 'paused' && !this.stopRequested) {
      await new Promise<void>((resolve) => (this.resumeRun = resolve));
      this.resumeRun = null;
    }
    return this.stopRequested;
  }

  private async run(config: TrainConfig): Promise<void> {
    const random = new SeededRandom(config.seed);
    if (this.params) disposeParams(this.params);
    const params = createParams(initialParamValues(random));
    this.params = params;
    this.trained = false;
    const optimizer = new TorchAdam<ParamName>(params, {
      ...TORCH_ADAM_DEFAULTS,
      lr: config.lr,
      weightDecay: config.weightDecay,
    });
    const trainCount = Math.min(config.trainSize, this.data.train.count);
    const testCount = Math.min(config.testSize, this.data.test.count);
    const batches = batchCount(trainCount, config.batch);
    const throughput = new Throughput();
    let lastEvalSeconds = 0;
    let lastTestAccuracy: number | null = null;
    let lastProgressAt = 0;

    try {
      for (let epoch = 0; epoch < this.liveConfig.epochs; epoch++) {
        const order = shuffledIndices(trainCount, random);
        const epochStart = performance.now();
        let lossSum = 0;
        let correct = 0;
        let seen = 0;
        let finishedBatches = 0;
        let learningRate = stepLrRate(this.liveConfig.lr, epoch, config.lrStep, config.lrGamma);
        let pending: tf.Tensor1D | null = null;
        const stepEnds: number[] = [];

        const progress = (batch: number, phase: Progress['phase']) =>
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
          });
        const collect = async (result: tf.Tensor1D) => {
          const [loss, batchCorrect] = await result.data();
          result.dispose();
          lossSum += loss;
          correct += batchCorrect;
          finishedBatches += 1;
        };

        for (let b = 0; b < batches; b++) {
          if (await this.shouldStop()) {
            if (pending) await collect(pending);
            return;
          }
          const start = b * config.batch;
          const end = Math.min(start + config.batch, trainCount);
          learningRate = stepLrRate(this.liveConfig.lr, epoch, config.lrStep, config.lrGamma);
          optimizer.options.lr = learningRate;
          const images = tf.tensor4d(gatherImages(this.data.train.images, order, start, end), [end - start, 28, 28, 1]);
          const labels = tf.tensor1d(gatherLabels(this.data.train.labels, order, start, end), 'int32');
          let result: tf.Tensor1D;
          try {
            result = trainStep(params, optimizer, {
              images,
              labels,
              dropoutRate: config.dropout,
              dropoutSeed: random.nextUint32(),
            });
          } finally {
            tf.dispose([images, labels]);
          }
          this.trained = true;
          if (pending) await collect(pending);
          pending = result;
          seen = end;
          const stepEnd = performance.now();
          throughput.record(stepEnd, end - start);
          stepEnds.push(stepEnd);

          const now = performance.now();
          if (now - lastProgressAt >= PROGRESS_INTERVAL_MS) {
            lastProgressAt = now;
            progress(b + 1, 'train');
          }
        }
        if (pending) await collect(pending);
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
          samplesPerSecond: trainCount / trainSeconds,
          // Intervals between step ends, the first left out: with reads one step behind it still carries
          // the first step's kernel compilation (NaN for epochs of fewer than three steps).
          stepMilliseconds: median(stepEnds.slice(2).map((t, i) => t - stepEnds[i + 1])),
        };
        this.emit({ type: 'epoch', metrics, numTensors: tf.memory().numTensors, insight });
      }
    } finally {
      optimizer.dispose();
      this.emit({
        type: 'done',
        reason: this.stopRequested ? 'stopped' : 'finished',
        finalTestAccuracy: lastTestAccuracy,
      });
      this.setState('idle');
    }
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
      },
    });
  }
}
