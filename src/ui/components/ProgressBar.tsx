import type { Progress } from '../../shared/protocol';
import { formatDuration, formatInteger, formatLoss } from '../format';

interface ProgressBarProps {
  progress: Progress | null;
  /** The run has ended: speed and time left no longer apply. */
  ended: boolean;
}

/** The batch within the epoch, with speed and time left. */
export function ProgressBar({ progress, ended }: ProgressBarProps) {
  const batch = progress?.batch ?? 0;
  const batches = progress?.batches ?? 1;
  let text = 'Not started';
  if (progress) {
    text = `Epoch ${progress.epoch}/${progress.epochs} · `;
    text +=
      progress.phase === 'eval' && !ended
        ? `evaluating on ${formatInteger(progress.testImages)} test images`
        : `batch ${formatInteger(batch)}/${formatInteger(batches)}`;
  }
  const live = progress !== null && !ended;
  return (
    <section className="progress" aria-label="Training progress">
      <div
        role="progressbar"
        aria-label="Epoch progress"
        aria-valuemin={0}
        aria-valuemax={batches}
        aria-valuenow={batch}
        aria-valuetext={text}
        className="progress-track"
      >
        <div className="progress-fill" style={{ width: `${(100 * batch) / batches}%` }} />
      </div>
      <p className="progress-text">
        <span>{text}</span>
        {progress && progress.samplesPerSecond > 0 && <span>{formatInteger(progress.samplesPerSecond)} samples/s</span>}
        {progress && Number.isFinite(progress.stepMilliseconds) && <span>{formatInteger(progress.stepMilliseconds)} ms/step</span>}
        {live && progress.samplesPerSecond === 0 && <span>measuring speed…</span>}
        {live && <span>ETA epoch {formatDuration(progress.epochEtaSeconds)}</span>}
        {live && <span>run {formatDuration(progress.runEtaSeconds)}</span>}
        {progress && Number.isFinite(progress.runningLoss) && <span>running loss {formatLoss(progress.runningLoss)}</span>}
      </p>
    </section>
  );
}
