import { useEffect, useState } from 'react';
import { Charts } from './components/Charts';
import { Controls } from './components/Controls';
import { EpochLog } from './components/EpochLog';
import { Notices } from './components/Notices';
import { ProgressBar } from './components/ProgressBar';
import { StatusPanel } from './components/StatusPanel';
import { formatPercent, seedPrintout } from './format';
import { DrawingPad } from './drawing/DrawingPad';
import { FeatureMaps } from './featureMaps/FeatureMaps';
import { ConfusionMatrix, type CellSelection } from './insight/ConfusionMatrix';
import { MisclassifiedGallery } from './insight/MisclassifiedGallery';
import { InputPreview, PredictionPanel } from './drawing/PredictionPanel';
import { useHashConfig } from './useHashConfig';
import { usePredictor } from './usePredictor';
import { useTrainer } from './useTrainer';

export function App() {
  const { config, notices: configNotices, update, addNotice, dismissNotice: dismissConfigNotice } = useHashConfig();
  const { view, send, dismissNotice: dismissWorkerNotice } = useTrainer(config.backend);
  const { runState } = view;
  const ready = view.backend !== null && view.error === null;
  const predictor = usePredictor(view.prediction, send, ready, view.history.length);
  const [galleryFilter, setGalleryFilter] = useState<CellSelection | null>(null);

  // The worker reads the live fields (learning rate, epochs) of whatever config it was sent last.
  useEffect(() => send({ type: 'config', config }), [config, send]);

  const onTrainButton = () => {
    if (runState === 'running') send({ type: 'pause' });
    else if (runState === 'paused') send({ type: 'resume' });
    else if (runState === 'idle') send({ type: 'start', config });
  };

  const finalAccuracy = view.result?.finalTestAccuracy ?? null;
  const epochs = Math.max(config.epochs, view.history.length);
  return (
    <main>
      <header>
        <h1>MNIST Lab</h1>
        <p className="subtitle">
          The seed&apos;s SimpleCNN, trained on all of MNIST in this tab: Adam with L2 weight decay, StepLR, batch {config.batch}.
        </p>
      </header>
      <StatusPanel backend={view.backend} data={view.data} paramCount={view.model?.paramCount ?? null} loading={view.loading} tensorCounts={view.tensorCounts} />
      {view.error && (
        <div className="error" role="alert">
          {/* A data file's message starts with the file's name already. */}
          <strong>{view.error.file ? 'The MNIST data could not be used. ' : 'Error: '}</strong>
          {view.error.message}
          {view.error.file && ' Nothing was trained on it; reload the page to try again.'}
        </div>
      )}
      <Notices
        notices={[...configNotices, ...view.notices]}
        onDismiss={(index) =>
          index < configNotices.length ? dismissConfigNotice(index) : dismissWorkerNotice(index - configNotices.length)
        }
      />
      <Controls
        config={config}
        runState={runState}
        canTrain={runState === 'idle' && view.error === null}
        onChange={update}
        onNotice={addNotice}
        onTrainButton={onTrainButton}
        onStop={() => send({ type: 'stop' })}
      />
      <ProgressBar progress={view.progress} ended={view.result !== null} />
      {view.result && finalAccuracy !== null && (
        <p className="final">
          {view.result.reason === 'stopped' ? 'Stopped. Last' : 'Final'} test accuracy: <strong>{formatPercent(finalAccuracy)}</strong>
        </p>
      )}
      <Charts history={view.history} epochs={epochs} />
      <section className="try-it" id="try-it" aria-label="Draw a digit">
        <h2>Try it: draw a digit</h2>
        <div className="try-it-panels">
          <DrawingPad onChange={predictor.onDrawing} wipeKey={predictor.source.kind === 'test' ? predictor.source.index : undefined} />
          <InputPreview input={predictor.input} source={predictor.source} />
          <PredictionPanel
            probabilities={predictor.prediction?.probabilities ?? null}
            trained={predictor.prediction?.trained ?? false}
            hasDrawing={predictor.input !== null}
          />
        </div>
        <FeatureMaps maps={predictor.prediction?.featureMaps ?? null} hasInput={predictor.input !== null} />
      </section>
      {view.insight && (
        <section className="insight" aria-label="Test-set insight">
          <h2>Test-set insight after epoch {view.history.length}</h2>
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
      <div className="log-panels">
        <EpochLog history={view.history} />
        <details className="printout" open>
          <summary>Console output, as the seed prints it</summary>
          <pre>{seedPrintout(view.backend?.name ?? '…', view.model?.paramCount ?? null, view.history, view.result?.reason === 'finished' ? finalAccuracy : null)}</pre>
        </details>
      </div>
    </main>
  );
}
