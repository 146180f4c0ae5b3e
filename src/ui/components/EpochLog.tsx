import type { EpochMetrics } from '../../shared/protocol';
import { formatLoss, formatRate } from '../format';
import { useI18n } from '../i18n/useI18n';

/** Branching from the shown run's epochs: each row's "Branch from epoch k" and "Adam vs AdamW from epoch k". */
export interface EpochBranching {
  /** Whether the state after `epoch` epochs (0: the initial weights) is stored to branch from. */
  available: (epoch: number) => boolean;
  /** False while a run is on: a branch is a new run. */
  enabled: boolean;
  /** For a branch: its parent's name and its branch point; the epochs up to it are the parent's (shown as such). */
  inherited: { from: string; upTo: number } | null;
  onBranch: (epoch: number) => void;
  onCompare: (epoch: number) => void;
}

interface EpochLogProps {
  history: EpochMetrics[];
  /** The kept runs the log can show (a menu when there are any), and the one it shows. */
  runs?: { id: string; label: string }[];
  shownRunId?: string | null;
  onShowRun?: (id: string) => void;
  branching?: EpochBranching;
}

/**
 * The seed's per-epoch print as a table, for the run being trained or any kept run; every epoch row
 * (and epoch 0, the initial weights, above the table) offers a branch from it. This is the keyboard's
 * way to every epoch point the charts draw.
 */
export function EpochLog({ history, runs = [], shownRunId = null, onShowRun, branching }: EpochLogProps) {
  const { t, formatPercent } = useI18n();
  return (
    <div className="epoch-log-panel">
      {(runs.length > 0 || branching) && (
        <div className="epoch-log-tools">
          {runs.length > 0 && onShowRun && (
            <label>
              {t.epochLog.runPicker}{' '}
              <select value={shownRunId ?? ''} onChange={(event) => onShowRun(event.target.value)}>
                {runs.map((run) => (
                  <option key={run.id} value={run.id}>
                    {run.label}
                  </option>
                ))}
              </select>
            </label>
          )}
          {branching && (
            <span className="initial-weights">
              {t.epochLog.initialWeights} <BranchActions epoch={0} branching={branching} />
            </span>
          )}
        </div>
      )}
      <table className="epoch-log">
        <caption>{t.epochLog.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t.epochLog.epoch}</th>
            <th scope="col">{t.epochLog.loss}</th>
            <th scope="col">{t.epochLog.trainAccuracy}</th>
            <th scope="col">{t.epochLog.testAccuracy}</th>
            <th scope="col">{t.epochLog.learningRate}</th>
            {branching && (
              <th scope="col">
                <span className="visually-hidden">{t.epochLog.actions}</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {history.length === 0 ? (
            <tr>
              <td colSpan={branching ? 6 : 5} className="empty">
                {t.epochLog.empty}
              </td>
            </tr>
          ) : (
            history.map((m) => {
              const inherited = branching?.inherited && m.epoch <= branching.inherited.upTo ? branching.inherited.from : null;
              return (
                <tr key={m.epoch} className={inherited ? 'inherited' : undefined} title={inherited ? t.epochLog.inherited(inherited) : undefined}>
                  <td>
                    {m.epoch}/{m.epochs}
                  </td>
                  <td>{formatLoss(m.loss)}</td>
                  <td>{formatPercent(m.trainAccuracy)}</td>
                  <td>{formatPercent(m.testAccuracy)}</td>
                  <td>{formatRate(m.learningRate)}</td>
                  {branching && (
                    <td className="branch-actions">
                      <BranchActions epoch={m.epoch} branching={branching} />
                    </td>
                  )}
                </tr>
              );
            })
          )}
        </tbody>
      </table>
      {branching && <p className="hint">{branching.enabled ? t.epochLog.branchHint : t.epochLog.stopToBranch}</p>}
    </div>
  );
}

function BranchActions({ epoch, branching }: { epoch: number; branching: EpochBranching }) {
  const { t } = useI18n();
  if (!branching.available(epoch)) return <span className="no-checkpoint">{t.epochLog.noCheckpoint}</span>;
  return (
    <>
      <button type="button" aria-label={t.epochLog.branchFrom(epoch)} disabled={!branching.enabled} onClick={() => branching.onBranch(epoch)}>
        {t.epochLog.branch}
      </button>
      <button type="button" aria-label={t.epochLog.compareFrom(epoch)} disabled={!branching.enabled} onClick={() => branching.onCompare(epoch)}>
        {t.epochLog.compare}
      </button>
    </>
  );
}
