/** Export the network as TensorFlow.js files, or import such files for prediction or further training. */
import { useRef } from 'react';
import type { Text } from '../../shared/texts';
import { renderText } from '../i18n/renderText';
import { useI18n } from '../i18n/useI18n';
import { readModelFiles } from '../model/modelFiles';
import type { TrainerView } from '../trainerState';

interface ModelFilesPanelProps {
  modelFile: TrainerView['modelFile'];
  canImport: boolean;
  canExport: boolean;
  onExport: () => void;
  onImport: (files: { modelJson: string; weights: ArrayBuffer; fileNames: string[] }) => void;
  /** A refusal by the page's own check of the chosen files: the English and the text. */
  onRefused: (message: string, text: Text) => void;
}

export function ModelFilesPanel({ modelFile, canImport, canExport, onExport, onImport, onRefused }: ModelFilesPanelProps) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  return (
    <section className="model-files" aria-label={t.modelFiles.region}>
      <div className="pad-buttons">
        <button type="button" onClick={onExport} disabled={!canExport}>
          {t.modelFiles.export}
        </button>
        <button type="button" onClick={() => input.current?.click()} disabled={!canImport} title={canImport ? undefined : t.modelFiles.stopFirst}>
          {t.modelFiles.import}
        </button>
        <input
          ref={input}
          type="file"
          multiple
          accept=".json,.bin,application/json,application/octet-stream"
          hidden
          aria-label={t.modelFiles.fileInput}
          onChange={async (event) => {
            const files = Array.from(event.target.files ?? []);
            event.target.value = ''; // choosing the same files again must fire again
            if (files.length === 0) return;
            const read = await readModelFiles(files);
            if (read.ok) onImport(read);
            else onRefused(read.message, read.text);
          }}
        />
      </div>
      {modelFile?.kind === 'refused' && (
        <p className="error" role="alert">
          {t.modelFiles.refused(renderText(t, modelFile.message))}
        </p>
      )}
      {modelFile?.kind === 'imported' && <p className="hint">{t.modelFiles.imported(modelFile.fileNames.join(', '))}</p>}
      {modelFile?.kind === 'exported' && <p className="hint">{t.modelFiles.exported(modelFile.fileNames.join(', '))}</p>}
      <p className="hint">{t.modelFiles.help}</p>
    </section>
  );
}
