/**
 * Parity with PyTorch: the fixture (tools/parity/make_fixture.py) holds PyTorch's initial weights, three
 * fixed MNIST batches, and the losses and weights after six Adam steps with weight decay (dropout off).
 * The same weights and steps here must reproduce them.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadParityFixture } from '../../../fixtures/parity/loadParityFixture';
import { SIMPLE_CNN_SPEC } from '../../shared/arch/archSpec';
import { paramLayouts } from '../../shared/arch/paramLayouts';
import { fromTorchLayout } from '../../shared/arch/torchConversion';
import { registerWasmTrainingKernels } from '../backends/wasmKernels';
import { IMAGE_SIZE, gatherImages, gatherLabels, sequentialOrder } from '../data/batches';
import { createSpecNetwork, disposeSpecNetwork, readSpecNetworkValues, specForward } from '../model/specNetwork';
import { TorchAdam } from './torchAdam';
import { trainStep } from './trainStep';

const fixture = loadParityFixture();
const meta = fixture.meta;
const RELATIVE_TOLERANCE = 1e-4;
const layouts = paramLayouts(SIMPLE_CNN_SPEC);

/** The fixture's tensors (PyTorch's layouts) in this app's. */
function converted(source: typeof fixture.initial): Map<string, Float32Array> {
  return new Map(
    layouts.map((layout) => {
      const tensor = source.get(layout.name);
      if (!tensor) throw new Error(`fixture lacks ${layout.name}`);
      return [layout.name, fromTorchLayout(layout, tensor.values)];
    }),
  );
}

/** ‖a − b‖₂ / ‖b‖₂, and the largest element-wise difference. */
function difference(a: Float32Array, b: Float32Array): { relative: number; maxAbs: number } {
  let diff = 0;
  let norm = 0;
  let maxAbs = 0;
  for (let i = 0; i < b.length; i++) {
    const d = a[i] - b[i];
    diff += d * d;
    norm += b[i] * b[i];
    maxAbs = Math.max(maxAbs, Math.abs(d));
  }
  return { relative: Math.sqrt(diff / norm), maxAbs };
}

function batchTensors(index: number) {
  const order = sequentialOrder(meta.batches * meta.batchSize);
  const start = index * meta.batchSize;
  const end = start + meta.batchSize;
  const labels = Uint8Array.from(meta.labels);
  return {
    images: tf.tensor4d(gatherImages(fixture.images, order, start, end), [meta.batchSize, 28, 28, 1]),
    labels: tf.tensor1d(gatherLabels(labels, order, start, end), 'int32'),
  };
}

// WASM is the backend the app trains on wherever there is no usable GPU (and the one CI's browser uses).
describe.each(['wasm'])('parity with PyTorch on the %s backend', (backend) => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    expect(await tf.setBackend(backend)).toBe(true);
  });
  afterAll(() => tf.disposeVariables());

  it('holds the fixture it expects', () => {
    expect(fixture.images.length).toBe(meta.batches * meta.batchSize * IMAGE_SIZE);
    expect(meta.optimizer).toMatchObject({ name: 'Adam', eps: 1e-8, weightDecay: 1e-4 });
    expect(meta.params.map(({ name, shape }) => [name, shape])).toEqual(layouts.map(({ name, torchShape }) => [name, torchShape]));
  });

  it('gives the same logits, losses and weights after six Adam steps', async () => {
    const network = createSpecNetwork(SIMPLE_CNN_SPEC, converted(fixture.initial));
    const first = batchTensors(0);
    const { logits } = specForward(network, first.images, { training: false, dropoutRate: 0 });
    const logitsDiff = difference(await logits.data() as Float32Array, fixture.logits0);
    tf.dispose([logits, first.images, first.labels]);
    expect(logitsDiff.relative).toBeLessThan(RELATIVE_TOLERANCE);

    const optimizer = new TorchAdam<string>(network.params, {
      lr: meta.optimizer.lr,
      beta1: meta.optimizer.betas[0],
      beta2: meta.optimizer.betas[1],
      eps: meta.optimizer.eps,
      weightDecay: meta.optimizer.weightDecay,
    });
    const losses: number[] = [];
    for (let step = 0; step < meta.steps; step++) {
      const { images, labels } = batchTensors(step % meta.batches);
      const result = trainStep(network, optimizer, { images, labels, dropoutRate: 0, dropoutSeed: 0 });
      losses.push((await result.data())[0]);
      tf.dispose([result, images, labels]);
    }
    losses.forEach((loss, step) => expect(Math.abs(loss - meta.losses[step]) / meta.losses[step]).toBeLessThan(RELATIVE_TOLERANCE));

    const expected = converted(fixture.final);
    const trained = await readSpecNetworkValues(network);
    const report: Record<string, { relative: number; maxAbs: number }> = {};
    for (const { name } of layouts) report[name] = difference(trained.get(name) as Float32Array, expected.get(name) as Float32Array);
    console.info(`parity (${backend}): logits ${JSON.stringify(logitsDiff)}; max loss diff ${Math.max(...losses.map((l, i) => Math.abs(l - meta.losses[i])))}`);
    console.info(`parity (${backend}) weights: ${JSON.stringify(report)}`);
    for (const { name } of layouts) expect(report[name].relative, name).toBeLessThan(RELATIVE_TOLERANCE);

    optimizer.dispose();
    disposeSpecNetwork(network);
  });
});
