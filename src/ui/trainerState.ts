/**
 * What the page knows about the worker, as a reducer over the worker's events: the UI shows this and
 * nothing else, so buttons always reflect the worker's real state.
 */
import type {
  BackendInfo,
  BatchLossPoint,
  DataFacts,
  EpochMetrics,
  FeatureMap,
  LiveChange,
  ModelFacts,
  Progress,
  RunState,
  TestInsight,
  WorkerEvent,
} from '../shared/protocol';

export interface TrainerView {
  runState: RunState;
  loading: { message: string; fraction: number } | null;
  backend: BackendInfo | null;
  data: DataFacts | null;
  model: ModelFacts | null;
  progress: Progress | null;
  history: EpochMetrics[];
  /** The current run's per-batch losses and the live changes it took up. */
  batchLoss: BatchLossPoint[];
  liveChanges: LiveChange[];
  /** The worker's tensor count after each epoch. */
  tensorCounts: number[];
  notices: string[];
  error: { message: string; file?: string } | null;
  result: { reason: 'finished' | 'stopped'; finalTestAccuracy: number | null } | null;
  /** The last evaluation's confusion matrix and mistakes (refreshed after each epoch). */
  insight: TestInsight | null;
  /** The worker's latest answer to a `predict` command. */
  prediction: { requestId: number; probabilities: number[]; trained: boolean; featureMaps: FeatureMap[] | null } | null;
}

export const INITIAL_VIEW: TrainerView = {
  runState: 'loading',
  loading: null,
  backend: null,
  data: null,
  model: null,
  progress: null,
  history: [],
  batchLoss: [],
  liveChanges: [],
  tensorCounts: [],
  notices: [],
  error: null,
  result: null,
  insight: null,
  prediction: null,
};

/** A view with no run in it: what a new run or a Reset starts from. */
const EMPTY_RUN = {
  history: [],
  batchLoss: [],
  liveChanges: [],
  tensorCounts: [],
  progress: null,
  result: null,
  insight: null,
} satisfies Partial<TrainerView>;

export type ViewAction =
  | { type: 'event'; event: WorkerEvent }
  /** The user asked for a new run, or a Reset: the last run's charts and log make way. */
  | { type: 'runRequested' }
  | { type: 'dismissNotice'; index: number }
  | { type: 'crashed'; message: string };

export function trainerReducer(view: TrainerView, action: ViewAction): TrainerView {
  switch (action.type) {
    case 'runRequested':
      return { ...view, ...EMPTY_RUN, error: null };
    case 'dismissNotice':
      return { ...view, notices: view.notices.filter((_, i) => i !== action.index) };
    case 'crashed':
      return { ...view, error: { message: action.message } };
    case 'event':
      return applyEvent(view, action.event);
  }
}

function applyEvent(view: TrainerView, event: WorkerEvent): TrainerView {
  switch (event.type) {
    case 'loading':
      return { ...view, loading: { message: event.message, fraction: event.fraction } };
    case 'ready':
      return { ...view, loading: null, backend: event.backend, data: event.data, model: event.model };
    case 'notice':
      return { ...view, notices: [...view.notices, event.message] };
    case 'state':
      return { ...view, runState: event.state };
    case 'progress':
      return { ...view, progress: event.progress };
    case 'batchLoss':
      return { ...view, batchLoss: view.batchLoss.concat(event.points) };
    case 'liveChange':
      return { ...view, liveChanges: [...view.liveChanges, event.change] };
    case 'epoch':
      return {
        ...view,
        history: [...view.history, event.metrics],
        tensorCounts: [...view.tensorCounts, event.numTensors],
        insight: event.insight,
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
        },
      };
    case 'error':
      return { ...view, loading: null, error: { message: event.message, file: event.file } };
  }
}
