/** Downloading an exported model and reading files chosen for import (the page side of model files). */
import { downloadBlob } from '../download';
import { englishText, type Text } from '../../shared/texts';

/** model.json and its weights file, the pair `tf.loadLayersModel` reads. */
export function downloadModelFiles(modelJson: string, weights: ArrayBuffer, weightsFileName: string): void {
  downloadBlob('model.json', new Blob([modelJson], { type: 'application/json' }));
  downloadBlob(weightsFileName, new Blob([weights], { type: 'application/octet-stream' }));
}

const refusal = (text: Text) => ({ ok: false as const, message: englishText(text), text });

/**
 * Sorts the chosen files into model.json (the one JSON file) and its weights (the other files,
 * concatenated in the order the manifest names them, as tfjs does), or says what is missing.
 */
export async function readModelFiles(files: readonly File[]): Promise<{ ok: true; modelJson: string; weights: ArrayBuffer; fileNames: string[] } | { ok: false; message: string; text: Text }> {
  const jsonFiles = files.filter((file) => file.name.toLowerCase().endsWith('.json'));
  if (jsonFiles.length !== 1) return refusal({ key: 'model.chooseOneJson', count: jsonFiles.length });
  const binFiles = files.filter((file) => file !== jsonFiles[0]);
  if (binFiles.length === 0) return refusal({ key: 'model.chooseBin' });
  const modelJson = await jsonFiles[0].text();
  const order = manifestPaths(modelJson);
  const byName = new Map(binFiles.map((file) => [file.name, file]));
  const ordered = order && order.every((path) => byName.has(path)) ? order.map((path) => byName.get(path) as File) : binFiles;
  const parts = await Promise.all(ordered.map((file) => file.arrayBuffer()));
  const weights = new Uint8Array(parts.reduce((n, part) => n + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    weights.set(new Uint8Array(part), offset);
    offset += part.byteLength;
  }
  return { ok: true, modelJson, weights: weights.buffer, fileNames: [jsonFiles[0].name, ...ordered.map((file) => file.name)] };
}

/** The weight file names in manifest order, or null when model.json does not say (the worker then explains). */
function manifestPaths(modelJson: string): string[] | null {
  try {
    const parsed: unknown = JSON.parse(modelJson);
    const manifest = (parsed as { weightsManifest?: { paths?: unknown }[] }).weightsManifest;
    if (!Array.isArray(manifest)) return null;
    const paths = manifest.flatMap((group) => (Array.isArray(group.paths) ? group.paths : []));
    return paths.every((path): path is string => typeof path === 'string') ? paths.map((path) => path.split('/').pop() ?? path) : null;
  } catch {
    return null;
  }
}
