import { expect, test } from '@playwright/test';
import { openReady } from './helpers';

test('the app is served with a strict Content-Security-Policy and trains without violating it', async ({ page }) => {
  const violations: string[] = [];
  await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { reportViolation: (text: string) => void }).reportViolation(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const response = await page.goto('/#backend=wasm&epochs=1&trainSize=256&testSize=100&batch=64');
  const policy = response?.headers()['content-security-policy'] ?? '';
  expect(policy).toContain("default-src 'self'");
  expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(policy).toContain("object-src 'none'");
  expect(policy).not.toContain('unsafe-inline');
  expect(policy).not.toMatch(/'unsafe-eval'/);
  expect(policy).not.toMatch(/https?:/);

  await openReady(page, 'backend=wasm&epochs=1&trainSize=256&testSize=100&batch=64');
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(page.getByText(/Final test accuracy/)).toBeVisible({ timeout: 120_000 });
  expect(violations).toEqual([]);
});
