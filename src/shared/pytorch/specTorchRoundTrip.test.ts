/**
 * The PyTorch class the script generator writes for each architecture (./specModelClass.ts), run by real
 * PyTorch (Debian's python3-torch): for every preset and a spec with every option,
 *
 * - weights of the app's network of that spec (BatchNorm's statistics drawn, not the identity), exported
 *   as `<run>.safetensors`, load into the class of the generated `<run>.py` with
 *   load_state_dict(strict=True), its state_dict being exactly the layout's names, order and PyTorch
 *   shapes plus BatchNorm's num_batches_tracked; in eval mode it computes the app's eval logits (1e-5);
 * - the generated script trains the network with the seed's loop and printout, and `--save` writes a
 *   state_dict the app imports.
 *
 * Skipped, with a notice, where python3 cannot import torch.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportedNetworkValues, TEST_ARCHITECTURES } from '../../../fixtures/pytorch/architectures';
import { MNIST_DIR, TOOLS_DIR, mnistImages } from '../../../fixtures/pytorch/loadPytorchFixture';
import { noticeIfNoTorch, runPython, torchAvailable } from '../../../fixtures/pytorch/python';
import { gatherImages, sequentialOrder } from '../../worker/data/batches';
import { createSpecNetwork, disposeSpecNetwork, specForward } from '../../worker/model/specNetwork';
import { analyzeArch } from '../arch/analysis';
import type { ArchSpec } from '../arch/archSpec';
import { SIMPLE_CNN_SPEC } from '../arch/archSpec';
import { DEFAULT_CONFIG } from '../config';
import { decodePytorchWeights, encodePytorchWeights, type ExportedRun } from './pytorchFiles';
import { decodeSafetensors } from './safetensors';
import { pytorchArchitectureOf, specPytorchArchitecture } from './specModelClass';
import { generateTrainingScript, type PytorchArchitecture } from './trainingScript';

const LOGIT_TOLERANCE = 1e-5;
const TEST_IMAGES = 32;
/** Optimizer steps the exported weights claim (BatchNorm's num_batches_tracked). */
const EXPORTED_STEPS = 7;

noticeIfNoTorch("the generated PyTorch classes of every architecture (the app's logits in torch, a training run of each script)");

/** Each architecture's network as the bridge exports it, and the seed's spec once more through the generic class. */
const CASES: readonly { id: string; spec: ArchSpec; architecture: PytorchArchitecture }[] = [
  ...TEST_ARCHITECTURES.map(([id, spec]) => ({ id, spec, architecture: pytorchArchitectureOf(spec) })),
  { id: 'simpleCnn as Net', spec: SIMPLE_CNN_SPEC, architecture: specPytorchArchitecture(SIMPLE_CNN_SPEC) },
];

/** The state_dict the class must have: the layout's tensors in order, num_batches_tracked after each BatchNorm's running_var. */
function expectedStateDict(architecture: PytorchArchitecture): [string, number[]][] {
  return architecture.layout.flatMap((entry): [string, number[]][] => {
    const tensor: [string, number[]] = [entry.name, [...entry.torchShape]];
    return entry.name.endsWith('.running_var') ? [tensor, [entry.name.replace('.running_var', '.num_batches_tracked'), []]] : [tensor];
  });
}

describe.skipIf(!torchAvailable())('generated PyTorch classes (python3 with torch)', () => {
  let workDir = '';
  let torchResults: { stateDict: [string, number[]][]; logits: number[][] }[] = [];
  const appLogits: Float32Array[] = [];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    workDir = mkdtempSync(join(tmpdir(), 'mnist-lab-spec-classes-'));
    const tensorsBefore = tf.memory().numTensors;
    const { images } = mnistImages('t10k', TEST_IMAGES);
    const input = tf.tensor4d(gatherImages(images, sequentialOrder(TEST_IMAGES), 0, TEST_IMAGES), [TEST_IMAGES, 28, 28, 1]);
    const jobs = [];
    for (const [index, { id, spec, architecture }] of CASES.entries()) {
      const values = exportedNetworkValues(spec, 40 + index);
      const network = createSpecNetwork(spec, values);
      const { logits } = specForward(network, input, { training: false, dropoutRate: 0.25 });
      appLogits.push((await logits.data()) as Float32Array);
      logits.dispose();
      disposeSpecNetwork(network);

      const run: ExportedRun = { id: `run-${index}`, name: id, config: { ...DEFAULT_CONFIG }, testAccuracy: null };
      const weights = join(workDir, `case-${index}.safetensors`);
      const script = join(workDir, `case-${index}.py`);
      writeFileSync(weights, new Uint8Array(encodePytorchWeights(architecture, values, run, EXPORTED_STEPS)));
      writeFileSync(script, generateTrainingScript(run, architecture));
      jobs.push({ script, weights, model: architecture.instantiate });
    }
    input.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    const jobsPath = join(workDir, 'jobs.json');
    writeFileSync(jobsPath, JSON.stringify(jobs));
    const result = runPython([join(TOOLS_DIR, 'check_generated_model.py'), '--jobs', jobsPath, '--images', String(TEST_IMAGES)], { cwd: workDir });
    expect(result.stderr).toBe('');
    torchResults = JSON.parse(result.stdout);
  });

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it.each(CASES.map((testCase, index) => [testCase.id, index] as const))(
    "%s: the class's state_dict is the layout's; loaded with the app's weights it computes the app's logits",
    (id, index) => {
      const { architecture } = CASES[index];
      const torch = torchResults[index];
      expect(torch.stateDict).toEqual(expectedStateDict(architecture));
      const ours = appLogits[index];
      const theirs = torch.logits.flat();
      expect(theirs).toHaveLength(ours.length);
      let largest = 0;
      for (let i = 0; i < ours.length; i++) largest = Math.max(largest, Math.abs(ours[i] - theirs[i]));
      console.info(`${id}: largest logit difference app vs generated class ${largest.toExponential(2)} over ${TEST_IMAGES} test images`);
      expect(largest).toBeLessThan(LOGIT_TOLERANCE);
      expect(theirs.some((v) => Math.abs(v) > 1e-2)).toBe(true);
    },
  );

  it.each(TEST_ARCHITECTURES)("%s: the generated script trains with the seed's loop and printout; --save writes weights the app imports", (id, spec) => {
    const architecture = pytorchArchitectureOf(spec);
    // Two steps of 32 images, one epoch, tested on 32 images.
    const run: ExportedRun = {
      id: `run-train-${id}`,
      name: `train ${id}`,
      config: { ...DEFAULT_CONFIG, epochs: 1, batch: 32, trainSize: 64, testSize: 32 },
      testAccuracy: null,
    };
    const script = join(workDir, `train-${id}.py`);
    const saved = join(workDir, `train-${id}.safetensors`);
    writeFileSync(script, generateTrainingScript(run, architecture));
    const result = runPython([script, '--save', saved, '--data', MNIST_DIR], { cwd: workDir });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const parameters = analyzeArch(spec).totals.parameters.toLocaleString('en-US');
    expect(result.stdout).toMatch(new RegExp(`^Using device: cpu\\n模型参数量: ${parameters}\\n`));
    expect(result.stdout).toMatch(/^Epoch 1\/1\n Loss: \d+\.\d{4}, Train Acc: \d+\.\d{2}%, Test Acc: \d+\.\d{2}%\n Learning Rate: 0\.001000$/m);
    expect(result.stdout).toMatch(/\n\n最终测试准确率: \d+\.\d{2}%\n/);

    const file = readFileSync(saved);
    const imported = decodePytorchWeights(architecture, file);
    expect(imported.ok, imported.ok ? '' : imported.error).toBe(true);
    const raw = decodeSafetensors(file);
    if (!raw.ok) throw new Error(JSON.stringify(raw.text));
    const counters = [...raw.tensors].filter(([name]) => name.endsWith('.num_batches_tracked')).map(([, tensor]) => tensor.values);
    expect(counters).toEqual(spec.convBlocks.filter((block) => block.batchNorm).map(() => BigInt64Array.of(2n)));
  });
});
