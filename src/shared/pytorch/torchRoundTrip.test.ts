/**
 * The PyTorch bridge against real PyTorch (Debian's python3-torch), both ways:
 *
 * - PyTorch → app: weights trained in PyTorch (fixtures/pytorch, made by tools/pytorch/make_fixture.py)
 *   go through the safetensors decoder and the layout conversion into the app's SimpleCNN, which then
 *   computes PyTorch's logits; float16, bfloat16 and float64 read as PyTorch converts them. These need
 *   only the committed fixtures.
 * - app → PyTorch: weights the app trained (the fixture plus three Adam steps here) are exported, loaded
 *   by PyTorch with load_state_dict(strict=True) and give the app's logits; the generated <run>.py, run
 *   with --weights, prints the app's test accuracy; a .pt file is refused, and the lines of Python the
 *   refusal shows turn it into a file that imports. These run python3 and are skipped without torch.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST_DIR, TOOLS_DIR, loadDtypesFixture, loadTrainedFixture, mnistImages } from '../../../fixtures/pytorch/loadPytorchFixture';
import { noticeIfNoTorch, runPython, torchAvailable } from '../../../fixtures/pytorch/python';
import { registerWasmTrainingKernels } from '../../worker/backends/wasmKernels';
import { gatherImages, sequentialOrder } from '../../worker/data/batches';
import { createSpecNetwork, disposeSpecNetwork, readSpecNetworkValues, specForward, type SpecNetwork } from '../../worker/model/specNetwork';
import { TorchAdam } from '../../worker/training/torchAdam';
import { trainStep } from '../../worker/training/trainStep';
import { DEFAULT_CONFIG, OPTIMIZER_KINDS } from '../config';
import { SIMPLE_CNN_SPEC } from '../arch/archSpec';
import { parseCompactArch } from '../arch/compactForm';
import { paramLayouts } from '../arch/paramLayouts';
import { elementCount } from '../paramLayout';
import { decodePytorchWeights, encodePytorchWeights, type ExportedRun, type NetworkLayout } from './pytorchFiles';
import { PICKLE_TO_SAFETENSORS_TORCH_ONLY_PYTHON } from './pytorchTexts';
import { decodeSafetensors } from './safetensors';
import { SIMPLE_CNN_PYTORCH, generateTrainingScript } from './trainingScript';

const LOGIT_TOLERANCE = 1e-5;
/** Test images for the generated script's accuracy: 1,000, so one image is 0.1 points. */
const SCRIPT_TEST_IMAGES = 1000;

noticeIfNoTorch('the PyTorch round trips (app → PyTorch, the generated script, .pt conversion)');

/** Logits [count, 10] of the app's SimpleCNN (dropout off) on the first `count` test images. */
async function appLogits(network: SpecNetwork, count: number): Promise<Float32Array> {
  const { images } = mnistImages('t10k', count);
  const input = tf.tensor4d(gatherImages(images, sequentialOrder(count), 0, count), [count, 28, 28, 1]);
  const { logits } = specForward(network, input, { training: false, dropoutRate: 0 });
  const values = (await logits.data()) as Float32Array;
  tf.dispose([input, logits]);
  return values;
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Percent of the first `count` test images whose largest logit is the label. */
function accuracy(logits: Float32Array, count: number): number {
  const { labels } = mnistImages('t10k', count);
  let correct = 0;
  for (let n = 0; n < count; n++) {
    const row = logits.subarray(n * 10, n * 10 + 10);
    if (row.indexOf(Math.max(...row)) === labels[n]) correct++;
  }
  return (100 * correct) / count;
}

/** SimpleCNN's weights from a `.safetensors` state_dict, checked tensor by tensor. */
function decodeSimpleCnn(file: ArrayBuffer | Uint8Array) {
  return decodePytorchWeights(SIMPLE_CNN_PYTORCH, file);
}

/** The app's SimpleCNN holding the weights trained in PyTorch (fixtures/pytorch). */
function importFixture(): SpecNetwork {
  const imported = decodeSimpleCnn(loadTrainedFixture().file);
  if (!imported.ok) throw new Error(imported.error);
  return createSpecNetwork(SIMPLE_CNN_SPEC, imported.tensors);
}

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('PyTorch → the app', () => {
  it('imports weights trained in PyTorch into the app’s SimpleCNN, which computes PyTorch’s logits', async () => {
    const { meta } = loadTrainedFixture();
    expect(meta.labels).toEqual([...mnistImages('t10k', meta.testImages).labels]);
    const before = tf.memory().numTensors;
    const network = importFixture();
    const logits = await appLogits(network, meta.testImages);
    disposeSpecNetwork(network);
    expect(tf.memory().numTensors).toBe(before);

    const difference = maxDifference(logits, meta.logits.flat());
    console.info(`PyTorch → app: largest logit difference ${difference.toExponential(2)} over ${meta.testImages} test images`);
    expect(difference).toBeLessThan(LOGIT_TOLERANCE);
    expect(accuracy(logits, meta.testImages)).toBe(meta.accuracy);
  });

  it('reads float16, bfloat16 and float64 as PyTorch converts them to float32, bit for bit', () => {
    const decoded = decodeSafetensors(loadDtypesFixture());
    if (!decoded.ok) throw new Error(JSON.stringify(decoded.text));
    for (const dtype of ['F16', 'BF16', 'F64']) {
      const read = decoded.tensors.get(dtype)!;
      const torchFloat32 = decoded.tensors.get(`${dtype}_as_F32`)!;
      expect(read.dtype).toBe(dtype);
      expect(torchFloat32.dtype).toBe('F32');
      expect(Buffer.from((read.values as Float32Array).buffer).equals(Buffer.from((torchFloat32.values as Float32Array).buffer)), dtype).toBe(true);
    }
  });
});

describe.skipIf(!torchAvailable())('the app → PyTorch (python3 with torch)', () => {
  let workDir = '';
  let trained: Map<string, Float32Array>;
  let run: ExportedRun;
  let exportedPath = '';

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'mnist-lab-pytorch-'));
    const tensorsBefore = tf.memory().numTensors;
    // Weights the app made: the PyTorch fixture after three Adam steps here (dropout off). A fresh Adam
    // moves every weight by about lr per step, so a small rate keeps the trained network trained.
    const network = importFixture();
    const optimizer = new TorchAdam<string>(network.params, { lr: 1e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-4 });
    const batch = 32;
    const { images, labels } = mnistImages('train', 3 * batch);
    for (let step = 0; step < 3; step++) {
      const x = tf.tensor4d(gatherImages(images, sequentialOrder(3 * batch), step * batch, (step + 1) * batch), [batch, 28, 28, 1]);
      const y = tf.tensor1d(Int32Array.from(labels.subarray(step * batch, (step + 1) * batch)), 'int32');
      const loss = trainStep(network, optimizer, { images: x, labels: y, dropoutRate: 0, dropoutSeed: 0 });
      tf.dispose([loss, x, y]);
    }
    optimizer.dispose();
    trained = await readSpecNetworkValues(network);
    const testAccuracy = accuracy(await appLogits(network, SCRIPT_TEST_IMAGES), SCRIPT_TEST_IMAGES);
    disposeSpecNetwork(network);
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    run = {
      id: 'run-round-trip',
      name: 'Round trip',
      config: { ...DEFAULT_CONFIG, testSize: SCRIPT_TEST_IMAGES },
      testAccuracy,
    };
    const file = encodePytorchWeights(SIMPLE_CNN_PYTORCH, trained, run, 3);
    exportedPath = join(workDir, 'round-trip.safetensors');
    writeFileSync(exportedPath, new Uint8Array(file));
    console.info(`exported ${file.byteLength} bytes; the app's accuracy on ${SCRIPT_TEST_IMAGES} test images: ${testAccuracy.toFixed(2)}%`);
  });

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('exports weights that PyTorch loads with strict=True and that give the app’s logits', async () => {
    const count = 100;
    const result = runPython([join(TOOLS_DIR, 'check_in_torch.py'), 'logits', '--weights', exportedPath, '--images', String(count)]);
    expect(result.stderr).toBe('');
    const torch = JSON.parse(result.stdout) as { metadata: Record<string, string>; logits: number[][] };
    expect(torch.metadata).toMatchObject({ app: 'MNIST Lab', architecture: 'SimpleCNN', run: 'Round trip', run_id: 'run-round-trip' });

    const network = createSpecNetwork(SIMPLE_CNN_SPEC, trained);
    const logits = await appLogits(network, count);
    disposeSpecNetwork(network);
    const difference = maxDifference(logits, torch.logits.flat());
    console.info(`app → PyTorch: largest logit difference ${difference.toExponential(2)} over ${count} test images`);
    expect(difference).toBeLessThan(LOGIT_TOLERANCE);
  });

  it('writes a <run>.py that, run with --weights, prints the app’s test accuracy on the same images', () => {
    const scriptPath = join(workDir, 'round-trip.py');
    writeFileSync(scriptPath, generateTrainingScript(run));
    const result = runPython([scriptPath, '--weights', exportedPath, '--data', MNIST_DIR], { cwd: workDir });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    console.info(`generated script printed:\n${result.stdout}`);
    const printed = /Test Acc: ([\d.]+)% on (\d+) test images \(MNIST Lab: ([\d.]+)%\)/.exec(result.stdout);
    expect(printed, result.stdout).not.toBeNull();
    const [, torchAccuracy, images, appAccuracy] = printed!;
    expect(Number(images)).toBe(SCRIPT_TEST_IMAGES);
    expect(appAccuracy).toBe(run.testAccuracy!.toFixed(2));
    expect(Math.abs(Number(torchAccuracy) - run.testAccuracy!)).toBeLessThanOrEqual(0.01);
    expect(result.stdout).toContain('模型参数量: 390,410');
  });

  it.each(OPTIMIZER_KINDS)('writes the %s run’s script, which trains with the seed’s loop and printout; --save writes weights the app imports', (optimizer) => {
    const tiny: ExportedRun = {
      id: `run-${optimizer}`,
      name: `tiny ${optimizer}`,
      config: { ...DEFAULT_CONFIG, optimizer, epochs: 2, batch: 64, trainSize: 128, testSize: 100, lrStep: 1, lrGamma: 0.5 },
      testAccuracy: null,
    };
    const scriptPath = join(workDir, `tiny-${optimizer}.py`);
    const savedPath = join(workDir, `tiny-${optimizer}.safetensors`);
    writeFileSync(scriptPath, generateTrainingScript(tiny));
    const result = runPython([scriptPath, '--save', savedPath, '--data', MNIST_DIR], { cwd: workDir });
    expect(result.stderr).toBe('');
    const epoch = (n: number, lr: string) =>
      new RegExp(`^Epoch ${n}/2\\n Loss: \\d+\\.\\d{4}, Train Acc: \\d+\\.\\d{2}%, Test Acc: \\d+\\.\\d{2}%\\n Learning Rate: ${lr}$`, 'm');
    expect(result.stdout).toMatch(/^Using device: cpu\n模型参数量: 390,410\n/);
    expect(result.stdout).toMatch(epoch(1, '0.001000'));
    expect(result.stdout).toMatch(epoch(2, '0.000500'));
    expect(result.stdout).toMatch(/\n\n最终测试准确率: \d+\.\d{2}%\n/);
    const saved = decodeSimpleCnn(readFileSync(savedPath));
    expect(saved.ok, saved.ok ? '' : saved.error).toBe(true);
  });

  it('writes BatchNorm’s num_batches_tracked so PyTorch loads it strictly, and reads PyTorch’s BatchNorm state_dict back', () => {
    // tools/pytorch/check_in_torch.py's TinyBatchNormNet: a 4-channel conv block with BatchNorm and max-pooling, flatten, the output layer.
    const spec = parseCompactArch('c4bp-flatn');
    if (!spec.ok) throw new Error(JSON.stringify(spec.error));
    const network: NetworkLayout = { className: 'TinyBatchNormNet', spec: spec.spec, layout: paramLayouts(spec.spec) };
    expect(network.layout.map((entry) => `${entry.name} ${entry.torchShape.join('x')}`)).toEqual([
      'conv1.weight 4x1x3x3', 'bn1.weight 4', 'bn1.bias 4', 'bn1.running_mean 4', 'bn1.running_var 4', 'fc1.weight 10x784', 'fc1.bias 10',
    ]);
    const tensors = new Map(
      network.layout.map((entry) => [entry.name, Float32Array.from({ length: elementCount(entry.shape) }, (_, i) => 0.5 + Math.sin(i) / 4)]),
    );
    const exported = join(workDir, 'batchnorm.safetensors');
    const fromTorch = join(workDir, 'batchnorm-from-torch.safetensors');
    writeFileSync(exported, new Uint8Array(encodePytorchWeights(network, tensors, run, 123)));

    const result = runPython([join(TOOLS_DIR, 'check_in_torch.py'), 'batchnorm', '--weights', exported, '--out', fromTorch]);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ num_batches_tracked: 123 });

    const raw = decodeSafetensors(readFileSync(fromTorch));
    expect(raw.ok && raw.tensors.get('bn1.num_batches_tracked')).toEqual({ dtype: 'I64', shape: [], values: BigInt64Array.of(124n) });
    const imported = decodePytorchWeights(network, readFileSync(fromTorch));
    if (!imported.ok) throw new Error(imported.error);
    expect(imported.tensors.get('conv1.weight')).toEqual(tensors.get('conv1.weight'));
    expect(imported.tensors.get('fc1.weight')).toEqual(tensors.get('fc1.weight'));
    expect(imported.tensors.get('bn1.running_mean')).not.toEqual(tensors.get('bn1.running_mean'));
  });

  it('refuses a .pt file, zip or legacy pickle; the Python the refusal shows turns it into a file that imports', () => {
    const check = join(TOOLS_DIR, 'check_in_torch.py');
    const modelPt = join(workDir, 'model.pt');
    for (const [flags, container] of [[[], 'zip'], [['--legacy'], 'pickle']] as const) {
      const saved = runPython([check, 'save-pt', '--weights', exportedPath, '--out', modelPt, ...flags]);
      expect(saved.stderr).toBe('');
      expect(decodeSimpleCnn(readFileSync(modelPt))).toMatchObject({ ok: false, text: { key: 'pytorch.pickle', container } });
    }

    const converted = runPython(['-c', PICKLE_TO_SAFETENSORS_TORCH_ONLY_PYTHON], { cwd: workDir });
    expect(converted.stderr).toBe('');
    const imported = decodeSimpleCnn(readFileSync(join(workDir, 'model.safetensors')));
    if (!imported.ok) throw new Error(imported.error);
    for (const [name, weights] of trained) {
      expect(Buffer.from(imported.tensors.get(name)!.buffer).equals(Buffer.from(weights.slice().buffer)), name).toBe(true);
    }
  });
});
