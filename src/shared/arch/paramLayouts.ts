/**
 * A spec's tensors as PyTorch's `state_dict` has them, in its order: per conv block `convK.weight`,
 * `convK.bias` (absent when BatchNorm follows), then `bnK.weight`, `bnK.bias`, `bnK.running_mean`,
 * `bnK.running_var`; then `fc1 … fcN` weight and bias, the output layer last. The PyTorch model that
 * tools/parity/make_arch_fixture.py builds from the same spec registers its modules in this order.
 *
 * PyTorch's BatchNorm2d also has `bnK.num_batches_tracked`, an int64 scalar. It is left out here: it is
 * not a float tensor, nothing in the forward pass reads it (it only matters for `momentum=None`), and it
 * equals the number of training forward passes; the PyTorch bridge adds it when it writes a state_dict.
 */
import { batchNormName, convName, type ArchSpec } from './archSpec';
import { analyzeArch } from './analysis';
import type { ParamLayout } from '../paramLayout';
import { archProblemText } from './problems';

export function paramLayouts(spec: ArchSpec): ParamLayout[] {
  const analysis = analyzeArch(spec);
  if (analysis.problems.length > 0) {
    throw new Error(`paramLayouts: ${analysis.problems.map(archProblemText).join('; ')}`);
  }
  const layouts: ParamLayout[] = [];
  const vector = (name: string, size: number, trainable: boolean): ParamLayout => ({
    name,
    kind: 'vector',
    shape: [size],
    torchShape: [size],
    trainable,
  });
  let flattenedFrom: ParamLayout['flattenedFrom'];
  for (const layer of analysis.layers) {
    if (layer.kind === 'conv' && layer.at.kind === 'conv') {
      const block = spec.convBlocks[layer.at.block];
      const [, , inC] = layer.inputShape;
      const outC = block.channels;
      const k = block.kernel;
      layouts.push({ name: `${convName(layer.at.block)}.weight`, kind: 'convWeight', shape: [k, k, inC, outC], torchShape: [outC, inC, k, k], trainable: true });
      if (!block.batchNorm) layouts.push(vector(`${convName(layer.at.block)}.bias`, outC, true));
    } else if (layer.kind === 'batchNorm' && layer.at.kind === 'conv') {
      const name = batchNormName(layer.at.block);
      const channels = spec.convBlocks[layer.at.block].channels;
      layouts.push(
        vector(`${name}.weight`, channels, true),
        vector(`${name}.bias`, channels, true),
        vector(`${name}.running_mean`, channels, false),
        vector(`${name}.running_var`, channels, false),
      );
    } else if (layer.kind === 'flatten') {
      const [height, width, channels] = layer.inputShape;
      flattenedFrom = { height, width, channels };
    } else if (layer.kind === 'dense') {
      const [inF] = layer.inputShape;
      const [outF] = layer.outputShape;
      layouts.push({
        name: `${layer.name}.weight`,
        kind: 'denseWeight',
        shape: [inF, outF],
        torchShape: [outF, inF],
        trainable: true,
        ...(flattenedFrom && { flattenedFrom }),
      });
      layouts.push(vector(`${layer.name}.bias`, outF, true));
      flattenedFrom = undefined; // only the first dense weight reads the flattened map
    }
  }
  return layouts;
}

