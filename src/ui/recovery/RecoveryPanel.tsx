/**
 * Everything that keeps a run from being lost, in one place: the saved checkpoint to resume or discard,
 * what happened when a worker failed and what was done about it, a diverged run's way back, and whether
 * checkpoints work at all here.
 */
import type { CheckpointSummary, RunState, WorkerEvent } from '../../shared/protocol';
import { formatLearningRate } from '../format';
import { renderText, type Shown } from '../i18n/renderText';
import { useI18n } from '../i18n/useI18n';
import type { WorkerFailure } from '../useTrainer';

interface RecoveryPanelProps {
  runState: RunState;
  checkpoint: CheckpointSummary | null;
  checkpointsOff: Shown | null;
  diverged: Extract<WorkerEvent, { type: 'diverged' }> | null;
  failure: WorkerFailure | null;
  onResume: () => void;
  onRollBack: () => void;
  onDiscard: () => void;
  onDismissFailure: () => void;
}

export function RecoveryPanel({ runState, checkpoint, checkpointsOff, diverged, failure, onResume, onRollBack, onDiscard, onDismissFailure }: RecoveryPanelProps) {
  const { t, formatInteger, formatNumber } = useI18n();
  const lossText = (loss: number) =>
    Number.isNaN(loss) ? 'NaN' : !Number.isFinite(loss) ? (loss > 0 ? '+∞' : '−∞') : formatNumber(loss, { maximumFractionDigits: 1 });
  return (
    <>
      {failure && (
        <div className="error" role="alert">
          <strong>{t.recovery.failureTitle}</strong> {failure.message}{' '}
          {t.recovery.restarted(t.controls.backends[failure.restartOn], failure.backend !== null && failure.restartOn !== failure.backend)}
          <button type="button" className="dismiss" aria-label={t.notices.dismiss} onClick={onDismissFailure}>
            ×
          </button>
        </div>
      )}
      {diverged && runState === 'paused' && (
        <div className="error" role="alert">
          <strong>{t.recovery.divergedTitle}</strong>{' '}
          {t.recovery.diverged(lossText(diverged.loss), diverged.epoch, diverged.batch, formatLearningRate(diverged.learningRate))}{' '}
          {diverged.rollBackTo ? t.recovery.rollBackHint(t.recovery.where(diverged.rollBackTo.epoch, diverged.rollBackTo.batch)) : t.recovery.noRollBack}
          {diverged.rollBackTo && (
            <button type="button" className="inline-action" onClick={onRollBack}>
              {t.recovery.rollBack}
            </button>
          )}
        </div>
      )}
      {checkpoint && runState === 'idle' && (
        <section className="checkpoint-offer" aria-label={t.recovery.checkpointRegion}>
          <p>
            {t.recovery.saved(
              checkpoint.batch > 0 ? checkpoint.epoch + 1 : checkpoint.epoch,
              checkpoint.epochs,
              checkpoint.batch,
              new Date(checkpoint.savedAt).toLocaleString(),
              formatInteger(checkpoint.config.trainSize),
            )}
          </p>
          <div className="pad-buttons">
            <button type="button" className="primary-inline" onClick={onResume}>
              {t.recovery.resume}
            </button>
            <button type="button" onClick={onDiscard}>
              {t.recovery.discard}
            </button>
          </div>
        </section>
      )}
      {checkpointsOff && <p className="hint checkpoints-off">{t.recovery.checkpointsOff(renderText(t, checkpointsOff))}</p>}
    </>
  );
}
