import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { BLUE, countColouredPixels, epochLogRows, openReady } from './helpers';

/** The palette colour of the first run that is not the current one (src/ui/charts/datasets.ts PALETTE[0]). */
const GREEN: [number, number, number] = [0x2c, 0xa0, 0x2c];

const SMALL_RUN = 'backend=wasm&epochs=2&trainSize=1536&testSize=500&batch=64';

async function waitForFinish(page: Page): Promise<void> {
  await expect(page.getByText(/Final test accuracy/)).toBeVisible({ timeout: 240_000 });
  await expect(page.getByRole('button', { name: 'Train' })).toBeEnabled();
}

function runRows(page: Page) {
  return page.getByRole('table', { name: 'Runs' }).locator('tbody tr');
}

/** A download's text, from clicking `name` in the Export menu. */
async function exportText(page: Page, name: string): Promise<{ filename: string; text: string }> {
  const menu = page.locator('.export-menu');
  if (!(await menu.evaluate((details) => (details as HTMLDetailsElement).open))) await page.getByRole('button', { name: 'Export', exact: true }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name, exact: true }).click()]);
  const path = await download.path();
  return { filename: download.suggestedFilename(), text: readFileSync(path, 'latin1') };
}

test('a live learning-rate change is marked where it took effect; runs are kept across a reload, overlaid, and exported', async ({ page }, testInfo) => {
  await openReady(page, SMALL_RUN);
  await page.getByRole('button', { name: 'Train' }).click();
  // Mid-epoch 1: four notches to the right on the log slider, 1e-3 → 10^-2.8.
  await expect(page.getByText(/Epoch 1\/2 · batch ([3-9]|1\d)\/24/)).toBeVisible({ timeout: 120_000 });
  const slider = page.getByLabel('Learning rate', { exact: true });
  await slider.focus();
  for (let i = 0; i < 4; i++) await slider.press('ArrowRight');
  const changes = page.getByRole('region', { name: 'Live changes' });
  // Key presses may land in different batches: each batch takes what the slider says by then.
  await expect(changes).toContainText(/Epoch 1, batch \d+: lr [\d.]+e-3→1\.58e-3/);
  await expect(changes).toContainText('learning rate from here: 0.00158');
  await expect(page.getByText(/Effective learning rate: 0\.00158/)).toBeVisible();
  await waitForFinish(page);
  const rows = await epochLogRows(page);
  expect(rows.map((r) => r[4])).toEqual(['0.001580', '0.001580']);
  await page.screenshot({ path: testInfo.outputPath('live-change.png'), fullPage: true });

  // The same configuration twice (now 1.58e-3 from the start): the same seed and data order give the
  // same epoch losses to the printed 4 decimals.
  await page.getByRole('button', { name: 'Train' }).click();
  await waitForFinish(page);
  const secondLosses = (await epochLogRows(page)).map((r) => r[1]);
  expect(secondLosses).not.toEqual(rows.map((r) => r[1])); // the first run began at 1e-3
  await page.getByRole('button', { name: 'Train' }).click();
  await waitForFinish(page);
  expect((await epochLogRows(page)).map((r) => r[1])).toEqual(secondLosses);

  await page.reload();
  await expect(page.getByRole('status')).toContainText('MNIST verified', { timeout: 120_000 });
  await expect(runRows(page)).toHaveCount(3);
  await expect(runRows(page).first()).toContainText('done');
  await expect(runRows(page).first()).toContainText('2/2');

  // Both kept runs drawn: after a reload neither is current, so both are in palette colours.
  const lossChart = page.getByRole('img', { name: 'Training Loss Curve' });
  await expect.poll(() => countColouredPixels(lossChart, GREEN)).toBeGreaterThan(30);
  await page.getByRole('checkbox', { name: /^Hide run / }).first().uncheck();
  await expect(page.getByRole('checkbox', { name: /^Show run / })).toHaveCount(1);
  await expect(page.getByRole('checkbox', { name: /^Hide run / })).toHaveCount(2);

  await page.getByRole('button', { name: /^Rename run / }).first().click();
  await page.getByRole('textbox', { name: /^Name of run / }).fill('first, "quoted" run');
  await page.keyboard.press('Enter');
  await expect(runRows(page).first()).toContainText('first, "quoted" run');

  const csv = await exportText(page, 'Export runs as CSV');
  expect(csv.filename).toMatch(/\.csv$/);
  const lines = csv.text.trim().split('\r\n');
  expect(lines).toHaveLength(1 + 6); // header + 2 epochs × 3 runs
  expect(lines[0]).toMatch(/^run_id,run_label,/);
  expect(lines.some((line) => line.includes('"first, ""quoted"" run"'))).toBe(true);
  const json = JSON.parse((await exportText(page, 'Export runs as JSON')).text) as { app: string; runs: { epochs: unknown[]; batchLoss: unknown[] }[] };
  expect(json.app).toBe('mnist-lab');
  expect(json.runs).toHaveLength(3);
  expect(json.runs[0].epochs).toHaveLength(2);
  expect(json.runs[0].batchLoss).toHaveLength(48);
  const png = await exportText(page, 'Loss chart as PNG');
  expect(png.filename).toMatch(/\.png$/);
  expect(png.text.slice(1, 4)).toBe('PNG');

  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: /^Delete run / }).first().click();
  await expect(runRows(page)).toHaveCount(2);
  await page.reload();
  await expect(runRows(page)).toHaveCount(2);
});

test('Compare Adam vs AdamW runs Adam, then AdamW as a branch from its initial weights, and overlays them, labelled by what differs', async ({ page }, testInfo) => {
  await openReady(page, 'backend=wasm&epochs=1&trainSize=1024&testSize=500&batch=64');
  page.on('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Compare Adam vs AdamW' }).click();
  await expect(runRows(page)).toHaveCount(2, { timeout: 240_000 });
  await waitForFinish(page);
  // Two branches from one point: AdamW branches from Adam's epoch 0 (the same weights and data order),
  // so it is labelled by what it changed there.
  await expect(runRows(page).nth(0)).toContainText('Run 1');
  await expect(runRows(page).nth(1)).toContainText('Run 1 @0 · AdamW wd=1e-2');
  await expect(page.getByLabel('Optimizer')).toHaveValue('adamw');
  const lossChart = page.getByRole('img', { name: 'Training Loss Curve' });
  await expect.poll(() => countColouredPixels(lossChart, BLUE)).toBeGreaterThan(30); // AdamW, the current run
  // Adam, overlaid: in one short epoch its curve lies almost on AdamW's (the decays differ by lr·λ per
  // step), so what shows of it is its legend entry and the odd pixel beside the blue line.
  await expect.poll(() => countColouredPixels(lossChart, GREEN)).toBeGreaterThan(5);
  await expect(page.getByText('θ ← θ − lr·λ·θ')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('compare.png'), fullPage: true });
});
