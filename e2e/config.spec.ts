import { expect, test } from '@playwright/test';
import { openMoreSettings } from './helpers';

test('the URL hash sets every control, and invalid values are clamped with a notice', async ({ page }) => {
  await page.goto('/#epochs=500&lr=abc&batch=100&backend=quantum&trainSize=2048&testSize=0&seed=7');
  await expect(page.getByLabel('Epochs')).toHaveValue('50');
  await expect(page.getByLabel('Batch size')).toHaveValue('128');
  await expect(page.getByLabel('Backend')).toHaveValue('auto');
  await expect(page.getByLabel('Training images')).toHaveValue('2048');
  await expect(page.getByLabel('Test images')).toHaveValue('1');
  await expect(page.getByLabel('Seed')).toHaveValue('7');
  const notices = page.getByRole('list', { name: 'Notices' });
  await expect(notices).toContainText('epochs=500 is outside 1–50; using 50');
  await expect(notices).toContainText('lr=abc is not a number');
  await expect(notices).toContainText('backend=quantum is not one of');
  await expect(notices).toContainText('testSize=0 is outside');
  // The hash is rewritten to the clamped, complete configuration: the link now reproduces what is shown.
  await expect(page).toHaveURL(/#epochs=50&lr=0\.001&opt=adam&arch=c32p-c64p-c128p-f256&batch=128&backend=auto&workers=auto&seed=7&trainSize=2048&testSize=1&/);
});

test('changing a control updates the hash, and editing the hash updates the controls', async ({ page }) => {
  await page.goto('/#backend=wasm');
  await page.getByLabel('Epochs').fill('3');
  await page.getByLabel('Batch size').selectOption('256');
  const slider = page.getByLabel('Learning rate');
  await slider.focus();
  await page.keyboard.press('ArrowRight');
  await expect(page).toHaveURL(/epochs=3/);
  await expect(page).toHaveURL(/batch=256/);
  await expect(page).toHaveURL(/lr=0\.00112/);
  const lrValue = page.locator('.field', { has: page.getByLabel('Learning rate', { exact: true }) }).locator('.value');
  await expect(lrValue).toHaveText('0.00112');

  await page.evaluate(() => {
    window.location.hash = 'epochs=4&backend=wasm&lr=0.01';
  });
  await expect(page.getByLabel('Epochs')).toHaveValue('4');
  await expect(lrValue).toHaveText('0.01');
});

test('an out-of-range number typed into a field is clamped when leaving it, with a notice', async ({ page }) => {
  await page.goto('/#backend=wasm');
  await openMoreSettings(page);
  await page.getByLabel('Training images').fill('99999');
  await page.getByLabel('Seed').focus();
  await expect(page.getByLabel('Training images')).toHaveValue('60000');
  await expect(page.getByRole('list', { name: 'Notices' })).toContainText('Training images: 99999 is outside 1–60,000; using 60,000');
});
