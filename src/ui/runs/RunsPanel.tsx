/**
 * The kept runs as a table: show or hide each on the charts, rename, delete. Labels say what differs
 * between the runs shown (labelRuns), unless the user named the run.
 */
import { useState } from 'react';
import { formatLearningRate } from '../format';
import { useI18n } from '../i18n/useI18n';
import type { RunRecord } from './runTypes';

interface RunsPanelProps {
  runs: RunRecord[];
  /** Display names, one per run, in the same order. */
  labels: string[];
  currentId: string | null;
  persistent: boolean;
  onUpdate: (id: string, change: Partial<Pick<RunRecord, 'name' | 'hidden'>>) => void;
  onDelete: (id: string) => void;
}

export function RunsPanel({ runs, labels, currentId, persistent, onUpdate, onDelete }: RunsPanelProps) {
  const { t, formatPercent } = useI18n();
  const [renaming, setRenaming] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const commitRename = (id: string) => {
    onUpdate(id, { name: draft.trim() || undefined });
    setRenaming(null);
  };
  return (
    <section className="runs" aria-labelledby="runs-heading">
      <h2 id="runs-heading">{t.runs.list}</h2>
      {!persistent && <p className="hint">{t.runs.notPersistent}</p>}
      <table className="runs-table" aria-label={t.runs.list}>
        <thead>
          <tr>
            <th scope="col">{t.runs.shownColumn}</th>
            <th scope="col">{t.runs.nameColumn}</th>
            <th scope="col">{t.runs.settingsColumn}</th>
            <th scope="col">{t.runs.epochsColumn}</th>
            <th scope="col">{t.runs.testAccuracyColumn}</th>
            <th scope="col">{t.runs.statusColumn}</th>
            <th scope="col">
              <span className="visually-hidden">{t.runs.actionsColumn}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.length === 0 && (
            <tr>
              <td colSpan={7} className="empty">
                {t.runs.empty}
              </td>
            </tr>
          )}
          {runs.map((run, i) => {
            const label = labels[i];
            const last = run.epochs[run.epochs.length - 1];
            const { config } = run;
            return (
              <tr key={run.id} className={run.id === currentId ? 'current' : undefined}>
                <td>
                  <input
                    type="checkbox"
                    checked={!run.hidden}
                    aria-label={run.hidden ? t.runs.showRun(label) : t.runs.hideRun(label)}
                    onChange={() => onUpdate(run.id, { hidden: !run.hidden })}
                  />
                </td>
                <td>
                  {renaming === run.id ? (
                    <input
                      autoFocus
                      value={draft}
                      aria-label={t.runs.nameField(label)}
                      onChange={(e) => setDraft(e.target.value)}
                      onBlur={() => commitRename(run.id)}
                      onKeyDown={(e) => {
                        if (e.key === 'Enter') commitRename(run.id);
                        if (e.key === 'Escape') setRenaming(null);
                      }}
                    />
                  ) : (
                    <span className="run-label">{label}</span>
                  )}
                </td>
                <td className="run-settings">
                  {t.controls.optimizers[config.optimizer]} · lr {formatLearningRate(config.lr)} · wd {config.weightDecay === 0 ? '0' : formatLearningRate(config.weightDecay)} ·
                  batch {config.batch} · seed {config.seed}
                </td>
                <td>
                  {run.epochs.length}/{last?.epochs ?? config.epochs}
                </td>
                <td>{last ? formatPercent(last.testAccuracy, 2) : '–'}</td>
                <td>{t.runs.status[run.status]}</td>
                <td className="run-actions">
                  <button
                    type="button"
                    aria-label={t.runs.renameRun(label)}
                    onClick={() => {
                      setDraft(run.name ?? label);
                      setRenaming(run.id);
                    }}
                  >
                    {t.runs.rename}
                  </button>
                  <button
                    type="button"
                    aria-label={t.runs.deleteRun(label)}
                    disabled={run.id === currentId && run.status === 'running'}
                    onClick={() => {
                      if (window.confirm(t.runs.confirmDelete(label))) onDelete(run.id);
                    }}
                  >
                    {t.runs.delete}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
