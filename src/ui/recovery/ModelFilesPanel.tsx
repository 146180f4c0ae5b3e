/**
 * Export the network, or import one for prediction or further training: as TensorFlow.js files, or as a
 * PyTorch state_dict in a `.safetensors` file (with the run as a PyTorch program beside it).
 */
import { flushSync } from 'react-dom';
import { useRef, useState } from 'react';
import type { TrainConfig } from '../../shared/config';
import type { BackendInfo } from '../../shared/protocol';
import type { ExportedRun } from '../../shared/pytorch/pytorchFiles';
import { isPytorchText, PICKLE_TO_SAFETENSORS_TORCH_ONLY_PYTHON } from '../../shared/pytorch/pytorchTexts';
import type { Text } from '../../shared/texts';
import { renderText, type Shown } from '../i18n/renderText';
import { useI18n } from '../i18n/useI18n';
import { readModelFiles } from '../model/modelFiles';
import { PYTORCH_FILE_TYPES, readPytorchFile } from '../model/pytorchFiles';
import { exportedRunFor, useWorkerNetwork } from '../model/workerNetwork';
import type { RunRecord } from '../runs/runTypes';
import type { TrainerView } from '../trainerState';

interface ModelFilesPanelProps {
  modelFile: TrainerView['modelFile'];
  canImport: boolean;
  canExport: boolean;
  onExport: () => void;
  onImport: (files: { modelJson: string; weights: ArrayBuffer; fileNames: string[] }) => void;
  /** A refusal by the page's own check of the chosen files: the English and the text. */
  onRefused: (message: string, text: Text) => void;
  /** The page's current run (whose network the worker holds, unless something replaced it since) and its label. */
  currentRun: { record: RunRecord; label: string } | null;
  /** The controls' settings: the recipe an export names for a network no run of this page trained. */
  config: TrainConfig;
  /** The view's `weightsVersion` and `backend`: how the panel follows which network the worker holds (../model/workerNetwork.ts). */
  weightsVersion: number;
  backend: BackendInfo | null;
  onExportPytorch: (run: ExportedRun) => void;
  onImportPytorch: (file: { weights: ArrayBuffer; fileName: string }) => void;
}

/** What the one file picker is choosing for: the button that opened it says. */
type Picking = 'tfjs' | 'pytorch';

export function ModelFilesPanel({
  modelFile,
  canImport,
  canExport,
  onExport,
  onImport,
  onRefused,
  currentRun,
  config,
  weightsVersion,
  backend,
  onExportPytorch,
  onImportPytorch,
}: ModelFilesPanelProps) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  // One hidden file input serves both imports; each button sets what it accepts before opening it.
  const [picking, setPicking] = useState<Picking>('tfjs');
  const network = useWorkerNetwork({ modelFile, weightsVersion, backend });
  const pick = (what: Picking) => {
    flushSync(() => setPicking(what));
    input.current?.click();
  };
  const stopFirst = canImport ? undefined : t.modelFiles.stopFirst;
  // An export's files say which it was: TensorFlow.js's model.json and weights, or PyTorch's pair.
  const exportedHint = (fileNames: string[]) => {
    const [weightsFile, scriptFile] = fileNames;
    const pytorchPair = fileNames.length === 2 && weightsFile.endsWith('.safetensors') && scriptFile.endsWith('.py');
    return pytorchPair ? t.modelFiles.pytorchExported(weightsFile, scriptFile) : t.modelFiles.exported(fileNames.join(', '));
  };
  return (
    <section className="model-files" aria-label={t.modelFiles.region}>
      <div className="pad-buttons">
        <button type="button" onClick={onExport} disabled={!canExport}>
          {t.modelFiles.export}
        </button>
        <button type="button" onClick={() => pick('tfjs')} disabled={!canImport} title={stopFirst}>
          {t.modelFiles.import}
        </button>
      </div>
      <div className="pad-buttons">
        <button
          type="button"
          disabled={!canExport}
          onClick={() =>
            onExportPytorch(
              exportedRunFor(network, currentRun, config, {
                imported: t.modelFiles.importedName,
                initial: t.modelFiles.initialName,
              }),
            )
          }
        >
          {t.modelFiles.exportPytorch}
        </button>
        <button type="button" onClick={() => pick('pytorch')} disabled={!canImport} title={stopFirst}>
          {t.modelFiles.importPytorch}
        </button>
      </div>
      <input
        ref={input}
        type="file"
        multiple={picking === 'tfjs'}
        accept={picking === 'tfjs' ? '.json,.bin,application/json,application/octet-stream' : PYTORCH_FILE_TYPES}
        hidden
        aria-label={picking === 'tfjs' ? t.modelFiles.fileInput : t.modelFiles.pytorchFileInput}
        onChange={async (event) => {
          const files = Array.from(event.target.files ?? []);
          event.target.value = ''; // choosing the same files again must fire again
          if (files.length === 0) return;
          if (picking === 'pytorch') {
            const read = await readPytorchFile(files[0]);
            if (read.ok) onImportPytorch({ weights: read.weights, fileName: read.fileName });
            else onRefused(read.message, read.text);
            return;
          }
          const read = await readModelFiles(files);
          if (read.ok) onImport(read);
          else onRefused(read.message, read.text);
        }}
      />
      {modelFile?.kind === 'refused' && <Refusal message={modelFile.message} />}
      {modelFile?.kind === 'imported' && <p className="hint">{t.modelFiles.imported(modelFile.fileNames.join(', '))}</p>}
      {modelFile?.kind === 'exported' && <p className="hint">{exportedHint(modelFile.fileNames)}</p>}
      <p className="hint">{t.modelFiles.help}</p>
      <p className="hint">{t.modelFiles.pytorchHelp}</p>
    </section>
  );
}

/**
 * Why a file was not imported (or an export failed). A PyTorch refusal may end in lines of Python (how
 * to convert a `.pt` file): they are shown as code, line for line, and a pickle's refusal also offers
 * the conversion with torch alone.
 */
/** Code keeps its lines; a line wider than the panel scrolls rather than spilling out of it. */
const CODE_STYLE = { overflowX: 'auto' } as const;

function Refusal({ message }: { message: Shown }) {
  const { t } = useI18n();
  const [sentence, ...code] = renderText(t, message).split('\n');
  const text = typeof message === 'string' ? null : message;
  const pytorch = text !== null && isPytorchText(text);
  const shown = pytorch ? t.modelFiles.pytorchRefused(sentence) : text?.key === 'model.exportFailed' ? sentence : t.modelFiles.refused(sentence);
  return (
    <div className="error" role="alert" style={{ whiteSpace: 'pre-wrap' }}>
      {shown}
      {code.length > 0 && (
        <pre style={CODE_STYLE}>
          <code>{code.join('\n')}</code>
        </pre>
      )}
      {text?.key === 'pytorch.pickle' && (
        <details>
          <summary>{t.modelFiles.torchOnly}</summary>
          <pre style={CODE_STYLE}>
            <code>{PICKLE_TO_SAFETENSORS_TORCH_ONLY_PYTHON}</code>
          </pre>
        </details>
      )}
    </div>
  );
}
