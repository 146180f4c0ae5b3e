import { expect, type Locator, type Page } from '@playwright/test';

/** Opens the app with a configuration in the hash and waits until the data is verified and Train is enabled. */
export async function openReady(page: Page, hash: string): Promise<void> {
  await page.goto(`/#${hash}`);
  await expect(page.getByRole('status')).toContainText('MNIST verified', { timeout: 120_000 });
  await expect(page.getByRole('button', { name: 'Train' })).toBeEnabled();
}

/** Pixels of a chart canvas within a small distance of an RGB colour: a way to see that a series was drawn. */
export async function countColouredPixels(canvas: Locator, rgb: [number, number, number]): Promise<number> {
  return canvas.evaluate((element, [r, g, b]) => {
    const c = element as HTMLCanvasElement;
    const pixels = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
    if (!pixels) return 0;
    let count = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (Math.abs(pixels[i] - r) + Math.abs(pixels[i + 1] - g) + Math.abs(pixels[i + 2] - b) < 60 && pixels[i + 3] > 200) count++;
    }
    return count;
  }, rgb);
}

export const BLUE: [number, number, number] = [0x1f, 0x77, 0xb4];
export const ORANGE: [number, number, number] = [0xff, 0x7f, 0x0e];

/** The epoch log's body rows as arrays of cell texts. */
export async function epochLogRows(page: Page): Promise<string[][]> {
  const rows = page.getByRole('table', { name: 'Epoch log' }).locator('tbody tr');
  return rows.evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));
}

/** Drags the mouse over the drawing pad through points given in pad units (0–1). */
export async function stroke(page: Page, points: [number, number][]): Promise<void> {
  const pad = page.getByRole('img', { name: 'Drawing pad' });
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  if (!box) throw new Error('no drawing pad');
  const at = ([x, y]: [number, number]) => [box.x + x * box.width, box.y + y * box.height] as const;
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const point of points.slice(1)) await page.mouse.move(...at(point), { steps: 8 });
  await page.mouse.up();
}

export const WARNING_RED: [number, number, number] = [0xd6, 0x27, 0x28];

/** Unfolds "More settings" (weight decay, StepLR, dropout, seed, backend, image counts), as a user would. */
export async function openMoreSettings(page: Page): Promise<void> {
  const weightDecay = page.getByLabel('Weight decay', { exact: true });
  if (!(await weightDecay.isVisible())) await page.getByText('More settings', { exact: true }).click();
  await expect(weightDecay).toBeVisible();
}
