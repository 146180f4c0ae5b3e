// @vitest-environment jsdom
/** The progress line: what it says while training and while the epoch's test images are classified. */
import { act } from 'react';
import { expect, it } from 'vitest';
import type { Progress } from '../../shared/protocol';
import { I18nContext, i18nFor } from '../i18n/useI18n';
import { ProgressBar } from './ProgressBar';
import { testRoot } from '../testing/testRoot';

const dom = testRoot();
const progress: Progress = {
  epoch: 3,
  epochs: 30,
  batch: 16,
  batches: 16,
  phase: 'train',
  testImages: 300,
  samplesPerSecond: 310,
  stepMilliseconds: 173,
  epochEtaSeconds: 12,
  runEtaSeconds: 91,
  runningLoss: 0.2778,
  learningRate: 0.001,
};

function lineOf(shown: Progress): string[] {
  act(() =>
    dom.root.render(
      <I18nContext.Provider value={i18nFor('en', () => {})}>
        <ProgressBar progress={shown} ended={false} />
      </I18nContext.Provider>,
    ),
  );
  return Array.from(dom.container.querySelectorAll('.progress-text span'), (span) => span.textContent ?? '');
}

it('leaves the epoch\'s time left out while its test images are classified, so the line stays one line', () => {
  const training = lineOf(progress);
  expect(training[0]).toContain('batch 16/16');
  expect(training.some((part) => part.includes('ETA epoch'))).toBe(true);
  const evaluating = lineOf({ ...progress, phase: 'eval' });
  expect(evaluating[0]).toContain('evaluating on 300 test images');
  expect(evaluating.some((part) => part.includes('ETA epoch'))).toBe(false);
  expect(evaluating.some((part) => part.startsWith('run '))).toBe(true);
  expect(evaluating.at(-1)).toContain('running loss');
});
