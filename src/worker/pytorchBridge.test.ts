import { describe, expect, it } from 'vitest';
import { SIMPLE_CNN_SPEC, type ArchSpec } from '../shared/arch/archSpec';
import { formatCompactArch } from '../shared/arch/compactForm';
import { paramLayouts } from '../shared/arch/paramLayouts';
import { ARCH_PRESETS } from '../shared/arch/presets';
import { DEFAULT_CONFIG } from '../shared/config';
import { elementCount } from '../shared/paramLayout';
import type { ExportedRun } from '../shared/pytorch/pytorchFiles';
import { decodeSafetensors, encodeSafetensors } from '../shared/pytorch/safetensors';
import { exportPytorch, importPytorch, networkName, type NetworkState } from './pytorchBridge';

/** A network of `spec` whose every value differs (index-based, finite), so a moved or swapped value shows. */
function networkOf(spec: ArchSpec, steps = 0): NetworkState {
  let next = 0;
  const weights = new Map(
    paramLayouts(spec).map((entry) => {
      const values = Float32Array.from({ length: elementCount(entry.shape) }, () => ((next++ % 997) - 498) / 1000);
      return [entry.name, values] as const;
    }),
  );
  return { spec, weights, steps };
}

const run: ExportedRun = { id: 'run-7', name: 'Run 3 · BN', config: { ...DEFAULT_CONFIG, arch: SIMPLE_CNN_SPEC }, testAccuracy: 97.5 };

function expectSameWeights(got: ReadonlyMap<string, Float32Array>, want: ReadonlyMap<string, Float32Array>): void {
  expect([...got.keys()]).toEqual([...want.keys()]);
  for (const [name, values] of want) expect(got.get(name), name).toEqual(values);
}

describe('exportPytorch', () => {
  it("names the files after the run and describes the network's own spec, whatever the run's config said", () => {
    const network = networkOf(ARCH_PRESETS.batchNorm, 12);
    const exported = exportPytorch(network, run);
    expect(exported.fileNames).toEqual(['run-3-bn.safetensors', 'run-3-bn.py']);
    expect(exported.run).toEqual({ ...run, config: { ...run.config, arch: ARCH_PRESETS.batchNorm } });
    const decoded = decodeSafetensors(exported.weights);
    if (!decoded.ok) throw new Error(JSON.stringify(decoded.text));
    expect(decoded.metadata.arch).toBe(formatCompactArch(ARCH_PRESETS.batchNorm));
    expect(decoded.metadata.run).toBe('Run 3 · BN');
    expect(decoded.metadata.test_accuracy).toBe('97.50');
    // BatchNorm's counter is the optimizer's steps.
    const counter = decoded.tensors.get('bn2.num_batches_tracked');
    expect(counter?.dtype).toBe('I64');
    expect(counter?.values).toEqual(BigInt64Array.of(BigInt(12)));
  });
});

describe('importPytorch', () => {
  it('brings back exactly the exported network, for every preset, whatever the controls show', () => {
    for (const spec of Object.values(ARCH_PRESETS)) {
      const network = networkOf(spec, 3);
      const imported = importPytorch(exportPytorch(network, run).weights, SIMPLE_CNN_SPEC);
      if (!imported.ok) throw new Error(imported.error);
      expect(imported.spec).toEqual(spec);
      expectSameWeights(imported.weights, network.weights);
    }
  });

  it("reads a file that names no network (PyTorch's own) as the controls' network", () => {
    const network = networkOf(ARCH_PRESETS.lenet5);
    const decoded = decodeSafetensors(exportPytorch(network, run).weights);
    if (!decoded.ok) throw new Error('the export does not decode');
    const bare = encodeSafetensors(
      [...decoded.tensors].map(([name, tensor]) => ({ name, dtype: 'F32' as const, shape: tensor.shape, values: tensor.values as Float32Array })),
      {},
    );
    const asControls = importPytorch(bare, ARCH_PRESETS.lenet5);
    if (!asControls.ok) throw new Error(asControls.error);
    expect(asControls.spec).toEqual(ARCH_PRESETS.lenet5);
    expectSameWeights(asControls.weights, network.weights);

    // Against SimpleCNN in the controls it is another network's state_dict, and the refusal names the one meant.
    const refused = importPytorch(bare, SIMPLE_CNN_SPEC);
    expect(refused).toMatchObject({ ok: false, text: { key: 'pytorch.missingTensors', architecture: 'SimpleCNN' } });
  });

  it("falls back to the controls' network when the named one cannot be built, and then checks every tensor", () => {
    const network = networkOf(SIMPLE_CNN_SPEC);
    const decoded = decodeSafetensors(exportPytorch(network, run).weights);
    if (!decoded.ok) throw new Error('the export does not decode');
    const tensors = [...decoded.tensors].map(([name, tensor]) => ({ name, dtype: 'F32' as const, shape: tensor.shape, values: tensor.values as Float32Array }));
    for (const arch of ['c0p-f256', 'not a network', '']) {
      const imported = importPytorch(encodeSafetensors(tensors, { arch }), SIMPLE_CNN_SPEC);
      if (!imported.ok) throw new Error(`${arch}: ${imported.error}`);
      expect(imported.spec).toEqual(SIMPLE_CNN_SPEC);
    }
    const refused = importPytorch(encodeSafetensors(tensors, { arch: 'c0p-f256' }), ARCH_PRESETS.batchNorm);
    expect(refused).toMatchObject({ ok: false, text: { key: 'pytorch.missingTensors', architecture: 'Net (c32bp-c64bp-c128bp-f256)' } });
  });

  it('refuses a file whose metadata names a network its tensors do not fit, naming that network', () => {
    const decoded = decodeSafetensors(exportPytorch(networkOf(SIMPLE_CNN_SPEC), run).weights);
    if (!decoded.ok) throw new Error('the export does not decode');
    const tensors = [...decoded.tensors].map(([name, tensor]) => ({ name, dtype: 'F32' as const, shape: tensor.shape, values: tensor.values as Float32Array }));
    const lying = encodeSafetensors(tensors, { arch: formatCompactArch(ARCH_PRESETS.constant32) });
    const refused = importPytorch(lying, SIMPLE_CNN_SPEC);
    expect(refused).toMatchObject({
      ok: false,
      text: { key: 'pytorch.wrongShape', tensor: 'conv2.weight', expected: '[32, 32, 3, 3]', got: '[64, 32, 3, 3]', architecture: 'Net (c32p-c32p-c32p-f256)' },
    });
    if (!refused.ok) expect(refused.error).toContain('Tensor "conv2.weight" has shape [64, 32, 3, 3]');
  });

  it('refuses what is not a safetensors file, with the reason in English beside the text', () => {
    const exported = new Uint8Array(exportPytorch(networkOf(SIMPLE_CNN_SPEC), run).weights);
    const truncated = importPytorch(exported.slice(0, exported.length - 100), SIMPLE_CNN_SPEC);
    expect(truncated).toMatchObject({ ok: false, text: { key: 'pytorch.offsetOutOfRange' } });
    const pickle = importPytorch(Uint8Array.of(0x50, 0x4b, 0x03, 0x04, ...new Array(60).fill(0)), SIMPLE_CNN_SPEC);
    expect(pickle).toMatchObject({ ok: false, text: { key: 'pytorch.pickle', container: 'zip' } });
    if (!pickle.ok) expect(pickle.error).toContain('torch.load');
  });
});

describe('networkName', () => {
  it("names the seed's network by its class, any other by its class and compact form", () => {
    expect(networkName(SIMPLE_CNN_SPEC)).toBe('SimpleCNN');
    expect(networkName(ARCH_PRESETS.mlp)).toBe(`Net (${formatCompactArch(ARCH_PRESETS.mlp)})`);
  });
});
