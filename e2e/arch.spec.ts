/**
 * The architecture lab as a learner uses it: pick a network, see what it costs, train it, compare it with
 * the seed's on the charts, and carry it in a model file.
 */
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { BLUE, countColouredPixels, epochLogRows, openReady, runRows, stroke, waitForFinish } from './helpers';

/** The palette colour of the first run that is not the current one (src/ui/charts/datasets.ts PALETTE[0]). */
const GREEN: [number, number, number] = [0x2c, 0xa0, 0x2c];

test('the constant-32 preset: its parameter count, a short run beside a SimpleCNN run, and its model file out and back', async ({ page }, testInfo) => {
  await openReady(page, 'backend=wasm&epochs=1&trainSize=1024&testSize=500&batch=64');
  const status = page.getByRole('status');
  await expect(status).toContainText('SimpleCNN: 390,410 parameters');
  await page.getByRole('button', { name: 'Train' }).click();
  await waitForFinish(page);

  const editor = page.getByRole('region', { name: 'Network' });
  await editor.getByLabel('Preset').selectOption({ label: 'Constant 32 channels' });
  await expect(editor.getByRole('table', { name: 'Layers' })).toContainText('95,370');
  await expect(status).toContainText('Network c32p-c32p-c32p-f256: 95,370 parameters');
  await expect(page).toHaveURL(/arch=c32p-c32p-c32p-f256/);
  await page.getByRole('button', { name: 'Train' }).click();
  await waitForFinish(page);

  // Both runs in the table and on the charts, each labelled by its network.
  await expect(runRows(page)).toHaveCount(2);
  await expect(runRows(page).nth(0)).toContainText('SimpleCNN');
  await expect(runRows(page).nth(1)).toContainText('32-32-32');
  const lossChart = page.getByRole('img', { name: 'Training Loss Curve' });
  await expect.poll(() => countColouredPixels(lossChart, BLUE)).toBeGreaterThan(30);
  await expect.poll(() => countColouredPixels(lossChart, GREEN)).toBeGreaterThan(30);
  expect((await epochLogRows(page)).map((row) => row[0])).toEqual(['1/1']);
  // The feature maps describe the network that made them.
  await stroke(page, [[0.5, 0.15], [0.5, 0.85]]);
  await expect(page.getByRole('img', { name: 'conv2: 32 maps of 14×14' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('constant32-beside-simplecnn.png'), fullPage: true });

  // Its model file names its network; imported into a page set to SimpleCNN, it brings the network along.
  const [jsonDownload, binDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.waitForEvent('download', { predicate: (d) => d.suggestedFilename().endsWith('.bin') }),
    page.getByRole('button', { name: 'Export model' }).click(),
  ]);
  const modelJson = await readFile(await jsonDownload.path(), 'utf8');
  expect(JSON.parse(modelJson).modelTopology).toBeTruthy();
  expect(modelJson).toContain('c32p-c32p-c32p-f256');
  const weights = await readFile(await binDownload.path());
  expect(weights.byteLength).toBe(95_370 * 4);
  const prediction = await page.getByLabel('Prediction', { exact: true }).textContent();

  await openReady(page, 'backend=wasm&epochs=1&trainSize=1024&testSize=500&batch=64&arch=c32p-c64p-c128p-f256');
  await expect(status).toContainText('SimpleCNN: 390,410 parameters');
  await page.locator('input[type="file"]').first().setInputFiles([
    { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(modelJson) },
    { name: binDownload.suggestedFilename(), mimeType: 'application/octet-stream', buffer: weights },
  ]);
  await expect(page.getByText(/Imported model\.json/)).toBeVisible();
  await expect(status).toContainText('Network c32p-c32p-c32p-f256: 95,370 parameters');
  await expect(page.getByRole('region', { name: 'Network' }).getByLabel('Preset')).toHaveValue('constant32');
  await stroke(page, [[0.5, 0.15], [0.5, 0.85]]);
  await expect(page.getByLabel('Prediction', { exact: true })).toHaveText(prediction ?? '');
  await expect(page.getByText('untrained network')).toHaveCount(0);
});

test('a network that cannot work is refused with its layer and reason, and the one in effect stays', async ({ page }) => {
  await openReady(page, 'backend=wasm&arch=c32p-c32p-c32p-c32p-c32p-f256');
  await expect(page.getByText(/arch=c32p-c32p-c32p-c32p-c32p-f256 is not a network this app can build: .*conv5/)).toBeVisible();
  await expect(page.getByRole('status')).toContainText('SimpleCNN: 390,410 parameters');
  const editor = page.getByRole('region', { name: 'Network' });
  await editor.getByLabel('Block 2 channels').fill('0');
  await expect(editor).toContainText(/Block 2 \(conv2\)/);
  await expect(page.getByRole('status')).toContainText('SimpleCNN: 390,410 parameters');
  await expect(page).toHaveURL(/arch=c32p-c64p-c128p-f256/);
});
