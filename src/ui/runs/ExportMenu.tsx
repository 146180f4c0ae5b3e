/** Export: the kept runs as CSV (per epoch, and per batch) and JSON, and each chart as PNG. */
import { useI18n } from '../i18n/useI18n';
import { batchLossToCsv, runsToCsv, runsToJson } from './exportRuns';
import type { RunRecord } from './runTypes';

interface ExportMenuProps {
  runs: RunRecord[];
  labels: string[];
  /** PNG data URLs of the two chart panels, read when asked. */
  chartPngs: () => { name: 'loss' | 'accuracy'; dataUrl: string }[];
}

function download(filename: string, href: string): void {
  const link = document.createElement('a');
  link.href = href;
  link.download = filename;
  link.click();
}

function downloadText(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  download(filename, url);
  // The click has started the download; the URL is not needed after this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function ExportMenu({ runs, labels, chartPngs }: ExportMenuProps) {
  const { t } = useI18n();
  const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const png = (name: 'loss' | 'accuracy') => {
    const chart = chartPngs().find((c) => c.name === name);
    if (chart) download(`mnist-lab-${name}-${stamp()}.png`, chart.dataUrl);
  };
  return (
    <details className="export-menu">
      <summary role="button">{t.exporting.button}</summary>
      <div className="export-items">
        <button type="button" disabled={runs.length === 0} onClick={() => downloadText(`mnist-lab-runs-${stamp()}.csv`, runsToCsv(runs, labels), 'text/csv')}>
          {t.exporting.runsCsv}
        </button>
        <button type="button" disabled={runs.length === 0} onClick={() => downloadText(`mnist-lab-batch-loss-${stamp()}.csv`, batchLossToCsv(runs), 'text/csv')}>
          {t.exporting.batchCsv}
        </button>
        <button type="button" disabled={runs.length === 0} onClick={() => downloadText(`mnist-lab-runs-${stamp()}.json`, runsToJson(runs, labels), 'application/json')}>
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
