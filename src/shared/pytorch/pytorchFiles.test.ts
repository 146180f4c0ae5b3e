import { describe, expect, it } from 'vitest';
import { SIMPLE_CNN_SPEC } from '../arch/archSpec';
import { DEFAULT_CONFIG, type TrainConfig } from '../config';
import { initialSpecValues } from '../../worker/model/specNetwork';
import { SeededRandom } from '../../worker/training/random';
import { decodePytorchWeights, encodePytorchWeights, exportMetadata, pytorchFileStem, type ExportedRun } from './pytorchFiles';
import { englishPytorchText } from './pytorchTexts';
import { decodeSafetensors } from './safetensors';
import { SIMPLE_CNN_PYTORCH } from './trainingScript';

const config: TrainConfig = { ...DEFAULT_CONFIG, optimizer: 'adamw', weightDecay: 1e-2, testSize: 2000 };
const run: ExportedRun = { id: 'run-1723', name: 'Run 2 · AdamW wd=1e-2', config, testAccuracy: 98.15 };

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe('pytorchFileStem', () => {
  it('keeps letters and digits of any script, one dash between words', () => {
    expect(pytorchFileStem('Run 2 · AdamW wd=1e-2')).toBe('run-2-adamw-wd-1e-2');
    expect(pytorchFileStem('  试验 一：SGD  ')).toBe('试验-一-sgd');
    expect(pytorchFileStem('../../etc/passwd')).toBe('etc-passwd');
  });

  it('has a name when none is left, and stays short', () => {
    expect(pytorchFileStem('***')).toBe('mnist-lab-run');
    const long = pytorchFileStem('a'.repeat(59) + ' b c');
    expect(long).toBe('a'.repeat(59));
  });
});

describe('exportMetadata', () => {
  it('names the app, the network, the run, its whole configuration, its accuracy and its input', () => {
    const metadata = exportMetadata(run, SIMPLE_CNN_PYTORCH);
    expect(metadata).toMatchObject({
      format: 'pt',
      app: 'MNIST Lab',
      architecture: 'SimpleCNN',
      arch: 'c32p-c64p-c128p-f256',
      run: 'Run 2 · AdamW wd=1e-2',
      run_id: 'run-1723',
      test_accuracy: '98.15',
      test_images: '2000',
    });
    expect(JSON.parse(metadata.config)).toEqual(config);
    expect(metadata.input).toContain('(pixel / 255 - 0.1307) / 0.3081');
    expect(Object.values(metadata).every((v) => typeof v === 'string')).toBe(true);
  });

  it('has no accuracy for a run that finished no epoch', () => {
    const metadata = exportMetadata({ ...run, testAccuracy: null }, SIMPLE_CNN_PYTORCH);
    expect(metadata).not.toHaveProperty('test_accuracy');
    expect(metadata).not.toHaveProperty('test_images');
  });
});

describe('SimpleCNN weights through a .safetensors file', () => {
  const weights = initialSpecValues(SIMPLE_CNN_SPEC, new SeededRandom(7));

  it('round-trips: the exported file is read back to the same weights and metadata', () => {
    const bytes = encodePytorchWeights(SIMPLE_CNN_PYTORCH, weights, run, 4690);
    const headerBytes = Number(new DataView(bytes).getBigUint64(0, true));
    const dataBytes = 390_410 * 4; // the seed's parameters, float32
    expect(bytes.byteLength).toBe(8 + headerBytes + dataBytes);
    console.info(`SimpleCNN .safetensors: ${bytes.byteLength} bytes (header ${headerBytes}, data ${dataBytes})`);

    const raw = decodeSafetensors(bytes);
    expect(raw.ok && [...raw.tensors].map(([name, t]) => `${name} ${t.dtype} [${t.shape.join(', ')}]`)).toEqual([
      'conv1.weight F32 [32, 1, 3, 3]',
      'conv1.bias F32 [32]',
      'conv2.weight F32 [64, 32, 3, 3]',
      'conv2.bias F32 [64]',
      'conv3.weight F32 [128, 64, 3, 3]',
      'conv3.bias F32 [128]',
      'fc1.weight F32 [256, 1152]',
      'fc1.bias F32 [256]',
      'fc2.weight F32 [10, 256]',
      'fc2.bias F32 [10]',
    ]);

    const decoded = decodePytorchWeights(SIMPLE_CNN_PYTORCH, bytes);
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.metadata).toEqual(exportMetadata(run, SIMPLE_CNN_PYTORCH));
    expect([...decoded.tensors.keys()]).toEqual([...weights.keys()]);
    for (const [name, values] of weights) expect(sameBits(decoded.tensors.get(name)!, values), name).toBe(true);
  });

  it('refuses with the English of the refusal, from the file or from the state_dict', () => {
    const notSafetensors = decodePytorchWeights(SIMPLE_CNN_PYTORCH, new TextEncoder().encode('{"not": "a model"}'));
    expect(notSafetensors).toMatchObject({ ok: false, text: { key: 'pytorch.headerPastEnd' } });
    if (!notSafetensors.ok) expect(notSafetensors.error).toBe(englishPytorchText(notSafetensors.text));

    const partial = new Map(weights);
    partial.delete('fc2.bias');
    const layoutWithoutBias = { ...SIMPLE_CNN_PYTORCH, layout: SIMPLE_CNN_PYTORCH.layout.filter((e) => e.name !== 'fc2.bias') };
    const missing = decodePytorchWeights(SIMPLE_CNN_PYTORCH, encodePytorchWeights(layoutWithoutBias, partial, run, 0));
    expect(missing).toEqual({
      ok: false,
      error: 'The file lacks the tensor "fc2.bias" of SimpleCNN.',
      text: { key: 'pytorch.missingTensors', names: ['fc2.bias'], architecture: 'SimpleCNN' },
    });
  });
});
