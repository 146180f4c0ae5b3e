import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';
import { QUIET_CHROMIUM_ARGS } from './scripts/chromiumArgs.mjs';

/**
 * Browser: $PLAYWRIGHT_CHROMIUM_EXECUTABLE if set, else the system Chromium at /usr/bin/chromium when
 * present (machines where Playwright cannot download its own), else Playwright's bundled Chromium.
 */
const systemChromium = '/usr/bin/chromium';
const executablePath =
  process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE || (existsSync(systemChromium) ? systemChromium : undefined);

// Not Vite's own 4173/5173, so a `npm run preview` or `npm start` left open is neither reused nor in the way.
// E2E_PORT / E2E_DEV_PORT move them, for a second checkout testing beside this one.
const PORT = Number(process.env.E2E_PORT ?? 4317);
const DEV_PORT = Number(process.env.E2E_DEV_PORT ?? 4318);
/** The specs of the flows every user goes through, run against `npm start`'s dev server as well as the build. */
const CORE_FLOWS = /(coreFlows|layout|pytorch)\.spec\.ts/;

export default defineConfig({
  testDir: 'e2e',
  // Training in a browser on two cores is slow; a test has minutes, not seconds.
  timeout: 5 * 60_000,
  expect: { timeout: 60_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    ...devices['Desktop Chrome'],
    viewport: { width: 1280, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      testIgnore: /webgpu\.spec\.ts/,
      use: { launchOptions: { executablePath, args: QUIET_CHROMIUM_ARGS } },
    },
    {
      // What the README starts (`npm start`): React in StrictMode, unbundled modules, Vite's dev CSP.
      name: 'chromium-dev',
      testMatch: CORE_FLOWS,
      use: { baseURL: `http://127.0.0.1:${DEV_PORT}`, launchOptions: { executablePath, args: QUIET_CHROMIUM_ARGS } },
    },
    {
      // Headless Chromium offers WebGPU only behind this flag (a SwiftShader software adapter).
      name: 'chromium-webgpu',
      testMatch: /webgpu\.spec\.ts/,
      use: { launchOptions: { executablePath, args: [...QUIET_CHROMIUM_ARGS, '--enable-unsafe-webgpu'] } },
    },
  ],
  webServer: [
    {
      command: `npm run build && npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
      url: `http://127.0.0.1:${PORT}`,
      reuseExistingServer: !process.env.CI,
      timeout: 180_000,
    },
    {
      command: `npx vite --host 127.0.0.1 --port ${DEV_PORT} --strictPort`,
      url: `http://127.0.0.1:${DEV_PORT}`,
      reuseExistingServer: !process.env.CI,
      timeout: 180_000,
    },
  ],
});
