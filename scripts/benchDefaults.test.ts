import { expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../src/shared/config';
import { DEFAULT_CONFIG as BENCH_DEFAULT_CONFIG } from './benchDefaults.mjs';

it("the benchmark's copy of DEFAULT_CONFIG is the app's", () => {
  expect(BENCH_DEFAULT_CONFIG).toEqual(DEFAULT_CONFIG);
});
