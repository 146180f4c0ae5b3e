/**
 * The worker's memory as TensorFlow.js counts it: live tensors (must not grow), buffers, bytes; and,
 * on a CPU pool, each pool worker's tensors and wasm heap. Beside them, the last checkpoint written to
 * IndexedDB: its size and how long the write took in the worker.
 */
import { Fragment, useEffect } from 'react';
import type { CheckpointWrite, Diagnostics } from '../../shared/protocol';
import { useI18n } from '../i18n/useI18n';

interface DiagnosticsPanelProps {
  diagnostics: Diagnostics | null;
  tensorCounts: number[];
  /** Each pool worker's tensor count after each epoch: `poolTensorCounts[epoch][worker]`. */
  poolTensorCounts: number[][];
  /** The tensors of the network's state: what a network adds to the idle count. */
  networkTensors: number;
  /** Asks the worker for fresh figures. */
  onRefresh: () => void;
  /** Changes whenever the figures may have changed (an epoch, a state change). */
  refreshKey: string;
  lastCheckpoint: CheckpointWrite | null;
}

export function DiagnosticsPanel({ diagnostics, tensorCounts, poolTensorCounts, networkTensors, onRefresh, refreshKey, lastCheckpoint }: DiagnosticsPanelProps) {
  const { t, formatInteger, formatNumber, formatBytes } = useI18n();
  useEffect(() => onRefresh(), [onRefresh, refreshKey]);
  const megabytes = (bytes: number) => `${formatNumber(bytes / 1e6, { maximumFractionDigits: 1 })} MB`;
  return (
    <section className="diagnostics" aria-label={t.diagnostics.region}>
      <h3>{t.diagnostics.region}</h3>
      {diagnostics ? (
        <dl>
          <dt>{t.diagnostics.numTensors}</dt>
          <dd data-testid="num-tensors">{formatInteger(diagnostics.numTensors)}</dd>
          {diagnostics.idleNumTensors !== null && (
            <>
              <dt>{t.diagnostics.idleTensors}</dt>
              <dd>{t.diagnostics.idleValue(diagnostics.idleNumTensors, networkTensors)}</dd>
            </>
          )}
          <dt>{t.diagnostics.dataBuffers}</dt>
          <dd>{formatInteger(diagnostics.numDataBuffers)}</dd>
          <dt>{t.diagnostics.tensorBytes}</dt>
          <dd>{megabytes(diagnostics.numBytes)}</dd>
          {diagnostics.backendBytes !== null && (
            <>
              <dt>{diagnostics.backendBytesLabel}</dt>
              <dd>{megabytes(diagnostics.backendBytes)}</dd>
            </>
          )}
          <dt>{t.diagnostics.perEpoch}</dt>
          <dd>{tensorCounts.length > 0 ? tensorCounts.join(', ') : '–'}</dd>
          {diagnostics.pool.map((worker, i) => (
            <Fragment key={i}>
              <dt>{t.diagnostics.poolWorker(i + 1)}</dt>
              <dd>
                {t.diagnostics.poolWorkerFigures(
                  formatInteger(worker.numTensors),
                  megabytes(worker.heapBytes),
                  poolTensorCounts.length > 0 ? poolTensorCounts.map((counts) => counts[i] ?? '–').join(', ') : '–',
                )}
              </dd>
            </Fragment>
          ))}
          {diagnostics.pool.length > 0 && diagnostics.backendBytes !== null && (
            <>
              <dt>{t.diagnostics.allHeaps}</dt>
              <dd>{megabytes(diagnostics.pool.reduce((sum, worker) => sum + worker.heapBytes, diagnostics.backendBytes))}</dd>
            </>
          )}
          {lastCheckpoint && (
            <>
              <dt>{t.diagnostics.lastCheckpoint}</dt>
              <dd data-testid="last-checkpoint">
                {t.diagnostics.lastCheckpointValue(formatBytes(lastCheckpoint.bytes), lastCheckpoint.milliseconds, t.recovery.where(lastCheckpoint.epoch, lastCheckpoint.batch))}
              </dd>
            </>
          )}
        </dl>
      ) : (
        <p className="hint">…</p>
      )}
      <button type="button" onClick={onRefresh}>
        {t.diagnostics.refresh}
      </button>
    </section>
  );
}
