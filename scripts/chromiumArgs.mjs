/**
 * Chromium flags for the tests (playwright.config.ts) and the benchmark (scripts/bench.mjs): needed as
 * root in containers, and they keep a headless browser off a network it cannot reach.
 */
export const QUIET_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
