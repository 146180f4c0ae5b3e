/**
 * For the tests: at least one sample of every worker text, with the parameters that change its wording
 * (the compiler asks for a new key's). Not used by the app.
 */
import { MODEL_ARCH_TEXT_SAMPLES } from '../../shared/modelFiles/modelArchTextSamples';
import { PYTORCH_TEXT_SAMPLES } from '../../shared/pytorch/pytorchTextSamples';
import type { Text, TextKey } from '../../shared/texts';

type SampleTable = { readonly [K in TextKey]: readonly Extract<Text, { key: K }>[] };

const gpuName = 'NVIDIA Corporation ampere NVIDIA GeForce RTX 3080';

export const TEXT_SAMPLES: SampleTable = {
  ...MODEL_ARCH_TEXT_SAMPLES,
  ...PYTORCH_TEXT_SAMPLES,
  'loading.start': [{ key: 'loading.start' }],
  'loading.download': [{ key: 'loading.download', loadedMb: 3.21, totalMb: 11.594 }],
  'loading.measuring': [{ key: 'loading.measuring', backend: 'webgpu', position: 1, count: 2 }],
  'backend.cannotStart': [
    { key: 'backend.cannotStart', failure: { backend: 'webgpu', detail: 'device lost' }, next: 'webgl' },
    { key: 'backend.cannotStart', failure: { backend: 'wasm', detail: null }, next: 'cpu' },
  ],
  'backend.notMeasured': [{ key: 'backend.notMeasured', backend: 'webgl', detail: 'could not start: context lost' }],
  'backend.noneStarted': [{ key: 'backend.noneStarted', failures: [{ backend: 'wasm', detail: 'no memory' }, { backend: 'cpu', detail: null }] }],
  'adapter.wasm': [
    { key: 'adapter.wasm', simd: true, threads: 1 },
    { key: 'adapter.wasm', simd: false, threads: 8 },
  ],
  'ranking.softwareGpu': [{ key: 'ranking.softwareGpu', backend: 'webgl', adapter: 'Google SwiftShader' }],
  'ranking.hardwareGpu': [{ key: 'ranking.hardwareGpu', backend: 'webgpu', adapter: gpuName }],
  'ranking.wasmAfterGpu': [{ key: 'ranking.wasmAfterGpu' }],
  'ranking.wasmNoGpu': [
    {
      key: 'ranking.wasmNoGpu',
      webgpu: { available: false, description: 'no navigator.gpu', problem: { kind: 'noApi' } },
      webgl: { available: true, description: 'Google SwiftShader' },
    },
    {
      key: 'ranking.wasmNoGpu',
      webgpu: { available: false, description: 'requestAdapter failed: Error: x', problem: { kind: 'requestFailed', detail: 'Error: x' } },
      webgl: { available: false, description: 'WebGL2 failed: Error: y', problem: { kind: 'contextFailed', detail: 'Error: y' } },
    },
    {
      key: 'ranking.wasmNoGpu',
      webgpu: { available: false, description: 'no WebGPU adapter', problem: { kind: 'noAdapter' } },
      webgl: { available: false, description: 'no WebGL2 context', problem: { kind: 'noContext' } },
    },
  ],
  'ranking.cpuLastResort': [{ key: 'ranking.cpuLastResort' }],
  'backend.measured': [
    {
      key: 'backend.measured',
      results: [
        { name: 'webgpu', status: 'measured', msPerStep: 41.4 },
        { name: 'webgl', status: 'slow', warmupMs: 5310 },
        { name: 'wasm', status: 'failed', error: 'device lost' },
      ],
      limitSeconds: 4,
      tiePercent: null,
      cachedOn: '2026-12-01',
    },
    {
      key: 'backend.measured',
      results: [
        { name: 'webgpu', status: 'measured', msPerStep: 51 },
        { name: 'wasm', status: 'measured', msPerStep: 50, workers: 8 },
      ],
      limitSeconds: 4,
      tiePercent: 5,
      cachedOn: null,
    },
  ],
  'backend.auto': [
    { key: 'backend.auto', why: { key: 'ranking.hardwareGpu', backend: 'webgpu', adapter: gpuName }, failures: [] },
    { key: 'backend.auto', why: { key: 'ranking.wasmAfterGpu' }, failures: [{ backend: 'webgpu', detail: 'device lost' }] },
  ],
  'backend.chosen': [{ key: 'backend.chosen' }],
  'backend.chosenFailed': [{ key: 'backend.chosenFailed', chosen: 'webgpu' }],
  'data.length': [
    { key: 'data.length', file: 'train-images-idx3-ubyte.gz', truncated: true, expected: 47040016, received: 1000 },
    { key: 'data.length', file: 'train-images-idx3-ubyte.gz', truncated: false, expected: 47040016, received: 47040020 },
  ],
  'data.dataType': [{ key: 'data.dataType', file: 't10k-labels-idx1-ubyte.gz', dataType: 0x0d }],
  'data.magic': [
    { key: 'data.magic', file: 't10k-labels-idx1-ubyte.gz', magic: 0x00000803, expected: 0x00000801 },
    { key: 'data.magic', file: 'train-images-idx3-ubyte.gz', magic: 0x12345678, expected: 0x00000803 },
    { key: 'data.magic', file: 'other.gz', magic: 0x12345678, expected: 0x00000802 },
  ],
  'data.dimension': [{ key: 'data.dimension', file: 'train-images-idx3-ubyte.gz', index: 1, dim: 29, expected: 28 }],
  'data.label': [{ key: 'data.label', file: 'train-labels-idx1-ubyte.gz', label: 12, index: 7 }],
  'data.downloadFailed': [{ key: 'data.downloadFailed', file: 'train-images-idx3-ubyte.gz', detail: 'network connection lost' }],
  'data.http': [
    { key: 'data.http', file: 'train-images-idx3-ubyte.gz', status: 404, statusText: 'Not Found', url: 'http://x/data/a.gz' },
    { key: 'data.http', file: 'train-images-idx3-ubyte.gz', status: 500, statusText: '', url: 'http://x/data/a.gz' },
  ],
  'data.html': [{ key: 'data.html', file: 'train-images-idx3-ubyte.gz', url: 'http://x/data/a.gz' }],
  'data.noBody': [{ key: 'data.noBody', file: 'train-images-idx3-ubyte.gz' }],
  'data.checksum': [{ key: 'data.checksum', file: 'train-images-idx3-ubyte.gz', expected: 'ab12', got: 'cd34' }],
  'data.notGzip': [
    { key: 'data.notGzip', file: 'train-images-idx3-ubyte.gz', detail: 'incorrect header check', contentEncoding: null },
    { key: 'data.notGzip', file: 'train-images-idx3-ubyte.gz', detail: 'incorrect header check', contentEncoding: 'gzip' },
  ],
  'model.invalidJson': [{ key: 'model.invalidJson', detail: 'Unexpected token } in JSON at position 3' }],
  'model.notObject': [{ key: 'model.notObject' }],
  'model.wrongFormat': [
    { key: 'model.wrongFormat', format: '"graph-model"', graphModel: true },
    { key: 'model.wrongFormat', format: '"keras"', graphModel: false },
  ],
  'model.noTopology': [{ key: 'model.noTopology' }],
  'model.noManifest': [{ key: 'model.noManifest' }],
  'model.noLayers': [{ key: 'model.noLayers' }],
  'model.groupNoWeights': [{ key: 'model.groupNoWeights', group: 1 }],
  'model.weightNotObject': [{ key: 'model.weightNotObject', weight: 2, group: 1 }],
  'model.weightNoName': [{ key: 'model.weightNoName', weight: 2, group: 1 }],
  'model.weightNoShape': [{ key: 'model.weightNoShape', name: 'conv1/kernel' }],
  'model.duplicateWeight': [{ key: 'model.duplicateWeight', name: 'conv1/kernel' }],
  'model.duplicateParam': [{ key: 'model.duplicateParam', param: 'conv1/kernel', previous: 'conv1/kernel', name: 'conv1_1/kernel' }],
  'model.notFloat32': [{ key: 'model.notFloat32', name: 'conv1/kernel', dtype: '"int32"' }],
  'model.quantized': [
    { key: 'model.quantized', name: 'conv1/kernel', quantization: 'uint8' },
    { key: 'model.quantized', name: 'conv1/kernel', quantization: null },
  ],
  'model.wrongShape': [{ key: 'model.wrongShape', name: 'conv1/kernel', expected: '[3, 3, 1, 32]', got: '[3, 3, 1, 16]' }],
  'model.unsupportedDtype': [{ key: 'model.unsupportedDtype', name: 'x', dtype: '"complex64"' }],
  'model.missingWeights': [
    { key: 'model.missingWeights', names: ['fc2/bias'] },
    { key: 'model.missingWeights', names: ['fc1/kernel', 'fc2/bias'] },
  ],
  'model.wrongBinSize': [{ key: 'model.wrongBinSize', expected: 1000, got: 996 }],
  'model.nonFinite': [{ key: 'model.nonFinite', name: 'fc2/bias', value: Infinity, index: 3 }],
  'model.exportFailed': [{ key: 'model.exportFailed', detail: 'disposed' }],
  'model.importWhileRunning': [{ key: 'model.importWhileRunning' }],
  'model.chooseOneJson': [{ key: 'model.chooseOneJson', count: 2 }],
  'model.chooseBin': [{ key: 'model.chooseBin' }],
  'checkpoint.unusable': [
    { key: 'checkpoint.unusable', problem: { kind: 'notCheckpoint' }, deleted: false },
    { key: 'checkpoint.unusable', problem: { kind: 'version', version: '0', expected: 2 }, deleted: true },
    { key: 'checkpoint.unusable', problem: { kind: 'noRun' }, deleted: false },
    { key: 'checkpoint.unusable', problem: { kind: 'position' }, deleted: false },
    { key: 'checkpoint.unusable', problem: { kind: 'noWeights' }, deleted: false },
    { key: 'checkpoint.unusable', problem: { kind: 'weightSize', name: 'conv1.weight' }, deleted: false },
    { key: 'checkpoint.unusable', problem: { kind: 'weightNonFinite', name: 'conv1.weight' }, deleted: false },
    { key: 'checkpoint.unusable', problem: { kind: 'optimizerSize', name: 'conv1.weight', slot: 'm' }, deleted: false },
    { key: 'checkpoint.unusable', problem: { kind: 'order' }, deleted: true },
    {
      key: 'checkpoint.unusable',
      problem: { kind: 'arch', problems: [{ kind: 'notPositive', at: { kind: 'conv', block: 1 }, field: 'channels', value: 0 }] },
      deleted: false,
    },
    { key: 'checkpoint.unusable', problem: { kind: 'otherArch', checkpoint: 'c32p-c64p-c128p-f256', wanted: 'c32p-c32p-c32p-f256' }, deleted: false },
  ],
  'checkpoint.nothingToResume': [{ key: 'checkpoint.nothingToResume' }],
  'checkpoint.saveSkipped': [
    { key: 'checkpoint.saveSkipped', why: 'noRoom' },
    { key: 'checkpoint.saveSkipped', why: 'quota' },
  ],
  'branch.gone': [{ key: 'branch.gone', epoch: 3 }],
  'branch.refused': [
    { key: 'branch.refused', epoch: 1, problem: { kind: 'weightNonFinite', name: 'fc1.weight' } },
    { key: 'branch.refused', epoch: 0, problem: { kind: 'version', version: '7', expected: 1 } },
  ],
  'branch.busy': [{ key: 'branch.busy' }],
  'branch.freshOptimizer': [{ key: 'branch.freshOptimizer', epoch: 3, from: 'adam', to: 'adamw' }],
  'storage.noIndexedDb': [{ key: 'storage.noIndexedDb' }],
  'storage.failed': [{ key: 'storage.failed', detail: 'QuotaExceededError' }],
  'training.failed': [{ key: 'training.failed', detail: 'out of memory' }],
  'pool.failed': [{ key: 'pool.failed', workers: 4, detail: 'the wasm backend did not start' }],
  'prediction.failed': [{ key: 'prediction.failed', detail: 'out of memory' }],
  'error.other': [{ key: 'error.other', detail: 'something broke' }],
  'url.unknownKey': [{ key: 'url.unknownKey', setting: 'colour' }],
  'url.badChoice': [{ key: 'url.badChoice', setting: 'backend', raw: 'tpu', options: ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'], using: 'auto' }],
  'url.notNumber': [{ key: 'url.notNumber', setting: 'lr', raw: 'abc', using: 0.001 }],
  'url.outOfRange': [{ key: 'url.outOfRange', setting: 'epochs', raw: '500', min: 1, max: 50, using: 50 }],
  'url.badArch': [
    { key: 'url.badArch', raw: 'c32p-x', error: { kind: 'badToken', index: 1, token: 'x' }, using: 'c32p-c64p-c128p-f256' },
    { key: 'url.badArch', raw: '', error: { kind: 'empty' }, using: 'c32p-c64p-c128p-f256' },
    { key: 'url.badArch', raw: 'c32k7', error: { kind: 'badValue', index: 0, token: 'c32k7', option: 'kernel', value: 7 }, using: 'c32p-c64p-c128p-f256' },
    { key: 'url.badArch', raw: 'f256-c32', error: { kind: 'outOfOrder', index: 1, token: 'c32' }, using: 'c32p-c64p-c128p-f256' },
    { key: 'url.badArch', raw: 'v2-c32', error: { kind: 'unknownVersion', version: 2 }, using: 'c32p-c64p-c128p-f256' },
    { key: 'url.badArch', raw: 'x'.repeat(401), error: { kind: 'tooLong', length: 401, limit: 400 }, using: 'c32p-c64p-c128p-f256' },
    {
      key: 'url.badArch',
      raw: 'c0p',
      error: { kind: 'invalidSpec', problems: [{ kind: 'notPositive', at: { kind: 'conv', block: 0 }, field: 'channels', value: 0 }] },
      using: 'c32p-c64p-c128p-f256',
    },
  ],
  'url.notAllowed': [{ key: 'url.notAllowed', setting: 'batch', raw: '100', using: 128 }],
};

/** Every sample, in table order. */
export const ALL_TEXT_SAMPLES: readonly Text[] = Object.values(TEXT_SAMPLES).flat();
