/**
 * For the tests: at least one sample of every model-file architecture refusal, with the parameters that
 * change its wording (the compiler asks for a new key's). src/ui/i18n/textSamples.ts spreads them into
 * its table once texts.ts's `Text` includes `ModelArchText`. Not used by the app.
 */
import type { ModelArchText, ModelArchTextKey } from './modelArchTexts';

type SampleTable = { readonly [K in ModelArchTextKey]: readonly Extract<ModelArchText, { key: K }>[] };

export const MODEL_ARCH_TEXT_SAMPLES: SampleTable = {
  'modelArch.notSequential': [{ key: 'modelArch.notSequential', className: '"Functional"' }],
  'modelArch.layerNoClass': [{ key: 'modelArch.layerNoClass', index: 3 }],
  'modelArch.unsupportedLayer': [{ key: 'modelArch.unsupportedLayer', layer: 'lstm', className: 'LSTM' }],
  'modelArch.misplacedLayer': [
    { key: 'modelArch.misplacedLayer', layer: 'fc1', className: 'Dense', previous: 'conv1', previousClassName: 'Conv2D' },
    { key: 'modelArch.misplacedLayer', layer: 'dropout1', className: 'Dropout', previous: null, previousClassName: null },
  ],
  'modelArch.incomplete': [
    { key: 'modelArch.incomplete', last: 'flatten', lastClassName: 'Flatten' },
    { key: 'modelArch.incomplete', last: null, lastClassName: null },
  ],
  'modelArch.noActivation': [{ key: 'modelArch.noActivation', layer: 'bn1', className: 'BatchNormalization' }],
  'modelArch.unsupportedSetting': [
    { key: 'modelArch.unsupportedSetting', layer: 'conv1', className: 'Conv2D', field: 'kernel_size', value: '[7, 7]', wanted: ['[3, 3]', '[5, 5]'] },
    { key: 'modelArch.unsupportedSetting', layer: 'fc2', className: 'Dense', field: 'units', value: '12', wanted: ['10'] },
    { key: 'modelArch.unsupportedSetting', layer: 'act1', className: 'Activation', field: 'activation', value: '"selu"', wanted: ['"relu"', '"gelu"', '"tanh"'] },
  ],
  'modelArch.invalidSpec': [
    {
      key: 'modelArch.invalidSpec',
      problems: [{ kind: 'pooledBelowOnePixel', at: { kind: 'conv', block: 5 }, inputSize: 1 }],
    },
    {
      key: 'modelArch.invalidSpec',
      problems: [
        { kind: 'tooWide', at: { kind: 'conv', block: 0 }, field: 'channels', value: 2048, limit: 1024 },
        { kind: 'tooManyParameters', count: 25_000_000, limit: 20_000_000 },
      ],
    },
  ],
  'modelArch.metadataUnreadable': [{ key: 'modelArch.metadataUnreadable', value: '"c32p-z9"' }],
  'modelArch.metadataDisagrees': [{ key: 'modelArch.metadataDisagrees', metadata: 'c32p-c64p-c128p-f256', topology: 'c32p-c32p-c32p-f256' }],
  'modelArch.unknownWeight': [{ key: 'modelArch.unknownWeight', name: 'conv9/bias', expected: ['conv1/kernel', 'conv1/bias', 'fc1/kernel', 'fc1/bias'] }],
};

export const ALL_MODEL_ARCH_TEXT_SAMPLES: readonly ModelArchText[] = Object.values(MODEL_ARCH_TEXT_SAMPLES).flat();
