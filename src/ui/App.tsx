import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BackendChoice, TrainConfig } from '../shared/config';
import { stepLrRate } from '../shared/stepLr';
import type { ChartRun, ChartsHandle } from './charts/chartTypes';
import { Charts } from './components/Charts';
import { LiveChanges } from './components/LiveChanges';
import { Controls } from './components/Controls';
import { EpochLog } from './components/EpochLog';
import { Notices } from './components/Notices';
import { ProgressBar } from './components/ProgressBar';
import { StatusPanel } from './components/StatusPanel';
import { formatLossValue, seedPrintout } from './format';
import { DrawingPad } from './drawing/DrawingPad';
import { FeatureMaps } from './featureMaps/FeatureMaps';
import { ConfusionMatrix, type CellSelection } from './insight/ConfusionMatrix';
import { MisclassifiedGallery } from './insight/MisclassifiedGallery';
import { InputPreview, PredictionPanel } from './drawing/PredictionPanel';
import { LanguageSwitch } from './i18n/LanguageSwitch';
import { useI18n } from './i18n/useI18n';
import { renderText } from './i18n/renderText';
import { AdamVsAdamW } from './runs/AdamVsAdamW';
import { ExportMenu } from './runs/ExportMenu';
import { liveChangeText } from './runs/liveChangeText';
import { labelRuns, runDisplayName } from './runs/runLabels';
import { RunsPanel } from './runs/RunsPanel';
import type { RunRecord } from './runs/runTypes';
import { useRuns } from './runs/useRuns';
import { DiagnosticsPanel } from './recovery/DiagnosticsPanel';
import { ModelFilesPanel } from './recovery/ModelFilesPanel';
import { RecoveryPanel } from './recovery/RecoveryPanel';
import { useHashConfig } from './useHashConfig';
import { usePredictor } from './usePredictor';
import { useTrainer } from './useTrainer';

export function App() {
  const { config, notices: configNotices, update, addNotice, dismissNotice: dismissConfigNotice } = useHashConfig();
  const onBackendChange = useCallback((backend: BackendChoice) => update({ backend }), [update]);
  const { view, send, report, retry, dismissNotice: dismissWorkerNotice, failure, dismissFailure } = useTrainer(config, onBackendChange);
  const { runState } = view;
  const ready = view.backend !== null && view.error === null;
  const predictor = usePredictor(view.prediction, send, ready, view.weightsVersion);
  const [galleryFilter, setGalleryFilter] = useState<CellSelection | null>(null);

  const { t, locale, formatPercent } = useI18n();
  const kept = useRuns(view);
  const chartsRef = useRef<ChartsHandle>(null);
  /** Runs still to start, one after the other (Compare Adam vs AdamW), and the ids of those begun. */
  const queue = useRef<{ pending: TrainConfig[]; begun: string[] }>({ pending: [], begun: [] });

  // The worker reads the live fields (learning rate, epochs, …) of whatever config it was sent last.
  useEffect(() => send({ type: 'config', config }), [config, send]);

  const { beginRun, adoptRun, detachCurrent, showOnly } = kept;
  const requestDiagnostics = useCallback(() => send({ type: 'diagnostics' }), [send]);
  const rollBack = useCallback(() => send({ type: 'rollBack' }), [send]);

  // A resumed run continues its own record in the Runs table.
  const { restoredRun } = view;
  useEffect(() => {
    if (restoredRun) adoptRun(restoredRun.runId, restoredRun.config);
  }, [restoredRun, adoptRun]);
  const startRun = useCallback(
    (runConfig: TrainConfig) => {
      const id = beginRun(runConfig);
      send({ type: 'start', config: runConfig, runId: id });
      return id;
    },
    [beginRun, send],
  );

  const onTrainButton = () => {
    if (runState === 'running') send({ type: 'pause' });
    else if (runState === 'paused') send({ type: 'resume' });
    else if (runState === 'idle') {
      queue.current = { pending: [], begun: [] };
      startRun(config);
    }
  };

  const onReset = () => {
    queue.current = { pending: [], begun: [] };
    detachCurrent();
    send({ type: 'reset' });
  };

  // The seed's Adam (its decay, or the seed's 1e-4 if AdamW is selected) against AdamW at 1e-2: the
  // usual decays of each (see the explanation panel). Same seed, so the same initial weights and data order.
  const adamDecay = config.optimizer === 'adam' ? config.weightDecay : 1e-4;
  const adamWDecay = 1e-2;
  const onCompare = () => {
    const adam: TrainConfig = { ...config, optimizer: 'adam', weightDecay: adamDecay };
    const adamW: TrainConfig = { ...config, optimizer: 'adamw', weightDecay: adamWDecay };
    update({ optimizer: adam.optimizer, weightDecay: adam.weightDecay });
    queue.current = { pending: [adamW], begun: [startRun(adam)] };
    showOnly(queue.current.begun);
  };

  // The next queued run starts when the last one has finished; a Stop empties the queue.
  useEffect(() => {
    if (!view.result || runState !== 'idle') return;
    const { pending, begun } = queue.current;
    if (view.result.reason !== 'finished' || pending.length === 0) {
      queue.current.pending = [];
      return;
    }
    const [next, ...rest] = pending;
    update({ optimizer: next.optimizer, weightDecay: next.weightDecay });
    queue.current = { pending: rest, begun: [...begun, startRun(next)] };
    showOnly(queue.current.begun);
  }, [view.result, runState, startRun, update, showOnly]);

  // Labels say what differs: among all kept runs in the table, among the runs shown on the charts.
  const tableLabels = useMemo(() => labelsFor(kept.runs, t.runs.defaultLabel), [kept.runs, t]);
  // Memoized: the charts rebuild their datasets (tens of thousands of points) only when a run's data
  // changes, not on every render (a prediction, a hover).
  const { history, batchLoss, liveChanges, lossSpikes } = view;
  const chartRuns = useMemo((): ChartRun[] => {
    const shownRuns = kept.runs.filter((run) => !run.hidden || run.id === kept.currentId);
    const shownLabels = labelsFor(shownRuns, t.runs.defaultLabel);
    return shownRuns.map((run, i) => {
      const current = run.id === kept.currentId;
      const source = current ? { epochs: history, batchLoss, liveChanges } : run;
      const changeMarkers = source.liveChanges.map((change) => ({ x: change.x, label: liveChangeText(change, t.liveChanges.fields) }));
      // Spikes are the current run's warnings; a kept run's record has its curves and changes only.
      const spikeMarkers = current ? lossSpikes.map((spike) => ({ x: spike.x, label: t.liveChanges.spikeMarker(formatLossValue(spike.loss, locale)), warning: true })) : [];
      return {
        id: run.id,
        label: shownLabels[i],
        current,
        epochs: source.epochs,
        batchLoss: source.batchLoss,
        markers: [...changeMarkers, ...spikeMarkers],
      };
    });
  }, [kept.runs, kept.currentId, history, batchLoss, liveChanges, lossSpikes, t, locale]);
  const currentRun = kept.runs.find((run) => run.id === kept.currentId) ?? null;
  const runExists = runState === 'running' || runState === 'paused';
  const effectiveLearningRate =
    runExists && view.progress ? view.progress.learningRate : stepLrRate(config.lr, 0, config.lrStep, config.lrGamma);

  const finalAccuracy = view.result?.finalTestAccuracy ?? null;
  const epochs = Math.max(config.epochs, view.history.length, ...chartRuns.map((run) => run.epochs.length));
  return (
    <main>
      {/* Above the fold, on one screen: the run's controls and charts beside the drawing pad. */}
      <div className="lab-screen">
        <header className="title-row">
          <div className="title">
            <h1>MNIST Lab</h1>
            <p className="subtitle">{t.app.subtitle(config.batch)}</p>
          </div>
          <LanguageSwitch />
        </header>
        <StatusPanel backend={view.backend} data={view.data} paramCount={view.model?.paramCount ?? null} loading={view.loading} tensorCounts={view.tensorCounts} />
        {view.error && (
          <div className="error" role="alert">
            {/* A data file's message starts with the file's name already. */}
            <strong>{view.error.file ? t.app.dataErrorPrefix : t.app.errorPrefix}</strong>
            {renderText(t, view.error.message)}
            {view.error.file && t.app.dataErrorSuffix}{' '}
            {(view.error.file || view.runState === 'loading') && (
              <button type="button" className="inline-action" onClick={retry}>
                {t.recovery.retry}
              </button>
            )}
          </div>
        )}
        <RecoveryPanel
          runState={runState}
          checkpoint={view.checkpoint}
          checkpointsOff={view.checkpointsOff}
          diverged={view.diverged}
          failure={failure}
          onResume={() => send({ type: 'resumeCheckpoint' })}
          onRollBack={rollBack}
          onDiscard={() => send({ type: 'discardCheckpoint' })}
          onDismissFailure={dismissFailure}
        />
        <Notices
          notices={[...configNotices, ...view.notices]}
          onDismiss={(index) =>
            index < configNotices.length ? dismissConfigNotice(index) : dismissWorkerNotice(index - configNotices.length)
          }
        />
        <div className="workbench">
          <div className="training">
            <Controls
              config={config}
              runConfig={runExists ? (currentRun?.config ?? null) : null}
              runState={runState}
              canTrain={runState === 'idle' && view.error === null}
              effectiveLearningRate={effectiveLearningRate}
              onChange={update}
              onNotice={addNotice}
              onTrainButton={onTrainButton}
              onStop={() => {
                queue.current.pending = [];
                send({ type: 'stop' });
              }}
              onReset={onReset}
              onCompare={onCompare}
              compareHint={t.compare.buttonHint(String(adamDecay), String(adamWDecay))}
            />
            <ProgressBar progress={view.progress} ended={view.result !== null} />
            {view.result && finalAccuracy !== null && (
              <p className="final">
                {view.result.reason === 'stopped' ? t.app.stoppedAccuracy : t.app.finalAccuracy}
                <strong>{formatPercent(finalAccuracy)}</strong>
              </p>
            )}
            <LiveChanges changes={view.liveChanges} spikes={view.lossSpikes} canRollBack={ready} onRollBack={rollBack} />
            <Charts ref={chartsRef} runs={chartRuns} epochs={epochs} />
          </div>
          <section className="try-it" id="try-it" aria-label={t.app.tryItRegion}>
            <h2>{t.app.tryItHeading}</h2>
            <div className="try-it-panels">
              <DrawingPad onChange={predictor.onDrawing} wipeKey={predictor.source.kind === 'test' ? predictor.source.index : undefined} />
              <PredictionPanel
                probabilities={predictor.prediction?.probabilities ?? null}
                trained={predictor.prediction?.trained ?? false}
                hasDrawing={predictor.input !== null}
              />
              <InputPreview input={predictor.input} source={predictor.source} />
            </div>
          </section>
        </div>
      </div>
      {/* Below, as a story: what the network learned, how the runs compare, then the files and the log. */}
      <FeatureMaps maps={predictor.prediction?.featureMaps ?? null} hasInput={predictor.input !== null} />
      {view.insight && (
        <section className="insight" aria-label={t.app.insightRegion}>
          <h2>{t.app.insightHeading(view.history.length)}</h2>
          <div className="insight-panels">
            <ConfusionMatrix insight={view.insight} selected={galleryFilter} onSelect={setGalleryFilter} />
            <MisclassifiedGallery
              insight={view.insight}
              filter={galleryFilter}
              onClearFilter={() => setGalleryFilter(null)}
              pickedIndex={predictor.source.kind === 'test' ? predictor.source.index : null}
              onPick={(example) => {
                predictor.showTestImage(example.pixels, example.index, example.label);
                document.getElementById('try-it')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
              }}
            />
          </div>
        </section>
      )}
      <div className="runs-panels">
        <RunsPanel
          runs={kept.runs}
          labels={tableLabels}
          currentId={kept.currentId}
          persistent={kept.persistent}
          onUpdate={kept.update}
          onDelete={kept.remove}
        />
        <ExportMenu runs={kept.runs} labels={tableLabels} chartPngs={() => chartsRef.current?.pngs() ?? []} />
        <AdamVsAdamW />
      </div>
      <div className="tools-panels">
        <ModelFilesPanel
          modelFile={view.modelFile}
          canExport={ready}
          canImport={ready && runState === 'idle'}
          onExport={() => send({ type: 'exportModel' })}
          onImport={(files) => send({ type: 'importModel', ...files })}
          onRefused={(message, text) => report({ type: 'modelFileRefused', message, text })}
        />
        <DiagnosticsPanel
          diagnostics={view.diagnostics}
          tensorCounts={view.tensorCounts}
          poolTensorCounts={view.poolTensorCounts}
          onRefresh={requestDiagnostics}
          refreshKey={`${runState}-${view.history.length}-${view.backend?.name ?? ''}`}
        />
      </div>
      <div className="log-panels">
        <EpochLog history={view.history} />
        <details className="printout" open>
          <summary>{t.app.printoutSummary}</summary>
          <pre>{seedPrintout(view.backend?.name ?? '…', view.model?.paramCount ?? null, view.history, view.result?.reason === 'finished' ? finalAccuracy : null)}</pre>
        </details>
      </div>
    </main>
  );
}

function labelsFor(runs: readonly RunRecord[], fallback: (n: number) => string): string[] {
  const auto = labelRuns(
    runs.map((run) => run.config),
    fallback,
  );
  return runs.map((run, i) => runDisplayName(run, auto[i]));
}
