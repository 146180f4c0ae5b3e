import { gunzipSync, gzipSync } from 'node:zlib';
import { expect, test } from '@playwright/test';

test('a damaged data file stops with a message naming it, and Train stays disabled', async ({ page }) => {
  await page.route('**/data/t10k-labels-idx1-ubyte.gz', async (route) => {
    const original = await route.fetch();
    const raw = gunzipSync(await original.body());
    raw[100] ^= 0x01; // one label changed: the IDX structure is intact, only the checksum can tell
    await route.fulfill({ response: original, body: gzipSync(raw) });
  });
  await page.goto('/#backend=wasm');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('t10k-labels-idx1-ubyte', { timeout: 120_000 });
  await expect(alert).toContainText(/checksum/i);
  await expect(page.getByRole('button', { name: 'Train' })).toBeDisabled();
});

test('a missing data file is reported by name', async ({ page }) => {
  await page.route('**/data/train-labels-idx1-ubyte.gz', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto('/#backend=wasm');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('train-labels-idx1-ubyte', { timeout: 120_000 });
  await expect(alert).toContainText('404');
  await expect(page.getByRole('button', { name: 'Train' })).toBeDisabled();
});
