import { expect, test, type Page } from '@playwright/test';
import { openReady } from './helpers';
import { LANGUAGE_SWITCH_LABEL, LOCALE_STORAGE_KEY } from '../src/ui/i18n/locale';
import { en } from '../src/ui/i18n/messages';
import { zh } from '../src/ui/i18n/zh';

/** The start of the status line once the data is verified, in Chinese (openReady waits for "MNIST verified"). */
const VERIFIED_ZH = 'MNIST 已校验';

/** openReady for a page in Chinese: the data verified and Train (训练) enabled. */
async function openReadyChinese(page: Page, hash: string): Promise<void> {
  await page.goto(`/#${hash}`);
  await waitReadyChinese(page);
}

async function waitReadyChinese(page: Page): Promise<void> {
  await expect(page.getByRole('status')).toContainText(VERIFIED_ZH, { timeout: 120_000 });
  await expect(page.getByRole('button', { name: zh.controls.train, exact: true })).toBeEnabled();
}

const languageMenu = (page: Page) => page.getByRole('combobox', { name: LANGUAGE_SWITCH_LABEL, exact: true });

/** Labels of the drawing, prediction, feature-map and log panels in one language, by accessible name. */
async function expectLabels(page: Page, t: typeof en): Promise<void> {
  await expect(page.getByRole('img', { name: t.drawing.pad, exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: t.drawing.clear, exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: t.drawing.undo, exact: true })).toBeVisible();
  await expect(page.getByLabel(t.prediction.prediction, { exact: true })).toHaveText('');
  await expect(page.getByText(t.prediction.drawHint, { exact: true })).toBeVisible();
  const probabilities = page.getByRole('list', { name: t.prediction.probabilities, exact: true }).locator('li .bar-label');
  await expect(probabilities).toHaveText(Array.from({ length: 10 }, (_, digit) => t.prediction.noProbability(digit)));
  await expect(page.getByRole('region', { name: t.featureMaps.region, exact: true })).toContainText(t.featureMaps.heading);
  await expect(page.getByRole('table', { name: t.epochLog.caption, exact: true })).toContainText(t.epochLog.empty);
  await expect(page.getByRole('progressbar', { name: t.progress.bar, exact: true })).toBeVisible();
}

test.describe('in an English browser', () => {
  test.use({ locale: 'en-US' });

  test('the Language menu switches the labels to Chinese, a reload keeps Chinese, and English brings the English names back', async ({ page }, testInfo) => {
    await openReady(page, 'backend=wasm');
    await expect(languageMenu(page)).toHaveValue('en');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page).toHaveTitle(en.app.documentTitle);
    await expectLabels(page, en);

    await languageMenu(page).selectOption({ label: '中文' });
    await expect(page.getByRole('button', { name: '清除', exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Clear', exact: true })).toHaveCount(0);
    await expect(page.getByRole('status')).toContainText(VERIFIED_ZH);
    await expect(page.getByRole('status')).not.toContainText('MNIST verified');
    await expectLabels(page, zh);
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await expect(page).toHaveTitle(zh.app.documentTitle);
    expect(await page.evaluate((key) => localStorage.getItem(key), LOCALE_STORAGE_KEY)).toBe('zh');
    await page.screenshot({ path: testInfo.outputPath('zh.png'), fullPage: true });

    await page.reload();
    await waitReadyChinese(page);
    await expect(languageMenu(page)).toHaveValue('zh');
    await expectLabels(page, zh);

    await languageMenu(page).selectOption({ label: 'English' });
    await expect(page.getByRole('status')).toContainText('MNIST verified');
    await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
    await expectLabels(page, en);
    // The names the other tests find things by, exactly.
    await expect(page.getByRole('img', { name: 'Drawing pad', exact: true })).toBeVisible();
    await expect(page.getByRole('list', { name: 'Probabilities', exact: true })).toBeVisible();
    await expect(page.getByRole('table', { name: 'Epoch log', exact: true })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Feature maps', exact: true })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page).toHaveTitle('MNIST Lab');

    await page.reload();
    await expect(page.getByRole('status')).toContainText('MNIST verified', { timeout: 120_000 });
    await expect(languageMenu(page)).toHaveValue('en');
  });
});

test.describe('in a Chinese browser', () => {
  test.use({ locale: 'zh-CN' });

  test('the page opens in Chinese without being told, and a stored English choice wins', async ({ page }) => {
    await openReadyChinese(page, 'backend=wasm');
    await expect(languageMenu(page)).toHaveValue('zh');
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await expect(page).toHaveTitle(zh.app.documentTitle);
    await expectLabels(page, zh);
    // Detected, not chosen: nothing is remembered until the user picks a language.
    expect(await page.evaluate((key) => localStorage.getItem(key), LOCALE_STORAGE_KEY)).toBeNull();

    await page.evaluate((key) => localStorage.setItem(key, 'en'), LOCALE_STORAGE_KEY);
    await page.reload();
    await expect(page.getByRole('status')).toContainText('MNIST verified', { timeout: 120_000 });
    await expect(languageMenu(page)).toHaveValue('en');
    await expectLabels(page, en);
  });

  test('what the URL parser and the worker write is shown in Chinese too', async ({ page }) => {
    await openReadyChinese(page, 'epochs=500&backend=wasm');
    const notices = page.getByRole('list', { name: zh.notices.list, exact: true });
    await expect(notices).toContainText('epochs=500 超出 1–50 的范围；改用 50。');
    await expect(notices).not.toContainText('is outside');
    // The backend's reason (chosen in the menu) and the WASM flavour, from the worker's `ready` event.
    await expect(page.getByRole('status').locator('.reason')).toHaveText(zh.texts.render({ key: 'backend.chosen' }));
    await expect(page.getByRole('status')).toContainText(/WebAssembly( SIMD)?，每个工作线程 \d+ 个线程/);

    await languageMenu(page).selectOption({ label: 'English' });
    await expect(page.getByRole('list', { name: en.notices.list, exact: true })).toContainText('epochs=500 is outside 1–50; using 50.');
    await expect(page.getByRole('status').locator('.reason')).toHaveText('Chosen in the Backend menu.');
  });
});
