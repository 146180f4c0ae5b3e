import { describe, expect, it, vi } from 'vitest';
import { ARCH_PRESETS } from '../../shared/arch/presets';
import { DEFAULT_CONFIG } from '../../shared/config';
import type { ExportedRun } from '../../shared/pytorch/pytorchFiles';
import { SAFETENSORS_MAX_BYTES } from '../../shared/pytorch/safetensors';
import { pytorchDownloads, readPytorchFile } from './pytorchFiles';

const run: ExportedRun = { id: 'run-1', name: 'Run 1', config: { ...DEFAULT_CONFIG, arch: ARCH_PRESETS.lenet5 }, testAccuracy: 95.25 };

describe('pytorchDownloads', () => {
  it("saves the worker's bytes as they are and writes the run's script with its network's class", async () => {
    const weights = Uint8Array.of(1, 2, 3).buffer;
    const [safetensors, script] = pytorchDownloads(weights, run, ['run-1.safetensors', 'run-1.py']);
    expect(safetensors.fileName).toBe('run-1.safetensors');
    expect(new Uint8Array(await safetensors.blob.arrayBuffer())).toEqual(Uint8Array.of(1, 2, 3));
    expect(script.fileName).toBe('run-1.py');
    const text = await script.blob.text();
    expect(text.startsWith('#!/usr/bin/env python3\n')).toBe(true);
    expect(text).toContain('class Net(nn.Module):');
    expect(text).toContain('APP_TEST_ACCURACY = 95.25');

    const seed = await pytorchDownloads(weights, { ...run, config: DEFAULT_CONFIG }, ['a.safetensors', 'a.py'])[1].blob.text();
    expect(seed).toContain('class SimpleCNN(nn.Module):');
  });
});

describe('readPytorchFile', () => {
  it('refuses a file over the limit without reading it', async () => {
    const arrayBuffer = vi.fn(() => Promise.resolve(new ArrayBuffer(0)));
    const read = await readPytorchFile({ name: 'huge.safetensors', size: SAFETENSORS_MAX_BYTES + 1, arrayBuffer });
    expect(read).toMatchObject({ ok: false, text: { key: 'pytorch.tooLarge', bytes: SAFETENSORS_MAX_BYTES + 1, limit: SAFETENSORS_MAX_BYTES } });
    if (!read.ok) expect(read.message).toBe('The file is 100.0 MB; PyTorch weights are imported up to 100.0 MB.');
    expect(arrayBuffer).not.toHaveBeenCalled();
  });

  it('reads a file up to the limit, whatever it holds (the worker checks it)', async () => {
    const file = new File([Uint8Array.of(0x50, 0x4b, 3, 4)], 'model.pt');
    expect(await readPytorchFile(file)).toEqual({ ok: true, weights: Uint8Array.of(0x50, 0x4b, 3, 4).buffer, fileName: 'model.pt' });
  });
});
