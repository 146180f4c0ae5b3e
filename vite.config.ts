import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { mnistData } from './scripts/mnistDataPlugin.ts';

export default defineConfig({
  plugins: [react(), mnistData()],
  worker: { format: 'es' },
  build: { target: 'es2022' },
  test: {
    include: ['src/**/*.test.ts', 'fixtures/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
  },
});
