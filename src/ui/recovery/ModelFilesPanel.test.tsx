// @vitest-environment jsdom
/**
 * The Model files panel's PyTorch side under StrictMode: what Export for PyTorch says the network is,
 * the file picker of Import PyTorch weights (its file types, a file over the limit refused unread), and
 * refusals shown with their lines of Python as code, in English and Chinese.
 */
import { act, StrictMode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG } from '../../shared/config';
import type { BackendInfo } from '../../shared/protocol';
import type { ExportedRun } from '../../shared/pytorch/pytorchFiles';
import { PICKLE_TO_SAFETENSORS_PYTHON, PICKLE_TO_SAFETENSORS_TORCH_ONLY_PYTHON } from '../../shared/pytorch/pytorchTexts';
import { SAFETENSORS_MAX_BYTES } from '../../shared/pytorch/safetensors';
import type { Locale } from '../i18n/locale';
import { I18nContext, i18nFor } from '../i18n/useI18n';
import type { RunRecord } from '../runs/runTypes';
import type { TrainerView } from '../trainerState';
import { ModelFilesPanel } from './ModelFilesPanel';
import { testRoot } from '../testing/testRoot';

const dom = testRoot();
const onExportPytorch = vi.fn<(run: ExportedRun) => void>();
const onImportPytorch = vi.fn<(file: { weights: ArrayBuffer; fileName: string }) => void>();
const onRefused = vi.fn<(message: string, text: unknown) => void>();

const backend: BackendInfo = { name: 'wasm', adapter: 'WebAssembly SIMD', software: false, reason: 'chosen', workers: 1 };
const record: RunRecord = { id: 'run-a', createdAt: 0, config: DEFAULT_CONFIG, epochs: [], batchLoss: [], liveChanges: [], hidden: false, status: 'stopped' };

interface PanelState {
  modelFile?: TrainerView['modelFile'];
  weightsVersion?: number;
  locale?: Locale;
}

function renderPanel({ modelFile = null, weightsVersion = 1, locale = 'en' }: PanelState = {}) {
  act(() =>
    dom.root.render(
      <StrictMode>
        <I18nContext.Provider value={i18nFor(locale, () => undefined)}>
          <ModelFilesPanel
            modelFile={modelFile}
            canImport
            canExport
            onExport={() => undefined}
            onImport={() => undefined}
            onRefused={onRefused}
            currentRun={{ record, label: 'Run 1' }}
            config={{ ...DEFAULT_CONFIG, seed: 4 }}
            weightsVersion={weightsVersion}
            backend={backend}
            onExportPytorch={onExportPytorch}
            onImportPytorch={onImportPytorch}
          />
        </I18nContext.Provider>
      </StrictMode>,
    ),
  );
}

function button(name: string): HTMLButtonElement {
  const found = Array.from(dom.container.querySelectorAll('button')).find((b) => b.textContent === name);
  if (!found) throw new Error(`no button ${name}`);
  return found;
}

const fileInput = () => dom.container.querySelector<HTMLInputElement>('input[type="file"]') as HTMLInputElement;

/** Chooses files in the picker the button opened (jsdom opens none: its input gets them, as a browser's would). */
async function choose(buttonName: string, files: Partial<File>[]): Promise<void> {
  act(() => button(buttonName).click());
  const input = fileInput();
  Object.defineProperty(input, 'files', { value: files, configurable: true });
  await act(async () => {
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

beforeEach(() => {
  vi.clearAllMocks();
});

describe('Export for PyTorch', () => {
  it('names the current run, then an import once one replaced its network', () => {
    renderPanel();
    act(() => button('Export for PyTorch').click());
    expect(onExportPytorch).toHaveBeenLastCalledWith({ id: 'run-a', name: 'Run 1', config: DEFAULT_CONFIG, testAccuracy: null, liveChanges: [] });

    renderPanel({ modelFile: { kind: 'imported', fileNames: ['trained.safetensors'] }, weightsVersion: 2 });
    act(() => button('Export for PyTorch').click());
    expect(onExportPytorch).toHaveBeenLastCalledWith({ id: 'imported', name: 'Imported trained', config: { ...DEFAULT_CONFIG, seed: 4 }, testAccuracy: null });
  });

  it("says what the two saved files are and how PyTorch tests them; a TensorFlow.js export's hint stays", () => {
    renderPanel({ modelFile: { kind: 'exported', fileNames: ['run-1.safetensors', 'run-1.py'] } });
    expect(dom.container.textContent).toContain('Saved run-1.safetensors and run-1.py: in PyTorch, python3 run-1.py --weights run-1.safetensors prints their test accuracy.');
    renderPanel({ modelFile: { kind: 'exported', fileNames: ['model.json', 'model.weights.bin'] } });
    expect(dom.container.textContent).toContain("Saved model.json, model.weights.bin: load them in any TensorFlow.js app with tf.loadLayersModel('model.json').");
  });
});

describe('Import PyTorch weights', () => {
  it('opens a picker of one .safetensors, .pt or .pth file and sends its bytes and name', async () => {
    renderPanel();
    expect(fileInput().multiple).toBe(true); // the TensorFlow.js import's model.json and weights
    const bytes = Uint8Array.of(8, 0, 0, 0, 0, 0, 0, 0);
    await choose('Import PyTorch weights', [{ name: 'run-1.safetensors', size: bytes.length, arrayBuffer: () => Promise.resolve(bytes.buffer) }]);
    expect(fileInput().accept).toBe('.safetensors,.pt,.pth');
    expect(fileInput().multiple).toBe(false);
    expect(onImportPytorch).toHaveBeenCalledWith({ weights: bytes.buffer, fileName: 'run-1.safetensors' });

    // The other button sets the picker back.
    act(() => button('Import model').click());
    expect(fileInput().multiple).toBe(true);
    expect(fileInput().accept).toContain('.json');
  });

  it('refuses a file over the limit without reading it', async () => {
    renderPanel();
    const arrayBuffer = vi.fn();
    await choose('Import PyTorch weights', [{ name: 'big.safetensors', size: SAFETENSORS_MAX_BYTES + 1, arrayBuffer }]);
    expect(arrayBuffer).not.toHaveBeenCalled();
    expect(onImportPytorch).not.toHaveBeenCalled();
    expect(onRefused).toHaveBeenCalledWith(expect.stringContaining('up to 100.0 MB'), { key: 'pytorch.tooLarge', bytes: SAFETENSORS_MAX_BYTES + 1, limit: SAFETENSORS_MAX_BYTES });
  });
});

describe('refusals', () => {
  it("show a pickle's reason, its conversion as lines of code, and the conversion with torch alone", () => {
    renderPanel({ modelFile: { kind: 'refused', message: { key: 'pytorch.pickle', container: 'zip' } } });
    const alert = dom.container.querySelector('[role="alert"]') as HTMLElement;
    expect(alert.textContent).toMatch(/^The PyTorch weights were not imported; the current model is unchanged\. This is a PyTorch pickle file/);
    const [code, torchOnly] = Array.from(alert.querySelectorAll('pre'), (pre) => pre.textContent);
    expect(code).toBe(PICKLE_TO_SAFETENSORS_PYTHON);
    expect(code).toContain('torch.load');
    expect(torchOnly).toBe(PICKLE_TO_SAFETENSORS_TORCH_ONLY_PYTHON);
    expect(alert.querySelector('summary')?.textContent).toContain('torch alone');
  });

  it("say a TensorFlow.js file's refusal and a failed export as before", () => {
    renderPanel({ modelFile: { kind: 'refused', message: { key: 'model.chooseBin' } } });
    expect(dom.container.querySelector('[role="alert"]')?.textContent).toBe(
      'The model was not imported: Choose the weights file (.bin) together with model.json. The current model is unchanged.',
    );
    renderPanel({ modelFile: { kind: 'refused', message: { key: 'model.exportFailed', detail: 'out of memory' } } });
    expect(dom.container.querySelector('[role="alert"]')?.textContent).toBe('The model could not be exported: out of memory');
  });

  it('are in Chinese on a Chinese page, beside Chinese button names', () => {
    renderPanel({ locale: 'zh', modelFile: { kind: 'refused', message: { key: 'pytorch.pickle', container: 'pickle' } } });
    expect(button('导出为 PyTorch')).toBeTruthy();
    expect(button('导入 PyTorch 权重')).toBeTruthy();
    const alert = dom.container.querySelector('[role="alert"]') as HTMLElement;
    expect(alert.textContent).toMatch(/^PyTorch 权重未导入，当前模型保持不变。这是 PyTorch 的 pickle 文件/);
    expect(alert.querySelector('pre')?.textContent).toBe(PICKLE_TO_SAFETENSORS_PYTHON);
  });
});
