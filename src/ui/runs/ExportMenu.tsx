/** Export: the kept runs as CSV (per epoch, and per batch) and JSON, and each chart as PNG. */
import { downloadBlob, downloadUrl } from '../download';
import { useI18n } from '../i18n/useI18n';
import { batchLossToCsv, runsToCsv, runsToJson } from './exportRuns';
import type { RunRecord } from './runTypes';

interface ExportMenuProps {
  runs: RunRecord[];
  labels: string[];
  /** PNG data URLs of the two chart panels, read when asked. */
  chartPngs: () => { name: 'loss' | 'accuracy'; dataUrl: string }[];
}

export function ExportMenu({ runs, labels, chartPngs }: ExportMenuProps) {
  const { t } = useI18n();
  const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const png = (name: 'loss' | 'accuracy') => {
    const chart = chartPngs().find((c) => c.name === name);
    if (chart) downloadUrl(`mnist-lab-${name}-${stamp()}.png`, chart.dataUrl);
  };
  return (
    <details className="export-menu">
      <summary role="button">{t.exporting.button}</summary>
      <div className="export-items">
        <button type="button" disabled={runs.length === 0} onClick={() => downloadBlob(`mnist-lab-runs-${stamp()}.csv`, new Blob([runsToCsv(runs, labels)], { type: 'text/csv' }))}>
          {t.exporting.runsCsv}
        </button>
        <button type="button" disabled={runs.length === 0} onClick={() => downloadBlob(`mnist-lab-batch-loss-${stamp()}.csv`, new Blob([batchLossToCsv(runs)], { type: 'text/csv' }))}>
          {t.exporting.batchCsv}
        </button>
        <button type="button" disabled={runs.length === 0} onClick={() => downloadBlob(`mnist-lab-runs-${stamp()}.json`, new Blob([runsToJson(runs, labels)], { type: 'application/json' }))}>
          {t.exporting.runsJsonFull}
        </button>
        <button type="button" onClick={() => png('loss')}>
          {t.exporting.lossPng}
        </button>
        <button type="button" onClick={() => png('accuracy')}>
          {t.exporting.accuracyPng}
        </button>
      </div>
    </details>
  );
}
