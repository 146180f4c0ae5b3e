import { expect, test, type Page } from '@playwright/test';
import { openReady, stroke } from './helpers';

async function probabilityTexts(page: Page): Promise<string[]> {
  return page.getByRole('list', { name: 'Probabilities' }).locator('li .bar-label').allTextContents();
}

test('drawing on the pad gives a prediction and ten probabilities that follow the drawing; Clear empties them', async ({ page }, testInfo) => {
  await openReady(page, 'backend=wasm');
  const prediction = page.getByLabel('Prediction', { exact: true });
  await expect(prediction).toHaveText('');
  await expect(page.getByText('Draw a digit', { exact: true })).toBeVisible();

  await stroke(page, [[0.5, 0.15], [0.5, 0.85]]); // a "1"
  await expect(prediction).toHaveText(/^\d$/);
  await expect(page.getByText('untrained network')).toBeVisible();
  const first = await probabilityTexts(page);
  expect(first).toHaveLength(10);
  first.forEach((text, digit) => expect(text).toMatch(new RegExp(`^${digit}: \\d+\\.\\d%$`)));
  const total = first.reduce((sum, text) => sum + Number(text.split(': ')[1].replace('%', '')), 0);
  expect(total).toBeGreaterThan(99);
  expect(total).toBeLessThan(101);

  await stroke(page, [[0.25, 0.2], [0.75, 0.2], [0.4, 0.85]]); // now a "7" over it
  await expect.poll(() => probabilityTexts(page)).not.toEqual(first);
  await page.screenshot({ path: testInfo.outputPath('drawn.png'), fullPage: true });

  await page.getByRole('button', { name: 'Clear' }).click();
  await expect(prediction).toHaveText('');
  await expect(page.getByText('Draw a digit', { exact: true })).toBeVisible();
});

/** Distinct colours on a canvas: a rendered heatmap has many, a blank canvas one or none. */
async function distinctColours(canvas: ReturnType<Page['locator']>): Promise<number> {
  return canvas.evaluate((element) => {
    const c = element as HTMLCanvasElement;
    const pixels = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
    if (!pixels) return 0;
    const colours = new Set<number>();
    for (let i = 0; i < pixels.length; i += 4) colours.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
    return colours.size;
  });
}

test('after a short training: feature maps, a confusion matrix that sums to the test images, and the gallery feeds the input view', async ({ page }, testInfo) => {
  await openReady(page, 'backend=wasm&epochs=1&trainSize=1024&testSize=600');
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(page.getByText(/Final test accuracy/)).toBeVisible({ timeout: 180_000 });

  await stroke(page, [[0.3, 0.25], [0.7, 0.25], [0.45, 0.85]]); // a "7"
  const prediction = page.getByLabel('Prediction', { exact: true });
  await expect(prediction).toHaveText(/^\d$/);
  await expect(page.getByText('untrained network')).toHaveCount(0);
  expect(await probabilityTexts(page)).toHaveLength(10);

  const maps = page.getByRole('region', { name: 'Feature maps' });
  for (const name of ['conv1: 32 maps of 28×28', 'conv2: 64 maps of 14×14', 'conv3: 128 maps of 7×7']) {
    const canvas = maps.getByRole('img', { name });
    await expect(canvas).toBeVisible();
    await expect.poll(() => distinctColours(canvas)).toBeGreaterThan(20);
  }
  await expect(maps).toContainText('max-pool 2×2 → 14×14');
  await expect(maps).toContainText('max-pool 2×2 → 3×3');

  const matrix = page.getByRole('table', { name: 'Confusion matrix' });
  const counts = await matrix.locator('td[data-count]').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-count'))));
  expect(counts).toHaveLength(100);
  expect(counts.reduce((a, b) => a + b, 0)).toBe(600);
  const diagonal = counts.filter((_, i) => i % 11 === 0).reduce((a, b) => a + b, 0);
  const finalAccuracy = Number((await page.getByText(/Final test accuracy/).textContent())?.match(/([\d.]+)%/)?.[1]);
  expect((100 * diagonal) / 600).toBeCloseTo(finalAccuracy, 1);
  await matrix.getByRole('button', { name: /^True 3, predicted 3:/ }).hover();
  await expect(page.getByText(/^True 3, predicted 3: \d+ images? \(/)).toBeVisible();

  const gallery = page.getByRole('region', { name: 'Misclassified examples' });
  await expect(gallery).toContainText(`${600 - diagonal} of 600 test images were misclassified`);
  const first = gallery.getByRole('button', { name: /^Test image \d+: true \d, predicted \d/ }).first();
  const name = (await first.getAttribute('aria-label')) ?? '';
  const [, index, label, predicted] = name.match(/^Test image (\d+): true (\d), predicted (\d)/) ?? [];
  await first.click();
  await expect(page.getByText(`Test image ${index} (true label ${label})`)).toBeVisible();
  // The same weights on the same image: the input view's answer is the gallery's wrong one.
  await expect(prediction).toHaveText(predicted);
  await page.screenshot({ path: testInfo.outputPath('insight.png'), fullPage: true });

  // Clicking a mistake's cell filters the gallery to it.
  await matrix.getByRole('button', { name: new RegExp(`^True ${label}, predicted ${predicted}:`) }).click();
  const shown = gallery.getByRole('button', { name: /^Test image/ });
  for (const text of await shown.evaluateAll((items) => items.map((i) => i.getAttribute('aria-label') ?? ''))) {
    expect(text).toContain(`true ${label}, predicted ${predicted}`);
  }
  await gallery.getByRole('button', { name: 'Show all' }).click();

  await page.getByRole('button', { name: 'Clear' }).click();
  await expect(prediction).toHaveText('');
});

test.describe('on a phone-sized screen', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test('the pad fits the screen, takes a finger stroke and predicts', async ({ page }, testInfo) => {
    await openReady(page, 'backend=wasm');
    const pad = page.getByRole('img', { name: 'Drawing pad' });
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    if (!box) throw new Error('no drawing pad');
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(box.width).toBeGreaterThan(200);

    // A real touch stroke: the browser turns Chrome DevTools Protocol touches into touch pointer events.
    const cdp = await page.context().newCDPSession(page);
    const at = (x: number, y: number) => [{ x: box.x + x * box.width, y: box.y + y * box.height }];
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0.5, 0.15) });
    for (let i = 1; i <= 20; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(0.5, 0.15 + (0.7 * i) / 20) });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    const prediction = page.getByLabel('Prediction', { exact: true });
    await expect(prediction).toHaveText(/^\d$/);
    const input = page.getByRole('img', { name: 'Network input, 28 by 28 pixels' });
    const inked = await input.evaluate((element) => {
      const c = element as HTMLCanvasElement;
      const data = c.getContext('2d')?.getImageData(0, 0, 28, 28).data ?? new Uint8ClampedArray();
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] > 40) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(25); // a vertical stroke: 20 px tall, 2–3 px wide
    await page.screenshot({ path: testInfo.outputPath('phone.png'), fullPage: true });
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect(prediction).toHaveText('');
  });
});
