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

/** Waits until the run in progress has finished (its final accuracy shown) and Train is back. */
export async function waitForFinish(page: Page): Promise<void> {
  await expect(page.getByText(/Final test accuracy/)).toBeVisible({ timeout: 240_000 });
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
}

/** The Runs table's rows, one per kept run (not the "No runs yet" row). */
export function runRows(page: Page): Locator {
  return page.getByRole('table', { name: 'Runs' }).locator('tbody tr').filter({ hasNot: page.locator('td.empty') });
}

/**
 * The centre of the leftmost dot of a colour on a chart canvas, in the window's coordinates (scroll the
 * chart into view first): the first epoch point of a series drawn in that colour (a line from it goes
 * right, so its leftmost pixels are the dot's). Null when the colour is not drawn.
 */
export async function leftmostPoint(canvas: Locator, rgb: [number, number, number]): Promise<{ x: number; y: number } | null> {
  const box = await canvas.boundingBox();
  if (!box) return null;
  const found = await canvas.evaluate((element, [r, g, b]) => {
    const c = element as HTMLCanvasElement;
    const pixels = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
    if (!pixels) return null;
    const matches = (i: number) => Math.abs(pixels[i] - r) + Math.abs(pixels[i + 1] - g) + Math.abs(pixels[i + 2] - b) < 60 && pixels[i + 3] > 200;
    // The plot, not the legend under it (its glyphs have the series' colours too).
    const plotBottom = Math.floor(c.height * 0.75);
    let left = -1;
    for (let x = 0; x < c.width && left < 0; x++) for (let y = 0; y < plotBottom; y++) if (matches(4 * (y * c.width + x))) left = x;
    if (left < 0) return null;
    // The dot: the matching pixels in the few columns from its left edge, the topmost dot where two
    // series of the colour start at the same epoch (a run's train and test accuracy).
    const dot = Math.ceil(6 * (c.width / c.clientWidth));
    const ys: number[] = [];
    for (let x = left; x < left + dot; x++) for (let y = 0; y < plotBottom; y++) if (matches(4 * (y * c.width + x))) ys.push(y);
    const top = Math.min(...ys);
    const inDot = ys.filter((y) => y <= top + dot);
    const scale = c.clientWidth / c.width;
    return { x: (left + dot / 2) * scale, y: (inDot.reduce((sum, y) => sum + y, 0) / inDot.length) * scale };
  }, rgb);
  return found && { x: box.x + found.x, y: box.y + found.y };
}

/** A kept run as the page stored it: what the tests read of it. */
export interface StoredRun {
  id: string;
  createdAt: number;
  parent?: { runId: string; epoch: number };
  epochs: { epoch: number; loss: number; trainAccuracy: number; testAccuracy: number; learningRate: number }[];
}

/** The kept run records as the page stored them (IndexedDB `mnist-lab-runs`), oldest first, with every epoch's numbers in full. */
export async function storedRuns(page: Page): Promise<StoredRun[]> {
  return page.evaluate(
    () =>
      new Promise<StoredRun[]>((resolve, reject) => {
        const request = indexedDB.open('mnist-lab-runs');
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const get = request.result.transaction('runs').objectStore('runs').getAll();
          get.onsuccess = () => {
            request.result.close();
            resolve((get.result as StoredRun[]).sort((a, b) => a.createdAt - b.createdAt));
          };
        };
      }),
  );
}
