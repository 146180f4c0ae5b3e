import { expect, test } from '@playwright/test';
import { epochLogRows, openReady } from './helpers';

// Run with --enable-unsafe-webgpu (see playwright.config.ts): headless Chromium then offers a SwiftShader
// adapter. It is slow, so this trains a few small batches: enough to prove the GPU path computes real values
// (sync reads on this adapter return zeros, so a loss of 0 or a NaN would show a wrong read path).
test('trains a few steps on the WebGPU backend inside the worker', async ({ page }, testInfo) => {
  await openReady(page, 'epochs=1&backend=webgpu&trainSize=96&testSize=100&batch=32&seed=3');
  const status = page.getByRole('status');
  await expect(status).toContainText('Backend: webgpu');
  await expect(status).toContainText('(software)');

  await page.getByRole('button', { name: 'Train' }).click();
  await expect(page.getByText(/Final test accuracy/)).toBeVisible({ timeout: 240_000 });
  const [row] = await epochLogRows(page);
  const loss = Number(row[1]);
  // Three steps from a fresh network: the mean loss sits near ln(10) ≈ 2.30, never 0.
  expect(loss).toBeGreaterThan(1);
  expect(loss).toBeLessThan(4);
  const testAccuracy = Number(row[3].replace('%', ''));
  expect(testAccuracy).toBeGreaterThanOrEqual(0);
  expect(testAccuracy).toBeLessThanOrEqual(100);
  await page.screenshot({ path: testInfo.outputPath('webgpu-run.png'), fullPage: true });
});
