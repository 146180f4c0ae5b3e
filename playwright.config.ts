import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

/**
 * Browser: $PLAYWRIGHT_CHROMIUM_EXECUTABLE if set, else the system Chromium at /usr/bin/chromium when
 * present (machines where Playwright cannot download its own), else Playwright's bundled Chromium.
 */
const systemChromium = '/usr/bin/chromium';
const executablePath =
  process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE || (existsSync(systemChromium) ? systemChromium : undefined);

// Needed as root in containers, and to keep a headless browser off the network it cannot reach.
const quietArgs = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Not 4173, so a `npm run preview` left open is neither reused nor in the way.
const PORT = 4317;

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
      use: { launchOptions: { executablePath, args: quietArgs } },
    },
    {
      // Headless Chromium offers WebGPU only behind this flag (a SwiftShader software adapter).
      name: 'chromium-webgpu',
      testMatch: /webgpu\.spec\.ts/,
      use: { launchOptions: { executablePath, args: [...quietArgs, '--enable-unsafe-webgpu'] } },
    },
  ],
  webServer: {
    command: `npm run build && npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
  },
});
