import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { analyzeArch } from '../shared/arch/analysis';
import { archSpecsEqual, type ArchSpec } from '../shared/arch/archSpec';
import { paramLayouts } from '../shared/arch/paramLayouts';
import { archiveBytes } from '../shared/checkpointIndex';
import type { BackendChoice, TrainConfig } from '../shared/config';
import type { BranchPoint, MisclassifiedExample } from '../shared/protocol';
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
import { InsightSection, type EpochInsight } from './insight/InsightSection';
import { InputPreview, PredictionPanel } from './drawing/PredictionPanel';
import { LanguageSwitch } from './i18n/LanguageSwitch';
import { useI18n } from './i18n/useI18n';
import { renderText } from './i18n/renderText';
import { ArchEditor } from './arch/ArchEditor';
import { AdamVsAdamW } from './runs/AdamVsAdamW';
import { BranchMenu } from './runs/BranchMenu';
import { archiveByRun, branchOffers } from './runs/branchPoints';
import { ExportMenu } from './runs/ExportMenu';
import { liveChangeText } from './runs/liveChangeText';
import { RunsPanel } from './runs/RunsPanel';
import { branchChartData, branchConfig, runTreeLabels, runTreeRows, settingsAtEpoch } from './runs/runTree';
import { askPersistenceOnce, isPersisted } from './runs/storagePersistence';
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
  const onNetworkImported = useCallback((arch: ArchSpec) => update({ arch }), [update]);
  const { view, send, report, retry, dismissNotice: dismissWorkerNotice, dismissEviction, failure, dismissFailure } = useTrainer(
    config,
    onBackendChange,
    onNetworkImported,
  );
  const { runState } = view;
  const ready = view.backend !== null && view.error === null;
  const predictor = usePredictor(view.prediction, send, ready, view.weightsVersion);

  const { t, locale, formatPercent } = useI18n();
  const kept = useRuns(view);
  const chartsRef = useRef<ChartsHandle>(null);
  /** Runs still to start, one after the other (Compare Adam vs AdamW), and the runs the charts show meanwhile. */
  const queue = useRef<{ pending: Launch[]; shown: string[] }>({ pending: [], shown: [] });
  /** The kept run the epoch log shows, when the user chose one; else the current run (or the newest). */
  const [logRunId, setLogRunId] = useState<string | null>(null);
  /** Whether the browser keeps the checkpoints persistently (asked once, when a run first starts). */
  const [persisted, setPersisted] = useState<boolean | null>(null);
  useEffect(() => {
    let live = true;
    void isPersisted().then((value) => live && setPersisted(value));
    return () => {
      live = false;
    };
  }, []);

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
  const launch = useCallback(
    ({ config: runConfig, parent }: Launch) => {
      const id = beginRun(runConfig, parent);
      if (parent) send({ type: 'branch', runId: id, from: parent, config: runConfig });
      else send({ type: 'start', config: runConfig, runId: id });
      setLogRunId(null);
      // The first run is when the page starts to store megabytes of checkpoints.
      void askPersistenceOnce().then(setPersisted);
      return id;
    },
    [beginRun, send],
  );

  const onTrainButton = () => {
    if (runState === 'running') send({ type: 'pause' });
    else if (runState === 'paused') send({ type: 'resume' });
    else if (runState === 'idle') {
      queue.current = { pending: [], shown: [] };
      launch({ config, parent: null });
    }
  };

  const onReset = () => {
    queue.current = { pending: [], shown: [] };
    detachCurrent();
    send({ type: 'reset' });
  };

  // Runs as a tree: labels say what differs (a root from the other roots, a branch from its parent's
  // settings at its branch point), the same in the table, on the charts and in the log's menu.
  const labels = useMemo(() => runTreeLabels(kept.runs, t.runs.defaultLabel), [kept.runs, t]);
  const archived = useMemo(() => archiveByRun(view.archive?.entries ?? []), [view.archive]);
  const offer = useMemo(() => branchOffers(kept.runs, archived), [kept.runs, archived]);
  const canBranch = runState === 'idle' && view.error === null;

  /** A branch's settings: the owner's at the branch point, with the controls' (and `overrides`) for what a branch may change. */
  const branchSettings = (from: BranchPoint, overrides: Partial<TrainConfig> = {}): TrainConfig | null => {
    const owner = kept.runs.find((run) => run.id === from.runId);
    return owner ? branchConfig(settingsAtEpoch(owner, from.epoch), { ...config, ...overrides }) : null;
  };
  const onBranch = (from: BranchPoint) => {
    const runConfig = branchSettings(from);
    if (!runConfig || !canBranch) return;
    queue.current = { pending: [], shown: [] };
    launch({ config: runConfig, parent: from });
  };

  // The seed's Adam (its decay, or the seed's 1e-4 if AdamW is selected) against AdamW at 1e-2: the
  // usual decays of each (see the explanation panel). Two branches from the same point: from a chosen
  // epoch, or from epoch 0 — Adam from fresh weights, AdamW branched from Adam's initial weights (the
  // same weights and data order; without checkpoints, a second fresh run from the same seed is that).
  const adamDecay = config.optimizer === 'adam' ? config.weightDecay : 1e-4;
  const adamWDecay = 1e-2;
  const onCompare = (from: BranchPoint | null) => {
    const adamSettings: Partial<TrainConfig> = { optimizer: 'adam', weightDecay: adamDecay };
    const adamWSettings: Partial<TrainConfig> = { optimizer: 'adamw', weightDecay: adamWDecay };
    if (from) {
      const adam = branchSettings(from, adamSettings);
      const adamW = branchSettings(from, adamWSettings);
      if (!adam || !adamW || !canBranch) return;
      update(adamSettings);
      queue.current = { pending: [{ config: adamW, parent: from }], shown: [from.runId] };
      queue.current.shown.push(launch({ config: adam, parent: from }));
    } else {
      const adam = { ...config, ...adamSettings };
      update(adamSettings);
      const first = launch({ config: adam, parent: null });
      const adamW = { ...config, ...adamWSettings };
      queue.current = { pending: [{ config: view.checkpointsOff ? adamW : branchConfig(adam, adamW), parent: view.checkpointsOff ? null : { runId: first, epoch: 0 } }], shown: [first] };
    }
    showOnly(queue.current.shown);
  };

  // The next queued run starts when the last one has finished; a Stop empties the queue.
  useEffect(() => {
    if (!view.result || runState !== 'idle') return;
    const { pending, shown } = queue.current;
    if (view.result.reason !== 'finished' || pending.length === 0) {
      queue.current.pending = [];
      return;
    }
    const [next, ...rest] = pending;
    update({ optimizer: next.config.optimizer, weightDecay: next.config.weightDecay });
    queue.current = { pending: rest, shown: [...shown, launch(next)] };
    showOnly(queue.current.shown);
  }, [view.result, runState, launch, update, showOnly]);

  // A branch the worker refused never trained: its record goes (the parent's curves were never touched).
  const { refusedBranch } = view;
  const { remove } = kept;
  useEffect(() => {
    if (!refusedBranch) return;
    queue.current.pending = [];
    remove(refusedBranch);
  }, [refusedBranch, remove]);

  // Memoized: the charts rebuild their datasets (tens of thousands of points) only when a run's data
  // changes, not on every render (a prediction, a hover). A branch is drawn from its branch point on.
  const { history, batchLoss, liveChanges, lossSpikes } = view;
  const chartRuns = useMemo((): ChartRun[] => {
    const shownRuns = kept.runs.filter((run) => !run.hidden || run.id === kept.currentId);
    return shownRuns.map((run) => {
      const current = run.id === kept.currentId;
      const drawn = branchChartData(current ? { epochs: history, batchLoss, liveChanges } : run, run.parent, kept.runs);
      const changeMarkers = drawn.liveChanges.map((change) => ({ x: change.x, label: liveChangeText(change, t.liveChanges.fields) }));
      // Spikes are the current run's warnings; a kept run's record has its curves and changes only.
      const spikeMarkers = current ? lossSpikes.map((spike) => ({ x: spike.x, label: t.liveChanges.spikeMarker(formatLossValue(spike.loss, locale)), warning: true })) : [];
      return {
        id: run.id,
        label: labels.get(run.id) ?? run.id,
        current,
        epochs: drawn.epochs,
        batchLoss: drawn.batchLoss,
        markers: [...changeMarkers, ...spikeMarkers],
        joinedAt: drawn.joinedAt,
        batchesFrom: drawn.batchesFrom,
      };
    });
  }, [kept.runs, kept.currentId, history, batchLoss, liveChanges, lossSpikes, labels, t, locale]);

  // The epoch log: the run chosen in its menu, else the current run, else the newest kept run.
  const logRun = kept.runs.find((run) => run.id === (logRunId ?? kept.currentId)) ?? kept.runs.at(-1) ?? null;
  const logHistory = logRun && logRun.id !== kept.currentId ? logRun.epochs : view.history;
  const logParent = logRun?.parent;

  // The notices: the URL parser's, the worker's, then the page's own about evicted checkpoints.
  const evictionNotices = view.evictedRuns.map((runIds) => t.runs.evicted(t.runs.joinNames(runIds.map((id) => labels.get(id) ?? t.runs.unknownRun))));
  const workerNoticesFrom = configNotices.length;
  const evictionNoticesFrom = workerNoticesFrom + view.notices.length;
  const currentRun = kept.runs.find((run) => run.id === kept.currentId) ?? null;
  const runExists = runState === 'running' || runState === 'paused';
  // The network a run trains, else the one the next Train builds.
  const shownArch = runExists && currentRun ? currentRun.config.arch : config.arch;
  const effectiveLearningRate =
    runExists && view.progress ? view.progress.learningRate : stepLrRate(config.lr, 0, config.lrStep, config.lrGamma);

  // The insight section renders after the rest of an epoch's results, at low priority (InsightSection.tsx).
  const epochInsight = useMemo((): EpochInsight | null => view.insight && { insight: view.insight, epoch: view.history.length }, [view.insight, view.history.length]);
  const shownInsight = useDeferredValue(epochInsight);
  const { showTestImage } = predictor;
  const showMistake = useCallback(
    (example: MisclassifiedExample) => {
      showTestImage(example.pixels, example.index, example.label);
      document.getElementById('try-it')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
    },
    [showTestImage],
  );

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
        <StatusPanel backend={view.backend} data={view.data} arch={shownArch} loading={view.loading} tensorCounts={view.tensorCounts} />
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
          notices={[...configNotices, ...view.notices, ...evictionNotices]}
          onDismiss={(index) => {
            if (index < workerNoticesFrom) dismissConfigNotice(index);
            else if (index < evictionNoticesFrom) dismissWorkerNotice(index - workerNoticesFrom);
            else dismissEviction(index - evictionNoticesFrom);
          }}
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
              onCompare={() => onCompare(null)}
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
            <Charts
              ref={chartsRef}
              runs={chartRuns}
              epochs={epochs}
              pointMenu={
                view.archive
                  ? ({ runId, epoch }, close) => (
                      <BranchMenu
                        epoch={epoch}
                        from={offer(runId, epoch)}
                        enabled={canBranch}
                        onBranch={(from) => {
                          close();
                          onBranch(from);
                        }}
                        onCompare={(from) => {
                          close();
                          onCompare(from);
                        }}
                      />
                    )
                  : undefined
              }
            />
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
      <FeatureMaps maps={predictor.prediction?.featureMaps ?? null} network={predictor.prediction?.network ?? null} hasInput={predictor.input !== null} />
      {shownInsight && <InsightSection shown={shownInsight} pickedIndex={predictor.source.kind === 'test' ? predictor.source.index : null} onPick={showMistake} />}
      <ArchEditor
        spec={config.arch}
        onChange={(arch) => update({ arch })}
        runExists={runExists}
        pendingReset={runExists && currentRun !== null && !archSpecsEqual(currentRun.config.arch, config.arch)}
      />
      <div className="runs-panels">
        <RunsPanel
          rows={runTreeRows(kept.runs)}
          labels={labels}
          currentId={kept.currentId}
          persistent={kept.persistent}
          checkpoints={view.archive ? archived : null}
          storage={{
            checkpointBytes: view.archive ? archiveBytes(view.archive.entries) : null,
            usage: view.archive?.usage ?? null,
            quota: view.archive?.quota ?? null,
            persisted,
          }}
          onUpdate={kept.update}
          onDelete={(id) => {
            remove(id, t.runs.defaultLabel);
            send({ type: 'dropCheckpoints', runId: id });
          }}
          onDropCheckpoints={(id) => send({ type: 'dropCheckpoints', runId: id })}
        />
        <ExportMenu runs={kept.runs} labels={kept.runs.map((run) => labels.get(run.id) ?? run.id)} chartPngs={() => chartsRef.current?.pngs() ?? []} />
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
          currentRun={currentRun && { record: currentRun, label: labels.get(currentRun.id) ?? currentRun.id }}
          config={config}
          weightsVersion={view.weightsVersion}
          backend={view.backend}
          onExportPytorch={(run) => send({ type: 'exportPytorch', run })}
          onImportPytorch={(file) => send({ type: 'importPytorch', ...file })}
        />
        <DiagnosticsPanel
          diagnostics={view.diagnostics}
          tensorCounts={view.tensorCounts}
          poolTensorCounts={view.poolTensorCounts}
          networkTensors={paramLayouts(shownArch).length}
          onRefresh={requestDiagnostics}
          refreshKey={`${runState}-${view.history.length}-${view.backend?.name ?? ''}`}
          lastCheckpoint={view.archive?.lastWrite ?? null}
        />
      </div>
      <div className="log-panels">
        <EpochLog
          history={logHistory}
          runs={kept.runs.map((run) => ({ id: run.id, label: labels.get(run.id) ?? run.id }))}
          shownRunId={logRun?.id ?? null}
          onShowRun={setLogRunId}
          branching={
            logRun && view.archive
              ? {
                  available: (epoch) => offer(logRun.id, epoch) !== null,
                  enabled: canBranch,
                  inherited: logParent ? { from: labels.get(logParent.runId) ?? logParent.deleted?.name ?? t.runs.unknownRun, upTo: logParent.epoch } : null,
                  onBranch: (epoch) => {
                    const from = offer(logRun.id, epoch);
                    if (from) onBranch(from);
                  },
                  onCompare: (epoch) => {
                    const from = offer(logRun.id, epoch);
                    if (from) onCompare(from);
                  },
                }
              : undefined
          }
        />
        <details className="printout" open>
          <summary>{t.app.printoutSummary}</summary>
          <pre>{seedPrintout(view.backend?.name ?? '…', analyzeArch(shownArch).totals.parameters, view.history, view.result?.reason === 'finished' ? finalAccuracy : null)}</pre>
        </details>
      </div>
    </main>
  );
}

/** A run to start: from fresh weights (`parent` null) or as a branch of a stored epoch. */
interface Launch {
  config: TrainConfig;
  parent: BranchPoint | null;
}
