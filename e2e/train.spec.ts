import { expect, test } from '@playwright/test';
import { BLUE, ORANGE, countColouredPixels, epochLogRows, openReady } from './helpers';

test('trains two epochs on WASM: live charts, the epoch log, Pause and Resume, the final accuracy', async ({ page }, testInfo) => {
  await openReady(page, 'epochs=2&backend=wasm&trainSize=1024&testSize=1000&batch=128&seed=1');
  const status = page.getByRole('status');
  await expect(status).toContainText('Backend: wasm');
  await expect(status).toContainText('Chosen in the Backend menu');
  await expect(status).toContainText('390,410');

  const lossChart = page.getByRole('img', { name: 'Training Loss Curve' });
  const accuracyChart = page.getByRole('img', { name: 'Accuracy Curves' });
  const blueBefore = await countColouredPixels(lossChart, BLUE);
  const orangeBefore = await countColouredPixels(accuracyChart, ORANGE);

  await page.getByRole('button', { name: 'Train' }).click();
  const progress = page.getByRole('progressbar', { name: 'Epoch progress' });
  await expect(progress).toHaveAttribute('aria-valuenow', /^[1-9]/);
  await expect(page.getByText(/samples\/s/)).toBeVisible();

  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('button', { name: 'Resume' })).toBeVisible();
  const pausedAt = await progress.getAttribute('aria-valuetext');
  // The batch in flight when Pause arrived may still finish; after that nothing moves.
  await page.waitForTimeout(3000);
  const settled = await progress.getAttribute('aria-valuetext');
  await page.waitForTimeout(3000);
  expect(await progress.getAttribute('aria-valuetext')).toBe(settled);
  expect(pausedAt).not.toBeNull();

  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect(page.getByText(/Final test accuracy/)).toBeVisible({ timeout: 240_000 });
  await expect(page.getByRole('button', { name: 'Train' })).toBeEnabled();

  const rows = await epochLogRows(page);
  expect(rows).toHaveLength(2);
  expect(rows.map((r) => r[0])).toEqual(['1/2', '2/2']);
  const losses = rows.map((r) => Number(r[1]));
  expect(losses[0]).toBeGreaterThan(0);
  expect(losses[1]).toBeLessThan(losses[0]);
  for (const row of rows) {
    expect(row[1]).toMatch(/^\d+\.\d{4}$/);
    expect(row[2]).toMatch(/^\d+\.\d{2}%$/);
    expect(row[3]).toMatch(/^\d+\.\d{2}%$/);
    expect(row[4]).toBe('0.001000');
  }
  const finalAccuracy = Number(rows[1][3].replace('%', ''));
  await expect(page.getByText(`Final test accuracy: ${rows[1][3]}`)).toBeVisible();
  expect(finalAccuracy).toBeGreaterThan(50); // 1,024 images, two epochs: far above chance (10%)

  // Both panels drew their series (the loss chart has no legend, so any blue is the curve).
  expect(await countColouredPixels(lossChart, BLUE)).toBeGreaterThan(blueBefore + 100);
  expect(await countColouredPixels(accuracyChart, ORANGE)).toBeGreaterThan(orangeBefore + 100);

  // No tensor leaks from one epoch to the next.
  await expect(status).toContainText(/Tensors in the worker after each epoch: (\d+), \1\./);

  await expect(page.locator('.printout pre')).toContainText('Epoch 2/2\n Loss: ');
  await page.screenshot({ path: testInfo.outputPath('finished-run.png'), fullPage: true });
});

test('Stop ends a run early and keeps what it measured', async ({ page }) => {
  await openReady(page, 'epochs=3&backend=wasm&trainSize=512&testSize=500&batch=64');
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(page.getByRole('table', { name: 'Epoch log' }).locator('tbody tr td').first()).toHaveText('1/3', { timeout: 120_000 });
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByRole('button', { name: 'Train' })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Stop' })).toBeDisabled();
  await expect(page.getByText(/Stopped\. Last test accuracy/)).toBeVisible();
  expect((await epochLogRows(page)).length).toBeLessThan(3);
});
