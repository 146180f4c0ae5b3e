import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';

// The webServer builds dist/ before any test runs. The UI's bundle must leave TensorFlow.js to the worker.
test('the main-thread bundle does not contain TensorFlow.js; the worker bundle does', () => {
  const dist = path.resolve('dist');
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const entry = /<script type="module" crossorigin src="\/([^"]+)"/.exec(html)?.[1];
  expect(entry, 'index.html names its entry script').toBeTruthy();
  const mainCode = readFileSync(path.join(dist, entry as string), 'utf8');
  // A kernel name every tfjs build carries, and the package's own name.
  expect(mainCode).not.toContain('Conv2DBackpropFilter');
  expect(mainCode).not.toMatch(/tensorflow/i);

  const assets = readdirSync(path.join(dist, 'assets'));
  const workerFile = assets.find((name) => /^worker-.*\.js$/.test(name));
  expect(workerFile, 'a worker chunk is emitted').toBeTruthy();
  expect(mainCode).toContain(workerFile as string);
  expect(readFileSync(path.join(dist, 'assets', workerFile as string), 'utf8')).toContain('Conv2DBackpropFilter');
});
