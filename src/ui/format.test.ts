import { describe, expect, it } from 'vitest';
import { formatBytes, formatDecimal, formatDuration, formatInteger, formatLearningRate, formatLossValue, formatNumber, formatPercent, seedPrintout } from './format';

describe('formatDuration', () => {
  it('writes m:ss and h:mm:ss', () => {
    expect(formatDuration(5)).toBe('0:05');
    expect(formatDuration(125.4)).toBe('2:05');
    expect(formatDuration(3 * 3600 + 62)).toBe('3:01:02');
    expect(formatDuration(Number.NaN)).toBe('—');
  });
});

describe('formatLearningRate', () => {
  it('keeps three significant digits and switches to exponents below 1e-4', () => {
    expect(formatLearningRate(0.001)).toBe('0.001');
    expect(formatLearningRate(0.00125892)).toBe('0.00126');
    expect(formatLearningRate(1e-5)).toBe('1e-5');
    expect(formatLearningRate(3.16e-5)).toBe('3.16e-5');
  });
});

describe('locale-aware numbers', () => {
  it('groups integers for en-US and zh-CN alike, English by default', () => {
    expect(formatInteger(60000)).toBe('60,000');
    expect(formatInteger(60000, 'en')).toBe('60,000');
    expect(formatInteger(60000, 'zh')).toBe('60,000');
    expect(formatInteger(1234.6, 'zh')).toBe('1,235');
  });

  it('writes a value in percent with the given decimals', () => {
    expect(formatPercent(98.1)).toBe('98.10%');
    expect(formatPercent(98.1, 2, 'zh')).toBe('98.10%');
    expect(formatPercent(93.14, 1, 'en')).toBe('93.1%');
    expect(formatPercent(98.7, 0, 'zh')).toBe('99%');
  });

  it('passes Intl options on, and writes fixed decimals without grouping', () => {
    expect(formatNumber(0.5, 'zh', { style: 'percent' })).toBe('50%');
    expect(formatNumber(1234.5, 'en', { maximumFractionDigits: 0 })).toBe('1,235');
    expect(formatDecimal(11.594, 1)).toBe('11.6');
    expect(formatDecimal(12345.678, 2, 'zh')).toBe('12345.68');
  });
});

describe('formatBytes', () => {
  it('writes decimal units with one decimal, in the page language', () => {
    expect(formatBytes(4_704_523)).toBe('4.7 MB');
    expect(formatBytes(1.2e9)).toBe('1.2 GB');
    expect(formatBytes(52_600_000)).toBe('52.6 MB');
    expect(formatBytes(2_048)).toBe('2 kB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1_234_567_890_123, 'zh')).toBe('1.2 TB');
  });
});

describe('formatLossValue', () => {
  it('reads like a number up to a million and in powers of ten past it', () => {
    expect([0.3123, 2.302585, 1040.4, 14132.07, 999_999].map((loss) => formatLossValue(loss))).toEqual(['0.3123', '2.303', '1,040', '14,130', '1,000,000']);
    expect(formatLossValue(3.58e7)).toBe('3.6E7');
    expect(formatLossValue(1.98e23, 'zh')).toBe('2E23');
  });
});

describe('seedPrintout', () => {
  // It takes no locale: the program's output is the same bytes whatever the page's language.
  it("prints the seed's lines with its decimals", () => {
    const text = seedPrintout('wasm', 390410, [
      { epoch: 1, epochs: 10, loss: 0.21234, trainAccuracy: 93.456, testAccuracy: 98.1, learningRate: 0.001, trainSeconds: 1, evalSeconds: 1, samplesPerSecond: 1, stepMilliseconds: 1 },
    ], 98.1);
    expect(text).toBe(
      [
        'Using device: wasm',
        '模型参数量: 390,410',
        'Epoch 1/10',
        ' Loss: 0.2123, Train Acc: 93.46%, Test Acc: 98.10%',
        ' Learning Rate: 0.001000',
        '',
        '最终测试准确率: 98.10%',
      ].join('\n'),
    );
  });
});
