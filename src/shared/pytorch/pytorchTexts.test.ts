import { describe, expect, it } from 'vitest';
import { ALL_PYTORCH_TEXT_SAMPLES, PYTORCH_TEXT_SAMPLES } from './pytorchTextSamples';
import { PICKLE_TO_SAFETENSORS_PYTHON, englishPytorchText, isPytorchText } from './pytorchTexts';

describe('PyTorch refusal texts', () => {
  it('say every refusal in English, with the tensor and the numbers it is about', () => {
    for (const sample of ALL_PYTORCH_TEXT_SAMPLES) {
      const text = englishPytorchText(sample);
      expect(text, sample.key).toMatch(/^[A-Z].*[.\n]/s);
      expect(text, sample.key).not.toMatch(/undefined|NaN|\[object|null/);
      if ('tensor' in sample && sample.tensor !== null) expect(text, sample.key).toContain(`"${sample.tensor}"`);
      if ('names' in sample) for (const name of sample.names) expect(text, sample.key).toContain(`"${name}"`);
      expect(isPytorchText(sample)).toBe(true);
    }
    expect(isPytorchText({ key: 'model.notObject' })).toBe(false);
  });

  it('keep the wording users act on', () => {
    expect(englishPytorchText(PYTORCH_TEXT_SAMPLES['pytorch.tooLarge'][0])).toBe('The file is 123.5 MB; PyTorch weights are imported up to 100.0 MB.');
    expect(englishPytorchText(PYTORCH_TEXT_SAMPLES['pytorch.wrongShape'][0])).toBe(
      'Tensor "conv1.weight" has shape [32, 3, 3, 3]; SimpleCNN\'s is [32, 1, 3, 3].',
    );
    expect(englishPytorchText(PYTORCH_TEXT_SAMPLES['pytorch.missingTensors'][1])).toBe(
      'The file lacks the tensors "conv3.weight", "conv3.bias" of SimpleCNN.',
    );
  });

  it('give the reason a pickle is refused and the Python that converts it', () => {
    const text = englishPytorchText(PYTORCH_TEXT_SAMPLES['pytorch.pickle'][0]);
    expect(text).toContain('can run any code');
    expect(text).toContain('state_dict = torch.load("model.pt", map_location="cpu")');
    expect(text).toContain('safetensors.torch.save_file(state_dict, "model.safetensors")');
    expect(text.endsWith(PICKLE_TO_SAFETENSORS_PYTHON)).toBe(true);
  });
});
