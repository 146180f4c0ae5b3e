import { expect, test } from '@playwright/test';
import { openMoreSettings, openReady } from './helpers';

// This project's Chromium has no WebGPU adapter and only a software (SwiftShader) WebGL renderer.
test('auto ranks the software GPU below WASM and says why', async ({ page }) => {
  await openReady(page, 'backend=auto');
  const status = page.getByRole('status');
  await expect(status).toContainText('Backend: wasm');
  await expect(status).toContainText(/Auto: .*WebGL is software \(.*SwiftShader/);
  await expect(status).toContainText('WebAssembly SIMD');
});

test('a chosen backend that cannot start falls back to the next, with a notice', async ({ page }) => {
  await openReady(page, 'backend=webgpu');
  await expect(page.getByRole('status')).toContainText('Backend: wasm');
  await expect(page.getByRole('status')).toContainText('Fallback: WebGPU was chosen but could not start');
  await expect(page.getByRole('list', { name: 'Notices' })).toContainText('WebGPU could not start');
});

test('switching the Backend menu restarts the worker on that backend', async ({ page }) => {
  await openReady(page, 'backend=wasm');
  await openMoreSettings(page);
  await page.getByLabel('Backend').selectOption('cpu');
  await expect(page.getByRole('status')).toContainText('Backend: cpu', { timeout: 120_000 });
  await expect(page).toHaveURL(/backend=cpu/);
  await expect(page.getByRole('button', { name: 'Train' })).toBeEnabled();
});
