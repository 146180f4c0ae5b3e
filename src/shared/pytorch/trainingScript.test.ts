import { describe, expect, it } from 'vitest';
import { TEST_ARCHITECTURES } from '../../../fixtures/pytorch/architectures';
import { pythonAvailable, runPython } from '../../../fixtures/pytorch/python';
import { TORCH_ADAM_DEFAULTS } from '../../worker/training/torchAdam';
import { TORCH_SGD_MOMENTUM } from '../../worker/training/torchSgd';
import { SIMPLE_CNN_SPEC } from '../arch/archSpec';
import { formatCompactArch } from '../arch/compactForm';
import { paramLayouts } from '../arch/paramLayouts';
import { ARCH_PRESETS } from '../arch/presets';
import { DEFAULT_CONFIG } from '../config';
import type { ExportedRun } from './pytorchFiles';
import { pytorchArchitectureOf, specPytorchArchitecture } from './specModelClass';
import { ADAM_BETAS, ADAM_EPS, SGD_MOMENTUM, SIMPLE_CNN_PYTORCH, generateTrainingScript } from './trainingScript';

/** The presets whose scripts are golden files: stride-2 convs, BatchNorm, LeNet-5 (tanh, average pooling, 5×5, no dropout). */
const GOLDEN_PRESETS = ['stridedNoPool', 'batchNorm', 'lenet5'] as const;

/** One run per optimizer, each with settings away from the defaults where the script shows them. */
const RUNS: Record<'adam' | 'adamw' | 'sgd', ExportedRun> = {
  adam: { id: 'run-1733400000000', name: 'Run 1', config: { ...DEFAULT_CONFIG }, testAccuracy: 99.37 },
  adamw: {
    id: 'run-1733400000001',
    name: 'Run 2 · AdamW wd=1e-2',
    config: { ...DEFAULT_CONFIG, optimizer: 'adamw', weightDecay: 1e-2, epochs: 5, trainSize: 10000, testSize: 2000 },
    testAccuracy: 98.15,
    liveChanges: [
      { epoch: 3, batch: 12, changes: [{ field: 'lr', from: 0.001, to: 0.0005 }] },
      { epoch: 4, batch: 1, changes: [{ field: 'dropout', from: 0.25, to: 0.5 }, { field: 'batch', from: 128, to: 256 }] },
    ],
  },
  sgd: {
    id: 'run-1733400000002',
    name: 'SGD 试验 "momentum" \\ """""',
    config: { ...DEFAULT_CONFIG, optimizer: 'sgd', lr: 0.05, weightDecay: 0, dropout: 0.5, batch: 64, lrStep: 3, lrGamma: 0.1, seed: 42 },
    testAccuracy: null,
  },
};

describe('generateTrainingScript', () => {
  for (const [optimizer, run] of Object.entries(RUNS)) {
    it(`writes the ${optimizer} run's script (golden file)`, async () => {
      await expect(generateTrainingScript(run, SIMPLE_CNN_PYTORCH)).toMatchFileSnapshot(`./golden/${optimizer}.py`);
    });
  }

  for (const preset of GOLDEN_PRESETS) {
    it(`writes the ${preset} preset's class into the script (golden file)`, async () => {
      await expect(generateTrainingScript(RUNS.adam, pytorchArchitectureOf(ARCH_PRESETS[preset]))).toMatchFileSnapshot(`./golden/arch-${preset}.py`);
    });
  }

  it("keeps the seed's own class for the seed's spec; any other spec gets its own, with paramLayouts' tensors", () => {
    expect(pytorchArchitectureOf(SIMPLE_CNN_SPEC)).toBe(SIMPLE_CNN_PYTORCH);
    for (const [id, spec] of TEST_ARCHITECTURES) {
      const architecture = id === 'simpleCnn' ? specPytorchArchitecture(spec) : pytorchArchitectureOf(spec);
      expect(architecture.className, id).toBe('Net');
      expect(architecture.layout, id).toEqual(paramLayouts(spec));
      expect(architecture.spec, id).toBe(spec);
      const usesDropout = spec.head.dropoutAfter || spec.dense.some((layer) => layer.dropoutAfter);
      expect(architecture.instantiate, id).toBe(usesDropout ? 'Net(dropout=DROPOUT)' : 'Net()');
      const script = generateTrainingScript(RUNS.adam, architecture);
      expect(script, id).toContain(`\nMNIST Lab trained the architecture ${formatCompactArch(spec)} in the browser with the recipe below.\n`);
      expect(script.includes('DROPOUT = 0.25  # unused: this network has no dropout layer\n'), id).toBe(!usesDropout);
    }
  });

  it('puts each run’s recipe in its constants and its optimizer as PyTorch names it', () => {
    const adamw = generateTrainingScript(RUNS.adamw);
    for (const line of ['EPOCHS = 5', 'BATCH_SIZE = 128', 'LEARNING_RATE = 0.001', 'WEIGHT_DECAY = 0.01', 'STEP_SIZE = 7', 'GAMMA = 0.5', 'DROPOUT = 0.25', 'SEED = 0', 'TRAIN_IMAGES = 10000', 'TEST_IMAGES = 2000', 'APP_TEST_ACCURACY = 98.15']) {
      expect(adamw).toContain(`\n${line}`);
    }
    expect(adamw).toContain('optim.AdamW(model.parameters(), lr=LEARNING_RATE, betas=(0.9, 0.999), eps=1e-8, weight_decay=WEIGHT_DECAY)');
    expect(adamw).toContain('#   epoch 4, batch 1: DROPOUT 0.25 -> 0.5, BATCH_SIZE 128 -> 256');
    expect(generateTrainingScript(RUNS.adam)).toContain('optim.Adam(model.parameters(), lr=LEARNING_RATE, betas=(0.9, 0.999), eps=1e-8, weight_decay=WEIGHT_DECAY)');
    const sgd = generateTrainingScript(RUNS.sgd);
    expect(sgd).toContain('optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=0.9, weight_decay=WEIGHT_DECAY)');
    for (const line of ['LEARNING_RATE = 0.05', 'WEIGHT_DECAY = 0.0', 'DROPOUT = 0.5', 'BATCH_SIZE = 64', 'STEP_SIZE = 3', 'GAMMA = 0.1', 'SEED = 42']) {
      expect(sgd).toContain(`\n${line}`);
    }
    expect(sgd).not.toContain('APP_TEST_ACCURACY');
    expect(sgd).toContain('python3 sgd-试验-momentum.py --weights sgd-试验-momentum.safetensors');
  });

  it('uses the hyperparameters the app’s optimizers use', () => {
    expect(ADAM_BETAS).toEqual([TORCH_ADAM_DEFAULTS.beta1, TORCH_ADAM_DEFAULTS.beta2]);
    expect(ADAM_EPS).toBe(TORCH_ADAM_DEFAULTS.eps);
    expect(SGD_MOMENTUM).toBe(TORCH_SGD_MOMENTUM);
  });

  it('writes tiny and huge rates as Python floats', () => {
    const script = generateTrainingScript({ ...RUNS.adam, config: { ...DEFAULT_CONFIG, lr: 1e-7, lrGamma: 1, weightDecay: 1e-6 } });
    expect(script).toContain('\nLEARNING_RATE = 1e-7\n');
    expect(script).toContain('\nGAMMA = 1.0\n');
    expect(script).toContain('\nWEIGHT_DECAY = 0.000001\n');
  });

  it.skipIf(!pythonAvailable)('writes valid Python, whatever the run is called and whatever the architecture', () => {
    const scripts = [
      ...Object.values(RUNS).map((run) => [run.name, generateTrainingScript(run)]),
      ...TEST_ARCHITECTURES.map(([id, spec]) => [id, generateTrainingScript(RUNS.sgd, specPytorchArchitecture(spec))]),
    ];
    for (const [name, script] of scripts) {
      const result = runPython(['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: script });
      expect(result.stderr, name).toBe('');
      expect(result.status, name).toBe(0);
    }
  });
});
