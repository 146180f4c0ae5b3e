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
  // Two strings every tfjs build carries: a kernel name and its URL-flag prefix. (The words
  // "TensorFlow.js" do appear in the page's own texts, about model files.)
  for (const marker of ['Conv2DBackpropFilter', 'tfjsflags']) expect(mainCode).not.toContain(marker);

  const assets = readdirSync(path.join(dist, 'assets'));
  const workerFile = assets.find((name) => /^worker-.*\.js$/.test(name));
  expect(workerFile, 'a worker chunk is emitted').toBeTruthy();
  expect(mainCode).toContain(workerFile as string);
  const workerCode = readFileSync(path.join(dist, 'assets', workerFile as string), 'utf8');
  for (const marker of ['Conv2DBackpropFilter', 'tfjsflags']) expect(workerCode).toContain(marker);
});
