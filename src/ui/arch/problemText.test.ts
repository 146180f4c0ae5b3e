import { describe, expect, it } from 'vitest';
import { ARCH_PRESETS } from '../../shared/arch/presets';
import { SIMPLE_CNN_SPEC } from '../../shared/arch/archSpec';
import type { ArchProblem } from '../../shared/arch/problems';
import { ARCH_MESSAGES } from './archMessages';
import { archSummary } from './archSummary';
import { archProblemMessage } from './problemText';

/** One problem of every kind, each at a layer that names itself. */
const PROBLEMS: readonly ArchProblem[] = [
  { kind: 'unknownVersion', received: '7' },
  { kind: 'malformed', at: { kind: 'conv', block: 1 }, field: 'channels', expected: { type: 'integer' }, received: 'NaN' },
  { kind: 'malformed', at: { kind: 'head' }, field: 'kind', expected: { type: 'oneOf', values: ['flatten', 'globalAvgPool'] }, received: '"x"' },
  { kind: 'unknownField', at: { kind: 'dense', index: 0 }, field: 'bias' },
  { kind: 'notPositive', at: { kind: 'conv', block: 1 }, field: 'channels', value: 0 },
  { kind: 'tooWide', at: { kind: 'dense', index: 1 }, field: 'units', value: 9000, limit: 8192 },
  { kind: 'tooManyLayers', field: 'convBlocks', count: 13, limit: 12 },
  { kind: 'tooManyLayers', field: 'dense', count: 9, limit: 8 },
  { kind: 'kernelLargerThanInput', at: { kind: 'conv', block: 2 }, kernel: 5, inputSize: 3 },
  { kind: 'pooledBelowOnePixel', at: { kind: 'conv', block: 4 }, inputSize: 1 },
  { kind: 'tooManyParameters', count: 51_389_706, limit: 20_000_000 },
];

describe('archProblemMessage', () => {
  it('says in English which layer fails and why', () => {
    expect(PROBLEMS.map((problem) => archProblemMessage(problem, ARCH_MESSAGES.en))).toEqual([
      'Unknown architecture spec version 7.',
      'Block 2 (conv2): channels must be a whole number.',
      'The head: kind must be one of "flatten", "globalAvgPool".',
      'Dense layer 1 (fc1): unknown setting bias.',
      'Block 2 (conv2): channels must be at least 1, not 0.',
      'Dense layer 2 (fc2): width 9,000 is more than the limit of 8,192.',
      '13 conv blocks is more than the limit of 12.',
      '9 dense layers is more than the limit of 8.',
      'Block 3 (conv3): a 5×5 kernel without padding does not fit its 3 px map.',
      'Block 5 (conv5): a 2×2 pool on a 1 px map leaves 0 px.',
      '51,389,706 parameters is more than the limit of 20,000,000.',
    ]);
  });

  it('says it in Chinese too, with the same layer names and numbers', () => {
    const zh = PROBLEMS.map((problem) => archProblemMessage(problem, ARCH_MESSAGES.zh));
    expect(zh[1]).toBe('卷积块 2（conv2）：通道数必须是一个整数。');
    expect(zh[9]).toBe('卷积块 5（conv5）：对 1 像素的特征图做 2×2 池化后只剩 0 像素。');
    expect(zh[10]).toBe('51,389,706 个参数超过了上限 20,000,000。');
    for (const [i, text] of zh.entries()) {
      expect(text).not.toMatch(/undefined|NaN|[A-Z][a-z]+ [a-z]+ /); // no English sentence left over
      expect(text).not.toBe(archProblemMessage(PROBLEMS[i], ARCH_MESSAGES.en));
    }
  });
});

describe('archSummary', () => {
  it("writes the compact form and the parameter count: the seed's, LeNet-5's and the MLP's", () => {
    expect(archSummary(SIMPLE_CNN_SPEC, 'en')).toBe('c32p-c64p-c128p-f256 · 390,410 parameters');
    expect(archSummary(ARCH_PRESETS.lenet5, 'en')).toBe('c6k5ta-c16k5vta-flatn-f120tn-f84tn · 61,706 parameters');
    expect(archSummary(ARCH_PRESETS.mlp, 'zh')).toBe('f256 · 203,530 个参数');
  });
});
