/**
 * For the tests: at least one sample of every PyTorch refusal, with the parameters that change its
 * wording (the compiler asks for a new key's). src/ui/i18n/textSamples.ts spreads them into its table
 * once texts.ts's `Text` includes `PytorchText`. Not used by the app.
 */
import type { PytorchText, PytorchTextKey } from './pytorchTexts';

type SampleTable = { readonly [K in PytorchTextKey]: readonly Extract<PytorchText, { key: K }>[] };

export const PYTORCH_TEXT_SAMPLES: SampleTable = {
  'pytorch.tooLarge': [{ key: 'pytorch.tooLarge', bytes: 123_456_789, limit: 100_000_000 }],
  'pytorch.pickle': [
    { key: 'pytorch.pickle', container: 'zip' },
    { key: 'pytorch.pickle', container: 'pickle' },
  ],
  'pytorch.tooShort': [{ key: 'pytorch.tooShort', bytes: 5 }],
  'pytorch.headerPastEnd': [{ key: 'pytorch.headerPastEnd', headerBytes: 1_953_459_059, fileBytes: 1_562_016 }],
  'pytorch.headerNotJson': [{ key: 'pytorch.headerNotJson', detail: 'Unexpected end of JSON input' }],
  'pytorch.headerNotObject': [{ key: 'pytorch.headerNotObject' }],
  'pytorch.badMetadata': [
    { key: 'pytorch.badMetadata', entry: null },
    { key: 'pytorch.badMetadata', entry: 'epochs' },
  ],
  'pytorch.badEntry': [
    { key: 'pytorch.badEntry', tensor: 'conv1.weight', field: 'entry' },
    { key: 'pytorch.badEntry', tensor: 'conv1.weight', field: 'data_offsets' },
  ],
  'pytorch.unsupportedDtype': [{ key: 'pytorch.unsupportedDtype', tensor: 'fc1.weight', dtype: 'I8' }],
  'pytorch.sizeMismatch': [
    { key: 'pytorch.sizeMismatch', tensor: 'fc1.weight', dtype: 'F32', shape: '[256, 1152]', expectedBytes: 1_179_648, declaredBytes: 1_179_644 },
  ],
  'pytorch.offsetOutOfRange': [{ key: 'pytorch.offsetOutOfRange', tensor: 'fc2.bias', end: 1_561_680, dataBytes: 1_561_640 }],
  'pytorch.overlap': [{ key: 'pytorch.overlap', tensor: 'conv2.weight', other: 'conv1.bias' }],
  'pytorch.gap': [
    { key: 'pytorch.gap', tensor: 'conv2.weight', bytes: 16 },
    { key: 'pytorch.gap', tensor: null, bytes: 4 },
  ],
  'pytorch.nonFinite': [{ key: 'pytorch.nonFinite', tensor: 'fc2.bias', value: Infinity, index: 3 }],
  'pytorch.missingTensors': [
    { key: 'pytorch.missingTensors', names: ['fc2.bias'], architecture: 'SimpleCNN' },
    { key: 'pytorch.missingTensors', names: ['conv3.weight', 'conv3.bias'], architecture: 'SimpleCNN' },
  ],
  'pytorch.extraTensors': [
    { key: 'pytorch.extraTensors', names: ['bn1.weight'], architecture: 'SimpleCNN' },
    { key: 'pytorch.extraTensors', names: ['fc3.weight', 'fc3.bias'], architecture: 'SimpleCNN' },
  ],
  'pytorch.wrongShape': [{ key: 'pytorch.wrongShape', tensor: 'conv1.weight', expected: '[32, 1, 3, 3]', got: '[32, 3, 3, 3]', architecture: 'SimpleCNN' }],
  'pytorch.notFloat': [{ key: 'pytorch.notFloat', tensor: 'conv1.bias', dtype: 'I64' }],
};

export const ALL_PYTORCH_TEXT_SAMPLES: readonly PytorchText[] = Object.values(PYTORCH_TEXT_SAMPLES).flat();
