import { describe, expect, it } from 'vitest';
import { en } from './messages';
import { i18nFor } from './useI18n';
import { zh } from './zh';

describe('i18nFor', () => {
  const english = i18nFor('en', () => {});
  const chinese = i18nFor('zh', () => {});

  it('hands out the messages of its locale', () => {
    expect(english.t).toBe(en);
    expect(chinese.t).toBe(zh);
    expect(chinese.locale).toBe('zh');
  });

  it('groups integers in both locales', () => {
    expect(english.formatInteger(60000)).toBe('60,000');
    expect(chinese.formatInteger(60000)).toBe('60,000');
    expect(english.formatInteger(390410.4)).toBe('390,410');
    expect(chinese.formatInteger(7)).toBe('7');
  });

  it('formats percentages given in percent, 2 decimals unless told', () => {
    expect(english.formatPercent(98.1)).toBe('98.10%');
    expect(chinese.formatPercent(98.1)).toBe('98.10%');
    expect(english.formatPercent(93.14, 1)).toBe('93.1%');
    expect(chinese.formatPercent(99.5, 0)).toBe('100%');
    expect(english.formatPercent(100)).toBe('100.00%');
  });

  it('passes Intl options through formatNumber', () => {
    expect(english.formatNumber(0.25, { maximumFractionDigits: 2 })).toBe('0.25');
    expect(chinese.formatNumber(1234567.891, { maximumFractionDigits: 1 })).toBe('1,234,567.9');
    expect(chinese.formatNumber(0.5, { style: 'percent' })).toBe('50%');
  });
});
