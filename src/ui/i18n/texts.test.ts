import { describe, expect, it } from 'vitest';
import { englishText, type TextKey } from '../../shared/texts';
import { en } from './messages';
import { ALL_TEXT_SAMPLES, TEXT_SAMPLES } from './textSamples';
import { zh } from './zh';

const CJK = /[\u3400-\u9fff]/;
/** Texts whose Chinese is the browser's own message, shown as it is. */
const DETAIL_ONLY = new Set<TextKey>(['error.other']);

describe('worker texts', () => {
  it('English renders exactly englishText, the wording the worker sends as `message`', () => {
    for (const sample of ALL_TEXT_SAMPLES) expect(en.texts.render(sample), sample.key).toBe(englishText(sample));
  });

  it('keeps the English wording the tests and users rely on', () => {
    expect(englishText({ key: 'loading.download', loadedMb: 3.21, totalMb: 11.594 })).toBe('Downloading MNIST: 3.2 of 11.6 MB');
    expect(englishText({ key: 'url.outOfRange', setting: 'epochs', raw: '500', min: 1, max: 50, using: 50 })).toBe(
      'epochs=500 is outside 1–50; using 50.',
    );
    expect(englishText(TEXT_SAMPLES['backend.auto'][1])).toBe(
      'Auto: WASM is next after the hardware GPU backends. (WebGPU could not start (device lost))',
    );
    expect(englishText(TEXT_SAMPLES['checkpoint.unusable'][1])).toBe(
      'The saved checkpoint cannot be used: it has version 0, this app reads 2. It was deleted.',
    );
  });

  it('Chinese writes every text in Chinese, keeping names, numbers and the browser’s details', () => {
    for (const sample of ALL_TEXT_SAMPLES) {
      const text = zh.texts.render(sample);
      expect(text.trim().length, sample.key).toBeGreaterThan(0);
      expect(text, sample.key).not.toMatch(/undefined|NaN|\[object|null/);
      if (!DETAIL_ONLY.has(sample.key)) expect(text, `${sample.key} should contain Chinese`).toMatch(CJK);
      else expect(text).toBe(englishText(sample));
    }
    expect(zh.texts.render(TEXT_SAMPLES['url.outOfRange'][0])).toBe('epochs=500 超出 1–50 的范围；改用 50。');
    expect(zh.texts.render(TEXT_SAMPLES['data.checksum'][0])).toContain('train-images-idx3-ubyte.gz');
    expect(zh.texts.render(TEXT_SAMPLES['backend.measured'][0])).toContain('webgpu 每步 41 ms');
  });

  it('English texts have no Chinese characters', () => {
    for (const sample of ALL_TEXT_SAMPLES) expect(en.texts.render(sample), sample.key).not.toMatch(CJK);
  });
});
