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
  BranchPoint,
  CheckpointSummary,
  EpochMetrics,
  FeatureMap,
  LiveChange,
  LossSpike,
  Progress,
  RunState,
  TestInsight,
  WorkerEvent,
} from '../../shared/protocol';
import { LossSpikeDetector } from '../../shared/lossSpikes';
import { parseCheckpoint, positionOf, type TrainingCheckpoint } from '../checkpoint/checkpoint';
import { slotOf, type CheckpointKeeper } from '../checkpoint/checkpointKeeper';
import { snapshot, restoreOptimizerState, type CheckpointPosition } from '../checkpoint/snapshot';
import { IMAGE_SIZE, batchCount, gatherImages, gatherLabels, normalizeIntensities, sequentialOrder } from '../data/batches';
import { archSpecsEqual, convName, type ArchSpec } from '../../shared/arch/archSpec';
import { formatCompactArch } from '../../shared/arch/compactForm';
import {
  createSpecNetwork,
  disposeSpecNetwork,
  initialSpecValues,
  readSpecNetworkValues,
  specForwardWithActivations,
  type SpecNetwork,
} from '../model/specNetwork';
import { SeededRandom, shuffledIndices } from './random';
import { stepLrRate } from '../../shared/stepLr';
import { createOptimizer, type TrainingOptimizer } from './optimizer';
import { InsightCollector } from './testInsight';
import { englishText, errorDetail, type Text } from '../../shared/texts';
import { Throughput, median } from './throughput';
import { classifyOnPool, shareWeights, trainStepOnPool } from '../pool/poolStep';
import type { WorkerPool } from '../pool/workerPool';
import { BufferShelf } from '../memory/bufferShelf';
import type { ReplicaMemory } from '../pool/poolProtocol';

/** A notice: the English and the text. */
const notice = (text: Text, level: 'info' | 'warning' = 'warning') => ({ type: 'notice' as const, level, message: englishText(text), text });

export interface DatasetSplit {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  train: DatasetSplit;
  test: DatasetSplit;
}

/**
 * Test images each worker classifies at a time. On a GPU, enough to keep the device busy. On wasm, few
 * enough that the heap stays small, since a wasm heap never shrinks and a forward pass holds all its
 * intermediate activations (about 0.6 MB an image): 1,000 at a time took the heap to 762 MB, 100 keep
 * evaluation below what a training step of 128 needs, at the same images per second.
 */
const EVAL_ROWS = { gpu: 1000, wasm: 100 } as const;
/** Progress events at most this often (the UI redraws on each). */
const PROGRESS_INTERVAL_MS = 100;
/**
 * Training time (steps only: not pauses, not evaluation) after which the run saves where it stands in
 * the epoch, so that a reload, a crash or a killed worker loses at most this much work.
 */
export const ROLLING_CHECKPOINT_MS = 60_000;

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

/**
 * Where a run's state comes from: fresh weights from the seed (or an import), the run's own checkpoint
 * (Resume, a roll-back), or another run's epoch checkpoint (a branch, whose optimizer starts fresh when
 * the branch changed it).
 */
type RunOrigin =
  | { kind: 'fresh' }
  | { kind: 'resume'; checkpoint: TrainingCheckpoint }
  | { kind: 'branch'; checkpoint: TrainingCheckpoint; freshOptimizer: boolean };

/** One run's state while it trains: what its epochs read and extend, and what a checkpoint saves. */
interface RunContext {
  config: TrainConfig;
  runId: string;
  network: SpecNetwork;
  optimizer: TrainingOptimizer<string>;
  random: SeededRandom;
  /** The checkpoint it continues (a resumed run's own, a branch's parent's), or null for a fresh run. */
  restored: TrainingCheckpoint | null;
  trainCount: number;
  testCount: number;
  throughput: Throughput;
  /** The live settings as the run last applied them; a difference from `liveConfig` is a live change. */
  applied: Record<LiveField, number>;
  history: EpochMetrics[];
  batchLoss: BatchLossPoint[];
  liveChanges: LiveChange[];
  lossSpikes: LossSpike[];
  spikes: LossSpikeDetector;
  step: number;
  lastEvalSeconds: number;
  lastTestAccuracy: number | null;
  lastProgressAt: number;
  unsentLosses: BatchLossPoint[];
  /** The latest state known healthy (the start, then each checkpoint saved): what a first spike pins. */
  lastHealthy: TrainingCheckpoint | null;
  /** Time spent in training steps since the last checkpoint, ms (see ROLLING_CHECKPOINT_MS). */
  trainingSinceCheckpointMs: number;
  /** The wasm workers that share each batch with this one (null: this worker trains alone). */
  pool: WorkerPool | null;
}

/** One pass over the training data. Its losses are read one step behind (see the file's comment). */
interface EpochPass {
  epoch: number;
  order: Uint32Array;
  batchSize: number;
  batches: number;
  firstBatch: number;
  lossSum: number;
  correct: number;
  finishedBatches: number;
  seen: number;
  learningRate: number;
  pending: { result: tf.Tensor1D; step: number; x: number; batch: number } | null;
  /** The first batch whose loss was NaN or infinite. */
  nonFinite: { batch: number; loss: number } | null;
  stepEnds: number[];
  startedAt: number;
}

export class Trainer {
  private state: RunState = 'idle';
  /** The configuration as the UI has it now; the run reads the live fields (lr, epochs) from it. */
  private liveConfig: TrainConfig;
  private stopRequested = false;
  /** Reset arrived during a run: drop the network once the run has ended. */
  private resetRequested = false;
  /** A resume or a roll-back arrived during a run: start it once the run has ended. */
  private afterRun: 'resume' | 'rollBack' | null = null;
  private checkpoints: CheckpointKeeper | null = null;
  /**
   * The roll-back point, pinned at the run's first loss spike (or non-finite loss): the last healthy
   * state before it. Held here as well as in the archive (the run's `rollBack` slot), so a roll-back
   * works without storage too. Kept when the run finishes, so a finished run can still go back.
   */
  private rollBackPoint: TrainingCheckpoint | null = null;
  /** The run launched last: the one a roll-back after a reload looks up the pin of. */
  private lastRunId: string | null = null;
  /** An imported network waits for the next Train, which trains it instead of fresh weights. */
  private continueFromImport = false;
  private resumeRun: (() => void) | null = null;
  private current: SpecNetwork | null = null;
  /** Training steps the current network has taken (BatchNorm's `num_batches_tracked` in PyTorch). */
  private optimizerSteps = 0;
  private pool: WorkerPool | null = null;
  /** Whether `current` has taken at least one optimizer step (a prediction says so). */
  private trained = false;
  /** Arrays for a batch's or an evaluation block's pixels, reused: a new one costs page faults (see bufferShelf.ts). */
  private readonly pixelBuffers = new BufferShelf(4);

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

  /** The pool that shares each batch from the next run on (null: this worker trains alone). */
  setPool(pool: WorkerPool | null): void {
    this.pool = pool;
  }

  /** The pool workers' memory as of their last answers (none without a pool, or before they answered). */
  poolMemory(): ReplicaMemory[] {
    return (this.pool?.memory() ?? []).filter((memory): memory is ReplicaMemory => memory !== null);
  }

  /** Where checkpoints go; null where storage is unavailable (the run then keeps none). */
  setCheckpoints(keeper: CheckpointKeeper | null): void {
    this.checkpoints = keeper;
  }

  start(config: TrainConfig, runId: string): void {
    if (this.state !== 'idle') return; // a second Train click while a run exists changes nothing
    this.liveConfig = config;
    this.rollBackPoint = null;
    this.launch({ ...config }, runId, { kind: 'fresh' });
  }

  /**
   * Starts run `runId` from run `from.runId`'s checkpoint after `from.epoch` epochs, with `config` (the
   * parent's seed and data sizes, the controls' live fields and optimizer). Refused, with the reason and
   * nothing changed, when a run is on or the checkpoint is gone or fails validation.
   */
  async branch(runId: string, from: BranchPoint, config: TrainConfig): Promise<void> {
    const refuse = (text: Text) => this.emit({ type: 'branchRefused', runId, message: englishText(text), text });
    if (this.state !== 'idle') return refuse({ key: 'branch.busy' });
    const outcome = this.checkpoints ? await this.checkpoints.load({ runId: from.runId, slot: 'epoch', epoch: from.epoch }) : { status: 'missing' as const };
    // Checked after the wait: a Train click may have started a run while storage answered.
    if (this.state !== 'idle') return refuse({ key: 'branch.busy' });
    if (outcome.status === 'missing') return refuse({ key: 'branch.gone', epoch: from.epoch });
    if (outcome.status === 'refused') return refuse({ key: 'branch.refused', epoch: from.epoch, problem: outcome.problem });
    const parent = outcome.checkpoint;
    // The weights are the parent's network's: another network cannot start from them.
    if (!archSpecsEqual(parent.config.arch, config.arch)) {
      const problem = { kind: 'otherArch' as const, checkpoint: formatCompactArch(parent.config.arch), wanted: formatCompactArch(config.arch) };
      return refuse({ key: 'branch.refused', epoch: from.epoch, problem });
    }
    const freshOptimizer = parent.config.optimizer !== config.optimizer;
    this.liveConfig = config;
    this.rollBackPoint = null;
    // The branch's past is its parent's up to the branch point; its spikes are its own.
    this.emit({ type: 'restored', runId, config, history: parent.history, batchLoss: parent.batchLoss, liveChanges: parent.liveChanges, lossSpikes: [] });
    // Fresh state only matters where the parent's optimizer had any (not at a run's start).
    if (freshOptimizer && parent.optimizer.step > 0) {
      this.emit(notice({ key: 'branch.freshOptimizer', epoch: from.epoch, from: parent.config.optimizer, to: config.optimizer }, 'info'));
    }
    this.launch(config, runId, { kind: 'branch', checkpoint: parent, freshOptimizer });
  }

  /**
   * Continues the saved run. With a run on, that run ends first. Without a usable checkpoint it says
   * why and does nothing.
   */
  async resumeCheckpoint(): Promise<void> {
    if (this.state !== 'idle') {
      this.afterRun = 'resume';
      this.stop();
      return;
    }
    const outcome = this.checkpoints ? await this.checkpoints.resumePoint() : { status: 'missing' as const };
    if (outcome.status === 'missing') return this.emit(notice({ key: 'checkpoint.nothingToResume' }));
    if (outcome.status === 'refused') return this.emit(notice({ key: 'checkpoint.unusable', problem: outcome.problem, deleted: false }));
    const { checkpoint } = outcome;
    // The run's roll-back point: the one held, or a reloaded page's from the archive.
    const pinned = this.rollBackPoint?.runId === checkpoint.runId ? this.rollBackPoint : await this.loadPin(checkpoint.runId);
    // Checked after the last wait: a Train click may have started a run while storage answered.
    if (this.state !== 'idle') return;
    this.rollBackPoint = pinned;
    this.continueFrom(checkpoint);
  }

  /**
   * Goes back to the roll-back point (else the saved checkpoint) and continues from there with the
   * settings the UI has now. With a run on, that run ends first.
   */
  async rollBack(): Promise<void> {
    if (this.state !== 'idle') {
      this.afterRun = 'rollBack';
      this.stop();
      return;
    }
    const pinned = this.rollBackPoint ?? (this.lastRunId ? await this.loadPin(this.lastRunId) : null);
    if (!pinned) return this.resumeCheckpoint();
    if (this.state !== 'idle') return; // a Train click won the race while storage answered
    this.rollBackPoint = null;
    // The roll-back point becomes where the run stands, saved now: a reload from here on resumes it,
    // not the blown-up state, and its abandoned later checkpoints go. Not awaited, so that nothing can
    // start between this check and the launch; the keeper runs the run's own later saves after these.
    if (this.checkpoints) {
      void this.checkpoints.remove({ runId: pinned.runId, slot: 'rollBack' });
      const now = { ...pinned, savedAt: Date.now() };
      void this.checkpoints.save(now, slotOf(now));
    }
    this.continueFrom(pinned);
  }

  /** The saved run is offered no more; its epochs stay as branch points. */
  async discardCheckpoint(): Promise<void> {
    this.rollBackPoint = null;
    if (this.checkpoints) await this.checkpoints.discard();
    else this.emit({ type: 'checkpoint', summary: null });
  }

  /** Deletes a run's checkpoints (its curves are the page's): it can no longer be branched or resumed. */
  async dropCheckpoints(runId: string): Promise<void> {
    await this.checkpoints?.dropRun(runId);
  }

  /** A run's pinned roll-back point from the archive, or null (none, or unusable). */
  private async loadPin(runId: string): Promise<TrainingCheckpoint | null> {
    const outcome = await this.checkpoints?.load({ runId, slot: 'rollBack' });
    return outcome?.status === 'loaded' ? outcome.checkpoint : null;
  }

  private continueFrom(checkpoint: TrainingCheckpoint): void {
    this.emit({
      type: 'restored',
      runId: checkpoint.runId,
      config: checkpoint.config,
      history: checkpoint.history,
      batchLoss: checkpoint.batchLoss,
      liveChanges: checkpoint.liveChanges,
      lossSpikes: checkpoint.lossSpikes,
    });
    this.launch(checkpoint.config, checkpoint.runId, { kind: 'resume', checkpoint });
  }

  private launch(config: TrainConfig, runId: string, origin: RunOrigin): void {
    this.stopRequested = false;
    this.resetRequested = false;
    this.afterRun = null;
    this.lastRunId = runId;
    this.setState('running');
    this.run(config, runId, origin).catch((error: unknown) => {
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
    this.rollBackPoint = null;
    if (this.state === 'running' || this.state === 'paused') {
      this.resetRequested = true;
      this.stop();
    } else {
      this.dropNetwork();
    }
  }
  /** The network's spec and every tensor of its state (the initial ones of the live seed and network when nothing has been trained or imported). */
  async exportNetwork(): Promise<{ spec: ArchSpec; weights: Map<string, Float32Array>; steps: number }> {
    const network = this.network();
    return { spec: network.spec, weights: await readSpecNetworkValues(network), steps: this.optimizerSteps };
  }

  /**
   * Replaces the network with a checked one (its spec and weights); only without a run. The next Train
   * continues from it (with a fresh optimizer) if the controls name the same network; Reset returns to
   * the seed's initial weights.
   */
  importNetwork(spec: ArchSpec, weights: ReadonlyMap<string, Float32Array>): boolean {
    if (this.state !== 'idle') return false;
    const network = createSpecNetwork(spec, weights);
    if (this.current) disposeSpecNetwork(this.current);
    this.current = network;
    this.trained = true;
    this.optimizerSteps = 0;
    this.continueFromImport = true;
    return true;
  }

  /** The current network, or (before any run) the initial weights of the configured network and seed, made once. */
  private network(): SpecNetwork {
    if (this.current && this.state === 'idle' && !this.trained && !archSpecsEqual(this.current.spec, this.liveConfig.arch)) this.dropNetwork();
    const { arch, seed } = this.liveConfig;
    this.current ??= createSpecNetwork(arch, initialSpecValues(arch, new SeededRandom(seed)));
    return this.current;
  }

  private dropNetwork(): void {
    if (this.current) disposeSpecNetwork(this.current);
    this.current = null;
    this.trained = false;
    this.optimizerSteps = 0;
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
  ): Promise<{ probabilities: number[]; trained: boolean; featureMaps?: FeatureMap[]; network?: ArchSpec }> {
    if (pixels.length !== IMAGE_SIZE) throw new Error(`predict needs ${IMAGE_SIZE} pixels, got ${pixels.length}`);
    const network = this.network();
    const trained = this.trained;
    const [probabilities, ...activations] = tf.tidy(() => {
      const image = tf.tensor4d(normalizeIntensities(pixels), [1, 28, 28, 1]);
      const result = specForwardWithActivations(network, image, { training: false, dropoutRate: 0 });
      return [tf.softmax(result.logits), ...(withFeatureMaps ? result.activations : [])];
    });
    try {
      const values = await probabilities.data();
      const featureMaps = await Promise.all(
        activations.map(async (activation, i): Promise<FeatureMap> => {
          const [, height, width, channels] = activation.shape;
          return { layer: convName(i), height, width, channels, values: (await activation.data()) as Float32Array };
        }),
      );
      return withFeatureMaps ? { probabilities: Array.from(values), trained, featureMaps, network: network.spec } : { probabilities: Array.from(values), trained };
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

  private async run(config: TrainConfig, runId: string, origin: RunOrigin): Promise<void> {
    const run = this.beginRun(config, runId, origin);
    let failed = false;
    try {
      if (origin.kind !== 'resume') await this.saveStart(run);
      for (let epoch = run.restored?.epoch ?? 0; epoch < this.liveConfig.epochs; epoch++) {
        const pass = await this.trainEpoch(run, epoch);
        if (!pass) return;
        await this.finishEpoch(run, pass);
      }
      // A finished run has nothing left to resume; its epochs stay as branch points. (Its roll-back
      // point stays too: a warning on the finished run can still take it back.)
      await this.checkpoints?.markFinished(runId);
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      this.endRun(run, failed);
    }
  }

  /**
   * The state a fresh run or a branch begins from, saved as its epoch checkpoint (epoch 0, or the
   * branch's epoch k in the branch's own name): its first branch point, what a reload right away
   * resumes, and its first roll-back point.
   */
  private async saveStart(run: RunContext): Promise<void> {
    await this.saveCheckpoint(run, 'start', { epoch: run.restored?.epoch ?? 0, batch: 0, order: null, lossSum: 0, correct: 0 });
  }

  /** The weights, optimizer and history a run starts from: fresh from the seed, imported, or a checkpoint's. */
  private beginRun(config: TrainConfig, runId: string, origin: RunOrigin): RunContext {
    const restored = origin.kind === 'fresh' ? null : origin.checkpoint;
    const resumed = origin.kind === 'resume' ? origin.checkpoint : null;
    // A fresh run draws its weights from the seed's stream; a resumed one (or a branch) continues where the stream stood.
    const random = new SeededRandom(restored ? restored.randomState : config.seed);
    // The initial weights are drawn even when an import replaces them, so the data order stays the seed's.
    const initial = restored ? new Map(Object.entries(restored.params)) : initialSpecValues(config.arch, random);
    // An imported network is trained on only where the run asks for that network.
    const fromImport = this.continueFromImport && this.current !== null && !restored && archSpecsEqual(this.current.spec, config.arch);
    this.continueFromImport = false;
    if (this.current && !fromImport) disposeSpecNetwork(this.current);
    const network = fromImport && this.current ? this.current : createSpecNetwork(config.arch, initial);
    this.current = network;
    this.trained = restored !== null || fromImport;
    const optimizer: TrainingOptimizer<string> = createOptimizer(config.optimizer, network.params, {
      lr: config.lr,
      weightDecay: config.weightDecay,
    });
    if (restored && !(origin.kind === 'branch' && origin.freshOptimizer)) restoreOptimizerState(optimizer, restored.optimizer);
    const history = restored ? [...restored.history] : [];
    const batchLoss = restored ? [...restored.batchLoss] : [];
    return {
      config,
      runId,
      network,
      optimizer,
      random,
      restored,
      trainCount: Math.min(config.trainSize, this.data.train.count),
      testCount: Math.min(config.testSize, this.data.test.count),
      throughput: new Throughput(),
      // A branch takes the settings it was given; a resumed run the ones it had.
      applied: resumed ? { ...resumed.applied } : pickLive(config),
      history,
      batchLoss,
      liveChanges: restored ? [...restored.liveChanges] : [],
      lossSpikes: resumed ? [...resumed.lossSpikes] : [],
      spikes: new LossSpikeDetector(batchLoss.map((point) => point.loss)),
      step: restored?.step ?? 0,
      lastEvalSeconds: 0,
      lastTestAccuracy: history.at(-1)?.testAccuracy ?? null,
      lastProgressAt: 0,
      unsentLosses: [],
      lastHealthy: resumed,
      trainingSinceCheckpointMs: 0,
      pool: this.pool,
    };
  }

  /** Trains one epoch's batches; null when the run was stopped during it. */
  private async trainEpoch(run: RunContext, epoch: number): Promise<EpochPass | null> {
    const { restored } = run;
    const resumingMidEpoch = restored !== null && epoch === restored.epoch && restored.order !== null;
    // The batch size is taken per epoch: a DataLoader's batches cannot change size mid-pass.
    if (!resumingMidEpoch) this.takeLiveChanges(run, ['batch'], { step: run.step + 1, epoch, batch: 0, batches: 1 });
    const batchSize = run.applied.batch;
    const firstBatch = resumingMidEpoch ? restored.batch : 0;
    const pass: EpochPass = {
      epoch,
      order: resumingMidEpoch && restored.order ? restored.order : shuffledIndices(run.trainCount, run.random),
      batchSize,
      batches: batchCount(run.trainCount, batchSize),
      firstBatch,
      lossSum: resumingMidEpoch ? restored.lossSum : 0,
      correct: resumingMidEpoch ? restored.correct : 0,
      finishedBatches: firstBatch,
      seen: Math.min(firstBatch * batchSize, run.trainCount),
      learningRate: stepLrRate(run.applied.lr, epoch, run.applied.lrStep, run.applied.lrGamma),
      pending: null,
      nonFinite: null,
      stepEnds: [],
      startedAt: performance.now(),
    };
    const pauseCheckpoint = async () => {
      await this.collect(run, pass);
      if (!pass.nonFinite) await this.saveCheckpoint(run, 'pause', this.positionIn(pass));
    };

    for (let b = firstBatch; b < pass.batches; b++) {
      if (await this.shouldStop(pauseCheckpoint)) {
        await this.collect(run, pass);
        this.progress(run, pass, b, 'train');
        return null;
      }
      const stepStart = performance.now();
      const next = await this.trainBatch(run, pass, b);
      await this.collect(run, pass);
      pass.pending = next;
      const stepEnd = performance.now();
      run.throughput.record(stepEnd, Math.min(pass.batchSize, run.trainCount - b * pass.batchSize));
      pass.stepEnds.push(stepEnd);
      run.trainingSinceCheckpointMs += stepEnd - stepStart;
      if (pass.nonFinite && this.state === 'running') {
        // Read one step behind: the batch named is the one whose loss was not finite.
        this.setState('paused');
        const { batch, loss } = pass.nonFinite;
        const rollBackTo = this.pinRollBackPoint(run);
        this.emit({ type: 'diverged', epoch: epoch + 1, batch, learningRate: pass.learningRate, loss, rollBackTo });
      }
      const now = performance.now();
      if (now - run.lastProgressAt >= PROGRESS_INTERVAL_MS) {
        run.lastProgressAt = now;
        this.progress(run, pass, b + 1, 'train');
      }
      // Not after the epoch's last batch: the epoch's own checkpoint follows it.
      if (run.trainingSinceCheckpointMs >= ROLLING_CHECKPOINT_MS && b + 1 < pass.batches) await this.rollingCheckpoint(run, pass);
    }
    await this.collect(run, pass);
    return pass;
  }

  /** After a minute of training without a checkpoint: where the epoch stands now (a reload loses at most that minute). */
  private async rollingCheckpoint(run: RunContext, pass: EpochPass): Promise<void> {
    await this.collect(run, pass);
    if (!pass.nonFinite) await this.saveCheckpoint(run, 'rolling', this.positionIn(pass));
  }

  /**
   * Takes the live settings, then one optimizer step on batch `b` (spread over the pool when there is
   * one): its [loss, correct], still on the device.
   */
  private async trainBatch(run: RunContext, pass: EpochPass, b: number): Promise<NonNullable<EpochPass['pending']>> {
    const start = b * pass.batchSize;
    const end = Math.min(start + pass.batchSize, run.trainCount);
    run.step += 1;
    this.takeLiveChanges(run, BATCH_LIVE_FIELDS, { step: run.step, epoch: pass.epoch, batch: b + 1, batches: pass.batches });
    pass.learningRate = stepLrRate(run.applied.lr, pass.epoch, run.applied.lrStep, run.applied.lrGamma);
    run.optimizer.options.lr = pass.learningRate;
    run.optimizer.options.weightDecay = run.applied.weightDecay;
    const images = gatherImages(this.data.train.images, pass.order, start, end, this.pixelBuffers.float32((end - start) * IMAGE_SIZE));
    const result = await trainStepOnPool(run.pool, run.network, run.optimizer, {
      images,
      labels: gatherLabels(this.data.train.labels, pass.order, start, end),
      dropoutRate: run.applied.dropout,
      dropoutSeed: run.random.nextUint32(),
    });
    this.pixelBuffers.put([images.buffer]);
    this.trained = true;
    this.optimizerSteps = run.step;
    pass.seen = end;
    return { result, step: run.step, x: pass.epoch + (b + 1) / pass.batches, batch: b + 1 };
  }

  /**
   * Reads the pending batch's [loss, correct] and classifies its loss: a spike gets a warning (and pins
   * the roll-back point), a non-finite loss is noted for the loop to pause at.
   */
  private async collect(run: RunContext, pass: EpochPass): Promise<void> {
    if (!pass.pending) return;
    const { result, step, x, batch } = pass.pending;
    pass.pending = null;
    const [loss, batchCorrect] = await result.data();
    result.dispose();
    pass.lossSum += loss;
    pass.correct += batchCorrect;
    pass.finishedBatches += 1;
    const point = { step, x, loss };
    run.unsentLosses.push(point);
    run.batchLoss.push(point);
    const { kind, median } = run.spikes.observe(loss);
    if (kind === 'nonFinite' && !pass.nonFinite) pass.nonFinite = { batch, loss };
    if (kind === 'spikeStart') {
      const spike: LossSpike = {
        step,
        x,
        epoch: pass.epoch + 1,
        batch,
        loss,
        median,
        learningRate: pass.learningRate,
        rollBackTo: this.pinRollBackPoint(run),
      };
      run.lossSpikes.push(spike);
      this.emit({ type: 'lossSpike', spike });
    }
  }

  /**
   * Pins the run's last healthy state as the roll-back point, once per run (a later spike keeps the
   * first one's: what came after it may be blown up), and says where it is.
   */
  private pinRollBackPoint(run: RunContext): LossSpike['rollBackTo'] {
    if (!this.rollBackPoint && run.lastHealthy) {
      this.rollBackPoint = run.lastHealthy;
      void this.checkpoints?.save(run.lastHealthy, 'rollBack');
    }
    return this.rollBackPoint ? positionOf(this.rollBackPoint) : null;
  }

  /** Evaluates on the test images, reports the epoch's row and saves its checkpoint. */
  private async finishEpoch(run: RunContext, pass: EpochPass): Promise<void> {
    const trainSeconds = (performance.now() - pass.startedAt) / 1000;
    this.progress(run, pass, pass.batches, 'eval');
    const evalStart = performance.now();
    const insight = await this.evaluate(run.network, run.testCount, run.pool);
    const testAccuracy = (100 * correctOf(insight)) / run.testCount;
    const evalSeconds = (performance.now() - evalStart) / 1000;
    run.lastEvalSeconds = evalSeconds;
    run.lastTestAccuracy = testAccuracy;
    const metrics: EpochMetrics = {
      epoch: pass.epoch + 1,
      epochs: this.liveConfig.epochs,
      loss: pass.lossSum / pass.batches,
      trainAccuracy: (100 * pass.correct) / run.trainCount,
      testAccuracy,
      learningRate: pass.learningRate,
      trainSeconds,
      evalSeconds,
      samplesPerSecond: (run.trainCount - pass.firstBatch * pass.batchSize) / trainSeconds,
      // Intervals between step ends, the first left out: with reads one step behind it still carries
      // the first step's kernel compilation (NaN for epochs of fewer than three steps).
      stepMilliseconds: median(pass.stepEnds.slice(2).map((t, i) => t - pass.stepEnds[i + 1])),
    };
    run.history.push(metrics);
    this.emit({ type: 'epoch', metrics, numTensors: tf.memory().numTensors, poolTensors: this.poolMemory().map((m) => m.numTensors), insight });
    if (!pass.nonFinite) await this.saveCheckpoint(run, 'epoch', { epoch: pass.epoch + 1, batch: 0, order: null, lossSum: 0, correct: 0 });
  }

  /** `failed`: the run threw (`launch` reports the error), so it is neither finished nor stopped. */
  private endRun(run: RunContext, failed: boolean): void {
    run.optimizer.dispose();
    if (!failed) {
      this.emit({
        type: 'done',
        reason: this.stopRequested ? 'stopped' : 'finished',
        finalTestAccuracy: run.lastTestAccuracy,
      });
    }
    if (this.resetRequested) this.dropNetwork();
    this.setState('idle');
    const next = this.afterRun;
    this.afterRun = null;
    if (next === 'resume') void this.resumeCheckpoint();
    if (next === 'rollBack') void this.rollBack();
  }

  /** Where a checkpoint taken now, mid-epoch, stands. */
  private positionIn(pass: EpochPass): Omit<CheckpointPosition, 'randomState' | 'step'> {
    return { epoch: pass.epoch, batch: pass.finishedBatches, order: pass.order, lossSum: pass.lossSum, correct: pass.correct };
  }

  private snapshotOf(
    run: RunContext,
    reason: CheckpointSummary['reason'],
    at: Omit<CheckpointPosition, 'randomState' | 'step'>,
  ): Promise<TrainingCheckpoint> {
    return snapshot(run.network, run.optimizer, {
      runId: run.runId,
      reason,
      config: run.config,
      applied: { ...run.applied },
      epochs: this.liveConfig.epochs,
      ...at,
      step: run.step,
      randomState: run.random.currentState,
      history: run.history,
      batchLoss: run.batchLoss,
      liveChanges: run.liveChanges,
      lossSpikes: run.lossSpikes,
    });
  }

  /**
   * Takes the run's state at `at` and, when it is healthy, keeps it as the last healthy state and saves
   * it: an epoch's boundary as that epoch's checkpoint, a point within an epoch as the rolling one.
   */
  private async saveCheckpoint(run: RunContext, reason: CheckpointSummary['reason'], at: Omit<CheckpointPosition, 'randomState' | 'step'>): Promise<void> {
    const checkpoint = await this.snapshotOf(run, reason, at);
    run.trainingSinceCheckpointMs = 0;
    // Weights that are no longer finite (a diverged run resumed anyway) must not replace a good checkpoint.
    if (!parseCheckpoint(checkpoint).ok) return;
    run.lastHealthy = checkpoint;
    await this.checkpoints?.save(checkpoint, slotOf(checkpoint));
  }

  private progress(run: RunContext, pass: EpochPass, batch: number, phase: Progress['phase']): void {
    if (run.unsentLosses.length > 0) this.emit({ type: 'batchLoss', points: run.unsentLosses });
    run.unsentLosses = [];
    this.emitProgress({
      epoch: pass.epoch,
      epochs: this.liveConfig.epochs,
      batch,
      batches: pass.batches,
      phase,
      testImages: run.testCount,
      samplesPerSecond: run.throughput.samplesPerSecond(),
      stepMilliseconds: run.throughput.medianStepMilliseconds(),
      trainRemaining: run.trainCount - pass.seen,
      trainCount: run.trainCount,
      evalSeconds: run.lastEvalSeconds,
      runningLoss: pass.finishedBatches > 0 ? pass.lossSum / pass.finishedBatches : Number.NaN,
      learningRate: pass.learningRate,
    });
  }
  /**
   * Applies the live fields among `fields` whose value in the UI's config differs from `applied`,
   * announcing them as one change at this batch.
   */
  private takeLiveChanges(run: RunContext, fields: readonly LiveField[], at: { step: number; epoch: number; batch: number; batches: number }): void {
    const { applied } = run;
    const live = pickLive(this.liveConfig);
    const changes = fields.filter((field) => live[field] !== applied[field]).map((field) => ({ field, from: applied[field], to: live[field] }));
    if (changes.length === 0) return;
    for (const { field, to } of changes) applied[field] = to;
    const change: LiveChange = {
      step: at.step,
      // A batch-size change lands at the epoch's start; every other change at its batch's loss point.
      x: at.epoch + at.batch / at.batches,
      epoch: at.epoch + 1,
      batch: at.batch,
      changes,
      learningRate: stepLrRate(applied.lr, at.epoch, applied.lrStep, applied.lrGamma),
    };
    run.liveChanges.push(change);
    this.emit({ type: 'liveChange', change });
  }

  /**
   * Classifies the first `count` test images in eval mode (no dropout): the confusion matrix and the
   * mistakes. With a pool, each block is split over its workers as a batch is.
   */
  private async evaluate(network: SpecNetwork, count: number, pool: WorkerPool | null): Promise<TestInsight> {
    const order = sequentialOrder(count);
    const collector = new InsightCollector();
    const blockRows = (tf.getBackend() === 'wasm' ? EVAL_ROWS.wasm : EVAL_ROWS.gpu) * (pool?.size ?? 1);
    if (pool) await shareWeights(pool, network);
    for (let start = 0; start < count; start += blockRows) {
      const end = Math.min(start + blockRows, count);
      const images = gatherImages(this.data.test.images, order, start, end, this.pixelBuffers.float32((end - start) * IMAGE_SIZE));
      const { predicted, confidence } = await classifyOnPool(pool, network, images, end - start);
      this.pixelBuffers.put([images.buffer]);
      collector.add(order.subarray(start, end), gatherLabels(this.data.test.labels, order, start, end), predicted, confidence);
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
