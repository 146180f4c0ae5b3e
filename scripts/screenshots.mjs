// @ts-check
/* global document */
/**
 * `npm run screenshots -- [URL]`: the README's pictures, from a real run. Opens the app served at URL
 * (default: `npm run preview`'s http://127.0.0.1:4173/, with the default configuration) at 1366×768,
 * presses Train, waits for the run to finish however long it takes, draws a digit, and saves the window
 * at 1366×768 (docs/screenshot.png), 1920×1080 and 390×844. Prints what was run, for the caption.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { QUIET_CHROMIUM_ARGS } from './chromiumArgs.mjs';

const DOCS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs');
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const url = process.argv[2] ?? 'http://127.0.0.1:4173/';
const SHOTS = [
  { width: 1366, height: 768, file: 'screenshot.png' },
  { width: 1920, height: 1080, file: 'screenshot-1920x1080.png' },
  { width: 390, height: 844, file: 'screenshot-390x844.png' },
];
/** A hand-drawn-looking 3, in pad units (0–1): two bowls open to the left. */
const THREE = [
  [0.32, 0.22], [0.45, 0.16], [0.6, 0.17], [0.68, 0.27], [0.63, 0.4], [0.5, 0.47],
  [0.64, 0.53], [0.7, 0.66], [0.63, 0.79], [0.47, 0.84], [0.32, 0.78],
];

const executablePath = process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE || (existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined);
const browser = await chromium.launch({ executablePath, args: QUIET_CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: SHOTS[0].width, height: SHOTS[0].height } });
  await page.goto(url);
  const train = page.getByRole('button', { name: 'Train', exact: true });
  await train.waitFor();
  await page.waitForFunction(() => document.querySelector('.controls button.primary:not(:disabled)') !== null, null, { timeout: 180_000 });
  const started = Date.now();
  await train.click();
  // A light poll: Playwright's locator waits query the whole page in its main thread, beside the run.
  await page.waitForFunction(() => document.querySelector('p.final') !== null, null, { timeout: 0, polling: 1000 });
  const minutes = (Date.now() - started) / 60_000;

  const pad = await page.getByRole('img', { name: 'Drawing pad' }).boundingBox();
  if (!pad) throw new Error('no drawing pad');
  /** @param {number[]} point @returns {[number, number]} */
  const at = ([x, y]) => [pad.x + x * pad.width, pad.y + y * pad.height];
  await page.mouse.move(...at(THREE[0]));
  await page.mouse.down();
  for (const point of THREE.slice(1)) await page.mouse.move(...at(point), { steps: 6 });
  await page.mouse.up();
  await page.waitForFunction(() => /^\d$/.test(document.querySelector('.predicted .digit')?.textContent ?? ''));

  for (const { width, height, file } of SHOTS) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(800); // Chart.js redraws on resize
    await page.screenshot({ path: path.join(DOCS, file) });
  }
  const final = await page.locator('.final strong').textContent();
  const status = await page.getByRole('status').innerText();
  console.log(`${page.url()}\n${status}\nFinal test accuracy ${final}, ${minutes.toFixed(1)} minutes of training`);
} finally {
  await browser.close();
}
