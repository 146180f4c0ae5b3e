import type { Progress } from '../../shared/protocol';
import { formatDuration, formatLoss } from '../format';
import { useI18n } from '../i18n/useI18n';

interface ProgressBarProps {
  progress: Progress | null;
  /** The run has ended: speed and time left no longer apply. */
  ended: boolean;
}

/** The batch within the epoch, with speed and time left. */
export function ProgressBar({ progress, ended }: ProgressBarProps) {
  const { t } = useI18n();
  const batch = progress?.batch ?? 0;
  const batches = progress?.batches ?? 1;
  let text = t.progress.notStarted;
  if (progress) {
    text = t.progress.epoch(progress.epoch, progress.epochs);
    text += progress.phase === 'eval' && !ended ? t.progress.evaluating(progress.testImages) : t.progress.batch(batch, batches);
  }
  const live = progress !== null && !ended;
  // While the epoch's test images are classified its time left is that of the evaluation, about 0:00;
  // left out, the longer "evaluating on N test images" keeps the line from wrapping at 1366 px and
  // moving the charts below it down by a line.
  const training = live && progress.phase !== 'eval';
  return (
    <section className="progress" aria-label={t.progress.region}>
      <div
        role="progressbar"
        aria-label={t.progress.bar}
        aria-valuemin={0}
        aria-valuemax={batches}
        aria-valuenow={batch}
        aria-valuetext={text}
        className="progress-track"
      >
        {/* Scaled, not sized: a transform is moved by the compositor, where a changing width lays out and repaints the page ten times a second. */}
        <div className="progress-fill" style={{ transform: `scaleX(${batch / batches})` }} />
      </div>
      <p className="progress-text">
        <span>{text}</span>
        {progress && progress.samplesPerSecond > 0 && <span>{t.progress.samplesPerSecond(progress.samplesPerSecond)}</span>}
        {progress && Number.isFinite(progress.stepMilliseconds) && <span>{t.progress.msPerStep(progress.stepMilliseconds)}</span>}
        {live && progress.samplesPerSecond === 0 && <span>{t.progress.measuring}</span>}
        {training && <span>{t.progress.epochEta(formatDuration(progress.epochEtaSeconds))}</span>}
        {live && <span>{t.progress.runEta(formatDuration(progress.runEtaSeconds))}</span>}
        {progress && Number.isFinite(progress.runningLoss) && <span>{t.progress.runningLoss(formatLoss(progress.runningLoss))}</span>}
      </p>
    </section>
  );
}
