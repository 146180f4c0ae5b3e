/**
 * The kept runs as a tree (each root, then its branches, indented): show or hide each on the charts,
 * rename, delete (a deleted run's branches stay), and its checkpoints — their size and the epochs they
 * can be branched from, or that it can no longer be branched, with a way to drop them and keep the
 * curves. Under the table, the storage the checkpoints use and what the browser allows. Labels say
 * what differs between runs (runTree.ts's `runTreeLabels`), unless the user named the run.
 */
import { useState } from 'react';
import type { ArchivedRunSummary } from '../../shared/checkpointIndex';
import { formatLearningRate } from '../format';
import { useI18n } from '../i18n/useI18n';
import { epochRanges } from './branchPoints';
import type { RunTreeRow } from './runTree';
import type { RunRecord } from './runTypes';

/** The storage figures under the table. */
export interface StorageFacts {
  /** Bytes of all checkpoints (the archive's index), or null before the worker has listed them. */
  checkpointBytes: number | null;
  /** `navigator.storage.estimate()`, bytes; null where the browser gives none. */
  usage: number | null;
  quota: number | null;
  /** Whether the browser granted persistent storage; null where it does not say. */
  persisted: boolean | null;
}

interface RunsPanelProps {
  /** The runs in tree order, with their depth. */
  rows: RunTreeRow[];
  /** Display names by run id. */
  labels: ReadonlyMap<string, string>;
  currentId: string | null;
  persistent: boolean;
  /** Each run's stored checkpoints, by run id; null where checkpoints are off (no column then). */
  checkpoints: ReadonlyMap<string, ArchivedRunSummary> | null;
  storage: StorageFacts;
  onUpdate: (id: string, change: Partial<Pick<RunRecord, 'name' | 'hidden'>>) => void;
  onDelete: (id: string) => void;
  onDropCheckpoints: (id: string) => void;
}

export function RunsPanel({ rows, labels, currentId, persistent, checkpoints, storage, onUpdate, onDelete, onDropCheckpoints }: RunsPanelProps) {
  const { t, formatPercent, formatBytes } = useI18n();
  const [renaming, setRenaming] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const commitRename = (id: string) => {
    onUpdate(id, { name: draft.trim() || undefined });
    setRenaming(null);
  };
  const columns = checkpoints ? 8 : 7;
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
            {checkpoints && <th scope="col">{t.runs.checkpointsColumn}</th>}
            <th scope="col">
              <span className="visually-hidden">{t.runs.actionsColumn}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={columns} className="empty">
                {t.runs.empty}
              </td>
            </tr>
          )}
          {rows.map(({ run, depth, orphan }) => {
            const label = labels.get(run.id) ?? run.id;
            const last = run.epochs[run.epochs.length - 1];
            const { config } = run;
            const training = run.id === currentId && run.status === 'running';
            const stored = checkpoints?.get(run.id);
            return (
              <tr key={run.id} className={run.id === currentId ? 'current' : undefined} data-depth={depth}>
                <td>
                  <input
                    type="checkbox"
                    checked={!run.hidden}
                    aria-label={run.hidden ? t.runs.showRun(label) : t.runs.hideRun(label)}
                    onChange={() => onUpdate(run.id, { hidden: !run.hidden })}
                  />
                </td>
                <td className="run-name" style={{ paddingLeft: `${0.45 + 1.2 * depth}rem` }}>
                  {depth > 0 && (
                    <span className="branch-mark" aria-hidden="true">
                      ↳{' '}
                    </span>
                  )}
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
                  {orphan && <span className="orphan-mark"> ({t.runs.parentDeleted})</span>}
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
                {checkpoints && (
                  <td className="run-checkpoints">
                    {stored
                      ? stored.branchEpochs.length > 0
                        ? t.runs.checkpoints(formatBytes(stored.bytes), epochRanges(stored.branchEpochs))
                        : t.runs.midEpochOnly(formatBytes(stored.bytes))
                      : training
                        ? '–'
                        : t.runs.noCheckpoints}
                  </td>
                )}
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
                    disabled={training}
                    onClick={() => {
                      if (window.confirm(t.runs.confirmDelete(label))) onDelete(run.id);
                    }}
                  >
                    {t.runs.delete}
                  </button>
                  {checkpoints && (
                    <button
                      type="button"
                      aria-label={t.runs.dropCheckpointsOf(label)}
                      disabled={training || !stored}
                      onClick={() => {
                        if (window.confirm(t.runs.confirmDrop(label))) onDropCheckpoints(run.id);
                      }}
                    >
                      {t.runs.dropCheckpoints}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {checkpoints && storage.checkpointBytes !== null && (
        <p className="hint storage-line">
          {t.runs.storageCheckpoints(formatBytes(storage.checkpointBytes))}
          {storage.usage !== null && storage.quota !== null && t.runs.storageQuota(formatBytes(storage.usage), formatBytes(storage.quota))}
          {storage.persisted === true && t.runs.persisted}
          {storage.persisted === false && t.runs.notPersisted}
        </p>
      )}
    </section>
  );
}
