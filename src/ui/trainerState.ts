/**
 * What the page knows about the worker, as a reducer over the worker's events: the UI shows this and
 * nothing else, so buttons always reflect the worker's real state.
 */
import type { ArchSpec } from '../shared/arch/archSpec';
import type { TrainConfig } from '../shared/config';
import type {
  BackendInfo,
  BatchLossPoint,
  CheckpointArchiveView,
  DataFacts,
  EpochMetrics,
  FeatureMap,
  CheckpointSummary,
  Diagnostics,
  LiveChange,
  LossSpike,
  Progress,
  RunState,
  TestInsight,
  WorkerEvent,
} from '../shared/protocol';
import { shown, type Shown } from './i18n/renderText';

export interface TrainerView {
  runState: RunState;
  loading: { message: Shown; fraction: number } | null;
  backend: BackendInfo | null;
  data: DataFacts | null;
  progress: Progress | null;
  history: EpochMetrics[];
  /** The current run's per-batch losses and the live changes it took up. */
  batchLoss: BatchLossPoint[];
  liveChanges: LiveChange[];
  /** The current run's loss spikes: warnings, each with its way back. */
  lossSpikes: LossSpike[];
  /** The worker's tensor count after each epoch. */
  tensorCounts: number[];
  /** Each pool worker's tensor count after each epoch: `poolTensorCounts[epoch][worker]` (empty without a pool). */
  poolTensorCounts: number[][];
  /** Worker texts render in the page's language (./i18n/renderText). */
  notices: Shown[];
  error: { message: Shown; file?: string } | null;
  result: { reason: 'finished' | 'stopped'; finalTestAccuracy: number | null } | null;
  /** The saved checkpoint the worker reported, and why checkpoints are off (null while they work). */
  checkpoint: CheckpointSummary | null;
  checkpointsOff: Shown | null;
  /** Every run's stored checkpoints and the browser's storage figures, as the worker last listed them. */
  archive: CheckpointArchiveView | null;
  /** Runs whose checkpoints were dropped to make room, one list per eviction, until dismissed. */
  evictedRuns: string[][];
  /** The last branch the worker refused to start: its run record never trained. */
  refusedBranch: string | null;
  /** The run paused itself at a non-finite loss. Cleared when it runs again. */
  diverged: Extract<WorkerEvent, { type: 'diverged' }> | null;
  /** A resumed run's identity: the UI's run record continues under this id. */
  restoredRun: { runId: string; config: TrainConfig } | null;
  diagnostics: Diagnostics | null;
  /** Counts changes of the network (an epoch, a Reset, an import, a resume): a prediction is then stale. */
  weightsVersion: number;
  /** The outcome of the last model export or import. */
  modelFile: { kind: 'exported'; fileNames: string[] } | { kind: 'imported'; fileNames: string[] } | { kind: 'refused'; message: Shown } | null;
  /** The last evaluation's confusion matrix and mistakes (refreshed after each epoch). */
  insight: TestInsight | null;
  /** The worker's latest answer to a `predict` command. */
  prediction: {
    requestId: number;
    probabilities: number[];
    trained: boolean;
    featureMaps: FeatureMap[] | null;
    /** The network that made the feature maps. */
    network: ArchSpec | null;
  } | null;
}

export const INITIAL_VIEW: TrainerView = {
  runState: 'loading',
  loading: null,
  backend: null,
  data: null,
  progress: null,
  history: [],
  batchLoss: [],
  liveChanges: [],
  lossSpikes: [],
  tensorCounts: [],
  poolTensorCounts: [],
  notices: [],
  error: null,
  result: null,
  insight: null,
  prediction: null,
  checkpoint: null,
  checkpointsOff: null,
  archive: null,
  evictedRuns: [],
  refusedBranch: null,
  diverged: null,
  restoredRun: null,
  diagnostics: null,
  modelFile: null,
  weightsVersion: 0,
};

/** A view with no run in it: what a new run or a Reset starts from. */
const EMPTY_RUN = {
  history: [],
  batchLoss: [],
  liveChanges: [],
  lossSpikes: [],
  tensorCounts: [],
  poolTensorCounts: [],
  progress: null,
  result: null,
  insight: null,
  diverged: null,
  restoredRun: null,
} satisfies Partial<TrainerView>;

export type ViewAction =
  | { type: 'event'; event: WorkerEvent }
  /** The user asked for a new run, or a Reset: the last run's charts and log make way. */
  | { type: 'runRequested' }
  | { type: 'dismissNotice'; index: number }
  | { type: 'dismissEviction'; index: number }
  | { type: 'crashed'; message: string };

export function trainerReducer(view: TrainerView, action: ViewAction): TrainerView {
  switch (action.type) {
    case 'runRequested':
      return { ...view, ...EMPTY_RUN, error: null, weightsVersion: view.weightsVersion + 1 };
    case 'dismissNotice':
      return { ...view, notices: view.notices.filter((_, i) => i !== action.index) };
    case 'dismissEviction':
      return { ...view, evictedRuns: view.evictedRuns.filter((_, i) => i !== action.index) };
    case 'crashed':
      return { ...view, error: { message: action.message } };
    case 'event':
      return applyEvent(view, action.event);
  }
}

function applyEvent(view: TrainerView, event: WorkerEvent): TrainerView {
  switch (event.type) {
    case 'loading':
      return { ...view, loading: { message: shown(event.message, event.text), fraction: event.fraction } };
    case 'ready':
      // A replacement worker (after a failure) starts clean: the failure is reported separately.
      return { ...view, loading: null, backend: event.backend, data: event.data, error: null };
    case 'notice':
      return { ...view, notices: [...view.notices, shown(event.message, event.text)] };
    case 'state':
      return { ...view, runState: event.state, diverged: event.state === 'running' ? null : view.diverged };
    case 'progress':
      return { ...view, progress: event.progress };
    case 'batchLoss':
      return { ...view, batchLoss: view.batchLoss.concat(event.points) };
    case 'liveChange':
      return { ...view, liveChanges: [...view.liveChanges, event.change] };
    case 'lossSpike':
      return { ...view, lossSpikes: [...view.lossSpikes, event.spike] };
    case 'checkpoint':
      return { ...view, checkpoint: event.summary };
    case 'checkpointsOff':
      return { ...view, checkpointsOff: shown(event.reason, event.text) };
    case 'checkpointArchive':
      return { ...view, archive: event.archive };
    case 'checkpointsEvicted':
      return { ...view, evictedRuns: [...view.evictedRuns, event.runIds] };
    case 'branchRefused':
      return { ...view, notices: [...view.notices, shown(event.message, event.text)], refusedBranch: event.runId };
    case 'diverged':
      return { ...view, diverged: event };
    case 'diagnostics':
      return { ...view, diagnostics: event.diagnostics };
    case 'pong':
      return view;
    case 'modelExported':
      return { ...view, modelFile: { kind: 'exported', fileNames: ['model.json', event.weightsFileName] } };
    case 'pytorchExported':
      return { ...view, modelFile: { kind: 'exported', fileNames: [...event.fileNames] } };
    case 'modelImported':
      return { ...view, modelFile: { kind: 'imported', fileNames: event.fileNames }, weightsVersion: view.weightsVersion + 1 };
    case 'modelFileRefused':
      return { ...view, modelFile: { kind: 'refused', message: shown(event.message, event.text) } };
    case 'restored':
      return {
        ...view,
        ...EMPTY_RUN,
        error: null,
        history: event.history,
        batchLoss: event.batchLoss,
        liveChanges: event.liveChanges,
        lossSpikes: event.lossSpikes,
        restoredRun: { runId: event.runId, config: event.config },
        weightsVersion: view.weightsVersion + 1,
      };
    case 'epoch':
      return {
        ...view,
        history: [...view.history, event.metrics],
        tensorCounts: [...view.tensorCounts, event.numTensors],
        poolTensorCounts: [...view.poolTensorCounts, event.poolTensors],
        insight: event.insight,
        weightsVersion: view.weightsVersion + 1,
      };
    case 'done':
      return { ...view, result: { reason: event.reason, finalTestAccuracy: event.finalTestAccuracy } };
    case 'prediction':
      return {
        ...view,
        prediction: {
          requestId: event.requestId,
          probabilities: event.probabilities,
          trained: event.trained,
          featureMaps: event.featureMaps ?? null,
          network: event.network ?? null,
        },
      };
    case 'error':
      return { ...view, loading: null, error: { message: shown(event.message, event.text), file: event.file } };
  }
}
