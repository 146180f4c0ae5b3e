/** The worker's memory as TensorFlow.js counts it: live tensors (must not grow), buffers, bytes. */
import { useEffect } from 'react';
import type { Diagnostics } from '../../shared/protocol';
import { useI18n } from '../i18n/useI18n';

interface DiagnosticsPanelProps {
  diagnostics: Diagnostics | null;
  tensorCounts: number[];
  /** Asks the worker for fresh figures. */
  onRefresh: () => void;
  /** Changes whenever the figures may have changed (an epoch, a state change). */
  refreshKey: string;
}

export function DiagnosticsPanel({ diagnostics, tensorCounts, onRefresh, refreshKey }: DiagnosticsPanelProps) {
  const { t, formatInteger, formatNumber } = useI18n();
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
              <dd>{t.diagnostics.idleValue(diagnostics.idleNumTensors)}</dd>
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
