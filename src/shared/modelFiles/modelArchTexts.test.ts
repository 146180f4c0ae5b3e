import { describe, expect, it } from 'vitest';
import { archProblemText } from '../arch/problems';
import { ALL_MODEL_ARCH_TEXT_SAMPLES, MODEL_ARCH_TEXT_SAMPLES } from './modelArchTextSamples';
import { englishModelArchText, isModelArchText } from './modelArchTexts';

describe('model-file architecture refusal texts', () => {
  it('say every refusal in English, naming the layer and the values', () => {
    for (const sample of ALL_MODEL_ARCH_TEXT_SAMPLES) {
      const text = englishModelArchText(sample);
      expect(text, sample.key).toMatch(/^([A-Z]|model\.json ).*\.$/s);
      expect(text, sample.key).not.toMatch(/undefined|NaN|\[object|null/);
      if ('layer' in sample) expect(text, sample.key).toContain(`"${sample.layer}" (${sample.className})`);
      if ('previous' in sample && sample.previous !== null) expect(text, sample.key).toContain(`"${sample.previous}" (${sample.previousClassName})`);
      if ('wanted' in sample) for (const value of sample.wanted) expect(text, sample.key).toContain(value);
      if ('problems' in sample) for (const problem of sample.problems) expect(text, sample.key).toContain(archProblemText(problem));
      expect(isModelArchText(sample)).toBe(true);
    }
    expect(isModelArchText({ key: 'model.notObject' })).toBe(false);
  });

  it('keep the wording users act on', () => {
    const [kernel, units, activation] = MODEL_ARCH_TEXT_SAMPLES['modelArch.unsupportedSetting'];
    expect(englishModelArchText(kernel)).toBe('Layer "conv1" (Conv2D) has kernel_size [7, 7]; this app\'s networks have [3, 3] or [5, 5] there.');
    expect(englishModelArchText(units)).toBe('Layer "fc2" (Dense) has units 12; this app\'s networks have 10 there.');
    expect(englishModelArchText(activation)).toBe('Layer "act1" (Activation) has activation "selu"; this app\'s networks have "relu", "gelu" or "tanh" there.');
    expect(englishModelArchText(MODEL_ARCH_TEXT_SAMPLES['modelArch.metadataDisagrees'][0])).toBe(
      "The model's layers describe the architecture c32p-c32p-c32p-f256, but its userDefinedMetadata says c32p-c64p-c128p-f256: " +
        'the file was changed after it was saved.',
    );
    expect(englishModelArchText(MODEL_ARCH_TEXT_SAMPLES['modelArch.invalidSpec'][0])).toBe(
      "The model's architecture cannot be used here: conv block 6 (conv6): a 2×2 pool on a 1 px map leaves 0 px.",
    );
  });
});
