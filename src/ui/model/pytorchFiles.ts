/**
 * The page's side of the PyTorch bridge: the two files of **Export for PyTorch** (the worker's
 * `.safetensors`, and the `<run>.py` written here from the run's record) and reading the file chosen for
 * **Import PyTorch weights**. No DOM here: ../download.ts saves the files.
 */
import { englishText, type Text } from '../../shared/texts';
import type { ExportedRun } from '../../shared/pytorch/pytorchFiles';
import { SAFETENSORS_MAX_BYTES } from '../../shared/pytorch/safetensors';
import { pytorchArchitectureOf } from '../../shared/pytorch/specModelClass';
import { generateTrainingScript } from '../../shared/pytorch/trainingScript';

/** What the file picker offers: safetensors, and PyTorch's pickles so that they can be refused with the way to convert them. */
export const PYTORCH_FILE_TYPES = '.safetensors,.pt,.pth';

export interface FileToSave {
  fileName: string;
  blob: Blob;
}

/** `<run>.safetensors` as the worker wrote it, and `<run>.py`: the run as a PyTorch program, with its network's class. */
export function pytorchDownloads(weights: ArrayBuffer, run: ExportedRun, [weightsName, scriptName]: readonly [string, string]): FileToSave[] {
  const script = generateTrainingScript(run, pytorchArchitectureOf(run.config.arch));
  return [
    { fileName: weightsName, blob: new Blob([weights], { type: 'application/octet-stream' }) },
    { fileName: scriptName, blob: new Blob([script], { type: 'text/x-python' }) },
  ];
}

export type PytorchFileRead = { ok: true; weights: ArrayBuffer; fileName: string } | { ok: false; message: string; text: Text };

/** The chosen file's bytes, for the worker to check; a file over the import limit is refused before a byte of it is read. */
export async function readPytorchFile(file: Pick<File, 'name' | 'size' | 'arrayBuffer'>): Promise<PytorchFileRead> {
  if (file.size > SAFETENSORS_MAX_BYTES) {
    const text: Text = { key: 'pytorch.tooLarge', bytes: file.size, limit: SAFETENSORS_MAX_BYTES };
    return { ok: false, message: englishText(text), text };
  }
  return { ok: true, weights: await file.arrayBuffer(), fileName: file.name };
}
