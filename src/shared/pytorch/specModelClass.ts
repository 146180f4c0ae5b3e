/**
 * The PyTorch class of any architecture spec (../arch/archSpec.ts), written out as a learner would write
 * it, for the `<run>.py` that **Export for PyTorch** downloads: one `nn.Conv2d` (and `nn.BatchNorm2d`)
 * per conv block, one `nn.Linear` per dense layer, registered in the spec's ParamLayout order so that its
 * `state_dict` has exactly `paramLayouts(spec)`'s names, order and PyTorch shapes (plus BatchNorm's
 * `num_batches_tracked`), and a `forward` with the app's semantics (src/worker/model/specNetwork.ts):
 *
 * - conv: padding ⌊k/2⌋ on every side for 'same' (at stride 2 too), none for 'valid'; no bias before BatchNorm;
 * - BatchNorm2d with PyTorch's defaults (eps 1e-5, momentum 0.1), before the activation;
 * - activations torch.relu, torch.tanh and the exact (erf) GELU, `nn.functional.gelu`;
 * - 2×2 max or average pooling, stride 2, rounding down (7 → 3);
 * - `torch.flatten(x, 1)` on NCHW, or the mean over the map (global average pooling);
 * - one `nn.Dropout(dropout)` module at every dropout site, the run's rate, as the seed's SimpleCNN does.
 *
 * The seed's own spec gets the seed's own class (SIMPLE_CNN_PYTORCH), word for word.
 */
import { analyzeArch, type ArchAnalysis } from '../arch/analysis';
import { archSpecsEqual, batchNormName, convName, denseName, SIMPLE_CNN_SPEC, type Activation, type ArchSpec } from '../arch/archSpec';
import { formatCompactArch } from '../arch/compactForm';
import { paramLayouts } from '../arch/paramLayouts';
import { SIMPLE_CNN_PYTORCH, type PytorchArchitecture } from './trainingScript';

/** The class name of every spec but the seed's: the name PyTorch's own MNIST example gives its network. */
export const SPEC_CLASS_NAME = 'Net';

/** The network of `spec` for the bridge and the script: the seed's SimpleCNN for its spec, else the spec's own class. */
export function pytorchArchitectureOf(spec: ArchSpec): PytorchArchitecture {
  return archSpecsEqual(spec, SIMPLE_CNN_SPEC) ? SIMPLE_CNN_PYTORCH : specPytorchArchitecture(spec);
}

/** The spec's own class, whatever the spec (the seed's included). Throws for a spec that validation refuses. */
export function specPytorchArchitecture(spec: ArchSpec): PytorchArchitecture {
  const layout = paramLayouts(spec);
  const usesDropout = spec.head.dropoutAfter || spec.dense.some((layer) => layer.dropoutAfter);
  return {
    className: SPEC_CLASS_NAME,
    spec,
    layout,
    description: `the architecture ${formatCompactArch(spec)}`,
    instantiate: usesDropout ? `${SPEC_CLASS_NAME}(dropout=DROPOUT)` : `${SPEC_CLASS_NAME}()`,
    usesDropout,
    emitModelClass: () => modelClassSource(spec, analyzeArch(spec), usesDropout),
  };
}

const grouped = (n: number) => n.toLocaleString('en-US');

function activated(expression: string, activation: Activation): string {
  switch (activation) {
    case 'relu':
      return `torch.relu(${expression})`;
    case 'tanh':
      return `torch.tanh(${expression})`;
    case 'gelu':
      return `nn.functional.gelu(${expression})`; // the exact x·Φ(x), as nn.GELU()
  }
}

function modelClassSource(spec: ArchSpec, analysis: ArchAnalysis, usesDropout: boolean): string {
  const layerAt = (kind: string, block: number) =>
    analysis.layers.find((layer) => layer.kind === kind && layer.at.kind === 'conv' && layer.at.block === block);
  const init: string[] = [];
  const forward: string[] = ['# x: [batch, 1, 28, 28], normalized'];

  if (spec.convBlocks.length > 0) {
    init.push("# Conv2d(in channels, out channels, kernel): padding = kernel // 2 keeps the map's size at stride 1.");
  }
  let batchNormExplained = false;
  for (const [i, block] of spec.convBlocks.entries()) {
    const conv = layerAt('conv', i);
    if (!conv) throw new Error(`no analysis for conv block ${i + 1}`);
    const [inSize, , inChannels] = conv.inputShape;
    const [outSize] = conv.outputShape;
    const args = [String(inChannels), String(block.channels), String(block.kernel)];
    if (block.stride !== 1) args.push(`stride=${block.stride}`);
    if (block.padding === 'same') args.push(`padding=${Math.floor(block.kernel / 2)}`);
    if (block.batchNorm) args.push('bias=False');
    init.push(`self.${convName(i)} = nn.Conv2d(${args.join(', ')})`);
    let expression = `self.${convName(i)}(x)`;
    if (block.batchNorm) {
      const explanation = batchNormExplained ? '' : "  # eps 1e-5, momentum 0.1; its shift replaces the conv's bias";
      batchNormExplained = true;
      init.push(`self.${batchNormName(i)} = nn.BatchNorm2d(${block.channels})${explanation}`);
      expression = `self.${batchNormName(i)}(${expression})`;
    }
    forward.push(`x = ${activated(expression, block.activation)}${outSize !== inSize ? `  # ${inSize} -> ${outSize}` : ''}`);
    if (block.pooling !== 'none') {
      forward.push(`x = self.${block.pooling === 'max' ? 'pool' : 'avg_pool'}(x)  # ${outSize} -> ${outSize >> 1}`);
    }
  }
  if (spec.convBlocks.some((block) => block.pooling === 'max')) {
    init.push('# 2×2 max-pooling with stride 2 halves each side of the map (rounding down: 7 -> 3).', 'self.pool = nn.MaxPool2d(2)');
  }
  if (spec.convBlocks.some((block) => block.pooling === 'avg')) {
    init.push('# 2×2 average pooling with stride 2: the mean of each window, each side halved (rounding down).', 'self.avg_pool = nn.AvgPool2d(2)');
  }
  if (usesDropout) init.push('self.dropout = nn.Dropout(dropout)');

  const head = analysis.layers.find((layer) => layer.kind === 'flatten' || layer.kind === 'globalAvgPool');
  if (!head) throw new Error('no analysis for the head');
  const [height, width, channels] = head.inputShape;
  const flatten = head.kind === 'flatten';
  const firstInput = flatten ? `${height} * ${width} * ${channels}` : String(channels);
  if (!flatten) {
    init.push(`# Global average pooling leaves one value per channel: fc1 reads ${channels}.`);
  } else if (spec.convBlocks.length > 0) {
    init.push(`# ${analysis.spatialSizes.join(' -> ')}, so fc1 reads ${firstInput} values.`);
  } else {
    init.push(`# fc1 reads the image's ${firstInput} values.`);
  }
  forward.push(flatten ? 'x = torch.flatten(x, 1)' : 'x = x.mean(dim=(2, 3))  # global average pooling: [batch, channels]');
  if (spec.head.dropoutAfter) forward.push('x = self.dropout(x)');
  const denseLayers = analysis.layers.filter((layer) => layer.kind === 'dense');
  for (const [j, layer] of denseLayers.entries()) {
    const [inFeatures] = layer.inputShape;
    const [outFeatures] = layer.outputShape;
    init.push(`self.${denseName(j)} = nn.Linear(${j === 0 ? firstInput : inFeatures}, ${outFeatures})`);
    const hidden = spec.dense[j];
    if (hidden) {
      forward.push(`x = ${activated(`self.${denseName(j)}(x)`, hidden.activation)}`);
      if (hidden.dropoutAfter) forward.push('x = self.dropout(x)');
    } else {
      forward.push(`x = self.${denseName(j)}(x)`);
    }
  }
  forward.push('return x');

  const summary = spec.convBlocks.length > 0 ? `maps ${analysis.spatialSizes.join(' -> ')}, ` : '';
  const indent = (lines: string[], depth: number) => lines.map((line) => `${' '.repeat(4 * depth)}${line}`);
  return [
    `class ${SPEC_CLASS_NAME}(nn.Module):`,
    `    """The architecture ${formatCompactArch(spec)}: ${summary}${grouped(analysis.totals.parameters)} parameters."""`,
    '',
    `    def __init__(self${usesDropout ? ', dropout=0.25' : ''}):`,
    '        super().__init__()',
    ...indent(init, 2),
    '',
    '    def forward(self, x):',
    ...indent(forward, 2),
    '',
  ].join('\n');
}
