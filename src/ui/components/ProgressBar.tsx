import type { Progress } from '../../shared/protocol';
import { formatDuration, formatInteger, formatLoss } from '../format';

/** The batch within the epoch, with speed and time left. */
export function ProgressBar({ progress }: { progress: Progress | null }) {
  const batch = progress?.batch ?? 0;
  const batches = progress?.batches ?? 1;
  const text = progress
    ? `Epoch ${progress.epoch}/${progress.epochs} · batch ${formatInteger(batch)}/${formatInteger(batches)}`
    : 'Not started';
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
        {progress && (
          <>
            <span>{progress.samplesPerSecond > 0 ? `${formatInteger(progress.samplesPerSecond)} samples/s` : 'measuring speed…'}</span>
            <span>ETA epoch {formatDuration(progress.epochEtaSeconds)}</span>
            <span>run {formatDuration(progress.runEtaSeconds)}</span>
            {Number.isFinite(progress.runningLoss) && <span>running loss {formatLoss(progress.runningLoss)}</span>}
          </>
        )}
      </p>
    </section>
  );
}
