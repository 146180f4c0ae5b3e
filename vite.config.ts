import { availableParallelism } from 'node:os';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { mnistData } from './scripts/mnistDataPlugin.ts';
import { DEV_NONCE, securityHeaders } from './scripts/securityHeaders.ts';

export default defineConfig(({ command }) => ({
  plugins: [react(), mnistData(), securityHeaders()],
  // In dev Vite marks the scripts and styles it injects with this nonce, which the dev CSP allows;
  // the build injects none, and its CSP allows no nonce.
  html: command === 'serve' ? { cspNonce: DEV_NONCE } : {},
  worker: { format: 'es' },
  build: { target: 'es2022' },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'fixtures/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    // One test file per core. Vitest's default leaves a core to its main process, which only gathers
    // results: on a 2-core machine that ran the files one at a time.
    maxWorkers: availableParallelism(),
    // Relaxed SIMD (the fused multiply-add GEMM kernels, src/worker/backends/gemm) is on by default in
    // browsers and in Node 22+; Node 20's V8 has it behind a flag. With it the tests run the kernels
    // the app runs in Chrome.
    execArgv: process.versions.node.startsWith('20.') ? ['--experimental-wasm-relaxed-simd'] : [],
  },
}));
