/**
 * Profile of one SimpleCNN training step (batch 128) on the wasm backend in Node: ms per step
 * (median) and where the time goes, kernel by kernel. Skipped unless WASM_STEP_BENCH=1:
 *
 *   WASM_STEP_BENCH=1 npx vitest run src/worker/backends/wasmTrainingStep.bench.test.ts
 *
 * Options (environment):
 *   WASM_STEP_BENCH_STEPS=N     timed steps (default 10, after 2 warm-up steps)
 *   WASM_STEP_BENCH_KERNELS=tfjs  register only the Conv2DBackpropFilter kernel (which training needs)
 *                               and keep tfjs's own kernels otherwise: the baseline. By default all of
 *                               registerWasmTrainingKernels() is registered, as in the app.
 *
 * Timings are reported as wall time and as this process's CPU time (process.cpuUsage). The wasm
 * backend runs on one thread, so on a quiet machine the two agree; on a loaded one (the 2-core dev
 * box often runs a browser or PyTorch next to it) CPU time is the steadier estimate of what the
 * step costs on a core of its own. Compare runs by CPU time, and several runs at that.
 *
 * It runs the real thing: the seed's SimpleCNN (`SIMPLE_CNN_SPEC`) initialized from `SeededRandom(0)`,
 * `TorchAdam` with the app's defaults (lr 1e-3, weight decay 1e-4), `trainStep` with dropout 0.25, and
 * awaits the result like the trainer does. Per-kernel times come from wrapping every registered wasm kernel's
 * kernelFunc with a timer (wasm kernels are synchronous, so wall time is kernel time). Kernels that
 * call other kernels directly (this project's Conv2DBackprop* kernels, tfjs's own composites) are
 * counted once at the outermost level ("top level" table) and their inner calls are listed
 * separately ("nested" table). Time not inside any kernel is the engine's own JavaScript (tape,
 * tidy, tensor bookkeeping). Asserts nothing but finiteness.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMPLE_CNN_SPEC } from '../../shared/arch/archSpec';
import { createSpecNetwork, disposeSpecNetwork, initialSpecValues, type SpecNetwork } from '../model/specNetwork';
import { SeededRandom } from '../training/random';
import { TorchAdam } from '../training/torchAdam';
import { trainStep } from '../training/trainStep';
import { registerWasmConv2DBackpropFilter } from './wasmConv2DBackpropFilter';
import { registerWasmTrainingKernels } from './wasmKernels';

const BATCH = 128;
const enabled = Boolean(process.env['WASM_STEP_BENCH']);
const steps = Number(process.env['WASM_STEP_BENCH_STEPS'] ?? 10);
const baseline = process.env['WASM_STEP_BENCH_KERNELS'] === 'tfjs';

interface Stat {
  calls: number;
  /** Wall time. */
  ms: number;
  /** CPU time of this process (user + system): what the step costs when it has a core to itself. */
  cpuMs: number;
}

/** CPU time of this process so far, in ms (user + system, all of its threads). */
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Wraps every wasm kernel with a timer; returns the tables and a restore function. */
function instrumentWasmKernels() {
  const top = new Map<string, Stat>();
  const nested = new Map<string, Stat>();
  /** Top-level calls by kernel and input shapes, to tell the three conv layers apart. */
  const byShape = new Map<string, Stat>();
  let depth = 0;
  let recording = false;
  const originals = tf.getKernelsForBackend('wasm');
  for (const config of originals) {
    const inner = config.kernelFunc;
    const name = config.kernelName;
    const wrapped: KernelFunc = (args) => {
      if (!recording) return inner(args);
      depth++;
      const c0 = cpuNow();
      const t0 = performance.now();
      try {
        return inner(args);
      } finally {
        const ms = performance.now() - t0;
        const cpuMs = cpuNow() - c0;
        depth--;
        const add = (table: Map<string, Stat>, key: string) => {
          const stat = table.get(key) ?? { calls: 0, ms: 0, cpuMs: 0 };
          stat.calls++;
          stat.ms += ms;
          stat.cpuMs += cpuMs;
          table.set(key, stat);
        };
        add(depth === 0 ? top : nested, name);
        if (depth === 0) {
          const shapes = Object.values(args.inputs as Record<string, tf.TensorInfo>)
            .map((t) => `[${t.shape.join(',')}]`)
            .join(' ');
          add(byShape, `${name} ${shapes}`);
        }
      }
    };
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...config, kernelFunc: wrapped } as KernelConfig);
  }
  return {
    top,
    nested,
    byShape,
    start: () => {
      recording = true;
    },
    stop: () => {
      recording = false;
    },
    restore: () => {
      for (const config of originals) {
        tf.unregisterKernel(config.kernelName, 'wasm');
        tf.registerKernel(config);
      }
    },
  };
}

function table(title: string, stats: Map<string, Stat>, perSteps: number, totalCpuMs: number): string {
  const rows = [...stats.entries()].sort((a, b) => b[1].cpuMs - a[1].cpuMs);
  const lines = [
    `${title}`,
    '| kernel | calls/step | CPU ms/step | wall ms/step | % of step CPU |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const [name, s] of rows) {
    const cpu = s.cpuMs / perSteps;
    if (cpu < 0.5 && s.ms / perSteps < 0.5) continue;
    lines.push(
      `| ${name} | ${(s.calls / perSteps).toFixed(0)} | ${cpu.toFixed(1)} | ${(s.ms / perSteps).toFixed(1)} | ` +
        `${((100 * cpu) / totalCpuMs).toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}

describe.skipIf(!enabled)('wasm training step benchmark (SimpleCNN, batch 128)', () => {
  let network: SpecNetwork;
  let optimizer: TorchAdam<string>;
  let images: tf.Tensor4D;
  let labels: tf.Tensor1D;

  beforeAll(async () => {
    if (baseline) registerWasmConv2DBackpropFilter();
    else registerWasmTrainingKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
    await tf.ready();
    const random = new SeededRandom(0);
    network = createSpecNetwork(SIMPLE_CNN_SPEC, initialSpecValues(SIMPLE_CNN_SPEC, random));
    optimizer = new TorchAdam<string>(network.params, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-4 });
    const pixels = new Float32Array(BATCH * 28 * 28);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (random.next() - 0.1307) / 0.3081;
    const ys = new Int32Array(BATCH);
    for (let i = 0; i < BATCH; i++) ys[i] = random.nextInt(10);
    images = tf.tensor4d(pixels, [BATCH, 28, 28, 1]);
    labels = tf.tensor1d(ys, 'int32');
  });

  afterAll(() => {
    optimizer?.dispose();
    if (network) disposeSpecNetwork(network);
    tf.dispose([images, labels]);
  });

  async function oneStep(seed: number): Promise<number> {
    const result = trainStep(network, optimizer, { images, labels, dropoutRate: 0.25, dropoutSeed: seed });
    const [loss] = await result.data();
    result.dispose();
    return loss!;
  }

  it('ms per step and per-kernel breakdown', async () => {
    const load = (await import('node:os')).loadavg();
    for (let i = 0; i < 2; i++) await oneStep(i); // warm-up (XNNPACK operator creation, heap growth)

    // 1. Plain timing, no instrumentation.
    const times: number[] = [];
    const cpuTimes: number[] = [];
    const tensorsBefore = tf.memory().numTensors;
    for (let i = 0; i < steps; i++) {
      const c0 = cpuNow();
      const t0 = performance.now();
      const loss = await oneStep(100 + i);
      times.push(performance.now() - t0);
      cpuTimes.push(cpuNow() - c0);
      expect(Number.isFinite(loss)).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const ms = median(times);
    const cpuMs = median(cpuTimes);

    // 2. Instrumented steps for the breakdown.
    const probe = instrumentWasmKernels();
    const profSteps = Math.max(3, Math.min(steps, 5));
    let profTotal = 0;
    let profCpu = 0;
    try {
      probe.start();
      for (let i = 0; i < profSteps; i++) {
        const c0 = cpuNow();
        const t0 = performance.now();
        await oneStep(200 + i);
        profTotal += performance.now() - t0;
        profCpu += cpuNow() - c0;
      }
      probe.stop();
    } finally {
      probe.restore();
    }
    const perStep = profTotal / profSteps;
    const perStepCpu = profCpu / profSteps;
    const inKernelsCpu = [...probe.top.values()].reduce((a, s) => a + s.cpuMs, 0) / profSteps;

    console.log(
      [
        `wasm training step, batch ${BATCH}, kernels: ${baseline ? "tfjs's + the filter gradient" : 'registerWasmTrainingKernels()'}, load avg ${load.map((l) => l.toFixed(2)).join(' ')}`,
        `wall ms/step: median ${ms.toFixed(1)} (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}, n=${steps})` +
          ` => ${((1000 * BATCH) / ms).toFixed(0)} samples/s`,
        `CPU ms/step: median ${cpuMs.toFixed(1)} (min ${Math.min(...cpuTimes).toFixed(1)}) => ` +
          `${((1000 * BATCH) / cpuMs).toFixed(0)} samples/s on a core of its own`,
        `instrumented: ${perStep.toFixed(1)} wall ms/step, ${perStepCpu.toFixed(1)} CPU ms/step, ` +
          `${inKernelsCpu.toFixed(1)} CPU ms in kernels, ${(perStepCpu - inKernelsCpu).toFixed(1)} CPU ms outside (engine, tape, GC)`,
        table('top-level kernels (per step)', probe.top, profSteps, perStepCpu),
        table('nested kernel calls (inside the above, per step)', probe.nested, profSteps, perStepCpu),
        table(
          'top-level calls by input shapes (≥ 1 CPU ms/step)',
          new Map([...probe.byShape].filter(([, s]) => s.cpuMs / profSteps >= 1)),
          profSteps,
          perStepCpu,
        ),
      ].join('\n'),
    );
  });
});
