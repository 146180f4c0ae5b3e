import { expect, test, type Page } from '@playwright/test';
import { openReady } from './helpers';

/** Drags the mouse through points given in pad units (0–1). */
async function stroke(page: Page, points: [number, number][]): Promise<void> {
  const box = await page.getByRole('img', { name: 'Drawing pad' }).boundingBox();
  if (!box) throw new Error('no drawing pad');
  const at = ([x, y]: [number, number]) => [box.x + x * box.width, box.y + y * box.height] as const;
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const point of points.slice(1)) await page.mouse.move(...at(point), { steps: 8 });
  await page.mouse.up();
}

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
