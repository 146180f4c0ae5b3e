/**
 * One screen: on a laptop (1366×768) and a desktop (1920×1080) everything a user needs to train, steer
 * and test the network is in the window without scrolling — before a run and while it trains, with a
 * live change listed. On a phone (390×844) the page stays one column wide and the pad still draws.
 * Runs on the build and on `npm start`'s dev server (StrictMode: the remembered "More settings" state
 * must survive the double mount).
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { openReady, stroke } from './helpers';

const RUN = 'backend=wasm&epochs=2&trainSize=1024&testSize=300&batch=64';
/** Long enough to be still training after the checks (it is stopped then). */
const LONG_RUN = 'backend=wasm&epochs=30&trainSize=1024&testSize=300&batch=64';

/** What must be on screen, by the names a user (and a screen reader) knows them by. */
function essentials(page: Page): Record<string, Locator> {
  return {
    'Train or Pause': page.locator('.controls button.primary'),
    Stop: page.getByRole('button', { name: 'Stop', exact: true }),
    'progress line': page.getByRole('region', { name: 'Training progress' }),
    'loss chart': page.getByRole('img', { name: 'Training Loss Curve' }),
    'accuracy chart': page.getByRole('img', { name: 'Accuracy Curves' }),
    Epochs: page.getByLabel('Epochs', { exact: true }),
    'learning-rate slider': page.getByLabel('Learning rate', { exact: true }),
    'learning-rate value': page.locator('.field', { has: page.getByLabel('Learning rate', { exact: true }) }).locator('.value'),
    'Batch size': page.getByLabel('Batch size', { exact: true }),
    Optimizer: page.getByLabel('Optimizer', { exact: true }),
    'drawing pad': page.getByRole('img', { name: 'Drawing pad' }),
    prediction: page.getByRole('region', { name: 'Prediction panel' }),
    'probability of 0': page.getByRole('list', { name: 'Probabilities', exact: true }).getByRole('listitem').first(),
    'probability of 9': page.getByRole('list', { name: 'Probabilities', exact: true }).getByRole('listitem').last(),
  };
}

/** Each essential is visible and lies wholly inside the window, which has not been scrolled. */
async function expectAllInView(page: Page, when: string): Promise<void> {
  const viewport = page.viewportSize();
  if (!viewport) throw new Error('no viewport');
  expect(await page.evaluate(() => window.scrollY), `${when}: scrolled`).toBe(0);
  for (const [name, locator] of Object.entries(essentials(page))) {
    await expect(locator, `${when}: ${name}`).toBeVisible();
    const box = await locator.boundingBox();
    if (!box) throw new Error(`${when}: ${name} has no box`);
    expect(box.x, `${when}: ${name} left`).toBeGreaterThanOrEqual(0);
    expect(box.y, `${when}: ${name} top`).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, `${when}: ${name} right`).toBeLessThanOrEqual(viewport.width);
    expect(box.y + box.height, `${when}: ${name} bottom`).toBeLessThanOrEqual(viewport.height);
  }
}

for (const size of [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
]) {
  test.describe(`at ${size.width}×${size.height}`, () => {
    test.use({ viewport: size });

    test('Train, the charts, the learning rate and the drawing pad are on one screen, before and while training', async ({ page }, testInfo) => {
      await openReady(page, LONG_RUN);
      await expectAllInView(page, 'before a run');
      // The settings beyond the seed's recipe wait, folded, under "More settings".
      await expect(page.getByLabel('Weight decay', { exact: true })).toBeHidden();
      await expect(page.getByLabel('Seed', { exact: true })).toBeHidden();

      await page.getByRole('button', { name: 'Train', exact: true }).click();
      await expect(page.getByRole('button', { name: 'Pause', exact: true })).toBeVisible();
      const slider = page.getByLabel('Learning rate', { exact: true });
      await slider.focus();
      await slider.press('ArrowLeft');
      await expect(page.getByRole('region', { name: 'Live changes' })).toBeVisible();
      await expect(page.getByRole('table', { name: 'Epoch log' }).locator('tbody tr td').first()).toHaveText('1/30', { timeout: 120_000 });
      await stroke(page, [[0.5, 0.15], [0.5, 0.85]]);
      await expect(page.getByLabel('Prediction', { exact: true })).toHaveText(/^\d$/);
      await expectAllInView(page, 'while training');
      await page.screenshot({ path: testInfo.outputPath(`training-${size.width}x${size.height}.png`) });
      await page.getByRole('button', { name: 'Stop', exact: true }).click();
      await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
    });
  });
}

test('More settings opens on a click, shows the rest of the recipe, and stays as it was left across reloads', async ({ page }) => {
  await openReady(page, RUN);
  const group = page.getByRole('group').filter({ has: page.getByText('More settings', { exact: true }) });
  const summary = page.getByText('More settings', { exact: true });
  const hidden = ['Weight decay', 'LR step size', 'LR gamma', 'Dropout', 'Seed', 'Backend', 'Training images', 'Test images'];
  await expect(group).not.toHaveAttribute('open');
  await summary.click();
  for (const label of hidden) await expect(page.getByLabel(label, { exact: true }), label).toBeVisible();

  await page.reload();
  await expect(page.getByLabel('Weight decay', { exact: true })).toBeVisible();
  await summary.click();
  await expect(page.getByLabel('Weight decay', { exact: true })).toBeHidden();
  await page.reload();
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeVisible();
  await expect(page.getByLabel('Weight decay', { exact: true })).toBeHidden();
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test('the page is one column no wider than the screen, Train leads, and the pad draws', async ({ page }) => {
    await openReady(page, RUN);
    await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeInViewport();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await stroke(page, [[0.3, 0.2], [0.7, 0.2], [0.4, 0.85]]);
    await expect(page.getByLabel('Prediction', { exact: true })).toHaveText(/^\d$/);
    const pad = await page.getByRole('img', { name: 'Drawing pad' }).boundingBox();
    expect(pad && pad.x >= 0 && pad.x + pad.width <= 390).toBe(true);
  });
});
