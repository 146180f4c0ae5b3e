/**
 * Rewind and branch (issue 12): every epoch of every run kept, "Branch from epoch k" from the epoch log
 * and from a chart point, the run tree, exactness, Adam vs AdamW from an epoch, bad checkpoints
 * refused, storage you can see and its eviction, and a reload mid-epoch losing at most a minute.
 */
import { expect, test, type Page } from '@playwright/test';
import { ORANGE, countColouredPixels, epochLogRows, leftmostPoint, openReady, runRows, storedRuns, waitForFinish } from './helpers';

/** Three short epochs on one CPU worker: about ten seconds each here. */
const RUN = 'backend=wasm&workers=1&epochs=3&trainSize=1024&testSize=300&batch=64&seed=3';

/** The palette colour of the second run that is not the current one (src/ui/charts/datasets.ts PALETTE[1]). */
const RED: [number, number, number] = [0xd6, 0x27, 0x28];

function runLabels(page: Page) {
  return runRows(page).locator('.run-label');
}

function epochLog(page: Page) {
  return page.getByRole('table', { name: 'Epoch log' });
}

/** Starts a run with `start` and waits until it has finished: one more row in the Runs table, then the final accuracy. */
async function trainRun(page: Page, start: () => Promise<void>): Promise<void> {
  const before = await runRows(page).count();
  await start();
  await expect(runRows(page)).toHaveCount(before + 1);
  await waitForFinish(page);
}

/** What an epoch computed, in full precision, for the runs as stored. */
const outcomes = (epochs: { epoch: number; loss: number; trainAccuracy: number; testAccuracy: number; learningRate: number }[]) =>
  epochs.map(({ epoch, loss, trainAccuracy, testAccuracy, learningRate }) => ({ epoch, loss, trainAccuracy, testAccuracy, learningRate }));

test.describe('at 1366×768', () => {
  test.use({ viewport: { width: 1366, height: 768 } });

  test('a branch from epoch 1 with unchanged settings repeats epochs 2–3 exactly; with lr ×10 it draws a new curve from epoch 1; the runs form a tree', async ({ page }, testInfo) => {
    await openReady(page, RUN);
    await trainRun(page, () => page.getByRole('button', { name: 'Train', exact: true }).click());
    const parentRows = await epochLogRows(page);
    expect(parentRows.map((row) => row[0])).toEqual(['1/3', '2/3', '3/3']);
    // Every epoch was kept, epoch 0 included.
    await expect(runRows(page).first()).toContainText('epochs 0–3');

    // From the epoch log, with the settings as they are.
    await trainRun(page, () => epochLog(page).getByRole('button', { name: 'Branch from epoch 1', exact: true }).click());
    const branchRows = await epochLogRows(page);
    expect(branchRows.map((row) => row.slice(0, 5))).toEqual(parentRows.map((row) => row.slice(0, 5)));
    await expect.poll(async () => (await storedRuns(page)).map((run) => run.epochs.length)).toEqual([3, 3]);
    const [parent, same] = await storedRuns(page);
    expect(same.parent).toEqual({ runId: parent.id, epoch: 1 });
    expect(outcomes(same.epochs)).toEqual(outcomes(parent.epochs));
    await expect(runRows(page).nth(1)).toContainText('Run 1 @1');

    // Ten times the learning rate (twenty notches of the log slider: 1e-3 → 1e-2), then a branch from
    // the chart's epoch-1 point, clicked as a mouse would.
    const slider = page.getByLabel('Learning rate', { exact: true });
    await slider.focus();
    for (let i = 0; i < 20; i++) await slider.press('ArrowRight');
    await expect(page.locator('.field', { has: slider }).locator('.value')).toHaveText('0.01');
    const accuracy = page.getByRole('img', { name: 'Accuracy Curves' });
    const epochOne = await leftmostPoint(accuracy, ORANGE);
    if (!epochOne) throw new Error('no test-accuracy point drawn');
    await page.mouse.click(epochOne.x, epochOne.y);
    const menu = page.getByRole('dialog', { name: /^Epoch 1 of Run 1/ });
    await expect(menu).toBeVisible();
    await trainRun(page, () => menu.getByRole('button', { name: 'Branch from epoch 1', exact: true }).click());
    const fasterRows = await epochLogRows(page);
    expect(fasterRows[0]).toEqual(parentRows[0]);
    expect(fasterRows.slice(1).map((row) => row[4])).toEqual(['0.010000', '0.010000']);
    expect(fasterRows[1][1]).not.toBe(parentRows[1][1]);
    // The tree: the parent, then its two branches, indented under it.
    await expect(runLabels(page)).toHaveText(['Run 1', 'Run 1 @1', 'Run 1 @1 · lr=1e-2']);
    await expect(runRows(page).locator('.branch-mark')).toHaveCount(2);
    // Drawn from epoch 1 on: the branch just run is the current one (blue and orange), the parent and
    // the first branch in their own colours.
    await expect.poll(() => countColouredPixels(accuracy, RED)).toBeGreaterThan(20);
    await page.getByRole('region', { name: 'Charts' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: testInfo.outputPath('branch-charts-1366x768.png') });
    await page.getByRole('heading', { name: 'Runs' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: testInfo.outputPath('run-tree-1366x768.png') });

    // Deleting the parent keeps its branches, still saying where they came from.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete run Run 1', exact: true }).click();
    const orphans = async () => {
      await expect(runLabels(page)).toHaveText(['Run 1 @1', 'Run 1 @1 · lr=1e-2']);
      await expect(runRows(page).locator('.orphan-mark')).toHaveText([' (parent deleted)', ' (parent deleted)']);
    };
    await orphans();
    await page.reload();
    await expect(page.getByRole('status')).toContainText('MNIST verified', { timeout: 120_000 });
    await orphans();
    await page.screenshot({ path: testInfo.outputPath('orphans-1366x768.png'), fullPage: true });
  });
});
