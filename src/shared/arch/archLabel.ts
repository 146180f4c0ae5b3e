/**
 * A short label of what sets one spec apart from another, for run labels and chart legends: `32-32-32`,
 * `GAP`, `+BN`, `stride2 −pool`. Each part is one space-free token (run labels join their fields with
 * spaces) in the notation both languages of the page use (layer names, ×, +/−), so it needs no translation.
 *
 * Per-block fields are compared as summaries, a single value when every block agrees (`5×5`, `tanh`) and
 * the list otherwise (`k:5-3-3`), so a spec with a different number of blocks but the same kind of blocks
 * shows only its channels. The two classics among the presets are named instead (`LeNet-5`, `MLP`).
 */
import { SEED_CONV_BLOCK, SIMPLE_CNN_SPEC, archSpecsEqual, denseName, type Activation, type ArchSpec, type ConvBlockSpec, type Pooling } from './archSpec';
import { ARCH_PRESETS } from './presets';

const NAMED_CLASSICS: readonly (readonly [ArchSpec, string])[] = [
  [ARCH_PRESETS.lenet5, 'LeNet-5'],
  [ARCH_PRESETS.mlp, 'MLP'],
];

/** '' when the specs are equal. */
export function describeArchDifference(spec: ArchSpec, base: ArchSpec): string {
  if (archSpecsEqual(spec, base)) return '';
  const classic = NAMED_CLASSICS.find(([preset]) => archSpecsEqual(spec, preset));
  if (classic) return classic[1];

  const parts: string[] = [];
  const convChannels = (s: ArchSpec) => s.convBlocks.map((block) => block.channels).join('-');
  if (convChannels(spec) !== convChannels(base)) parts.push(spec.convBlocks.length === 0 ? '−conv' : convChannels(spec));
  // An empty stack compares as blocks of the seed's kind, so against the MLP SimpleCNN is just `32-64-128`.
  type BlockField = Exclude<keyof ConvBlockSpec, 'channels'>;
  const perBlock = <K extends BlockField>(field: K, uniform: (value: ConvBlockSpec[K]) => string, mixed: (values: ConvBlockSpec[K][]) => string) => {
    const mine = spec.convBlocks.map((block) => block[field]);
    const theirs = base.convBlocks.length > 0 ? base.convBlocks.map((block) => block[field]) : [SEED_CONV_BLOCK[field]];
    if (mine.length === 0 || summary(mine) === summary(theirs)) return;
    parts.push(allSame(mine) ? uniform(mine[0]) : mixed(mine));
  };
  const listed = (key: string) => (values: unknown[]) => `${key}:${values.join('-')}`;
  perBlock('kernel', (k) => `${k}×${k}`, listed('k'));
  perBlock('stride', (stride) => `stride${stride}`, listed('stride'));
  perBlock('padding', (padding) => padding, listed('pad'));
  perBlock('batchNorm', (on) => (on ? '+BN' : '−BN'), (flags) => `+BN${blockNumbers(flags)}`);
  perBlock('activation', (activation) => ACTIVATION_NAMES[activation], listed('act'));
  perBlock('pooling', (pooling) => POOLING_NAMES[pooling], listed('pool'));

  if (spec.head.kind !== base.head.kind) parts.push(spec.head.kind === 'globalAvgPool' ? 'GAP' : 'flatten');
  const widths = (s: ArchSpec) => s.dense.map((layer) => layer.units).join('-');
  if (widths(spec) !== widths(base)) parts.push(spec.dense.length === 0 ? '−fc' : `fc${widths(spec)}`);
  const denseActivations = spec.dense.map((layer) => layer.activation);
  const baseActivations = base.dense.length > 0 ? base.dense.map((layer) => layer.activation) : [SEED_CONV_BLOCK.activation];
  if (denseActivations.length > 0 && summary(denseActivations) !== summary(baseActivations)) {
    parts.push(`fc:${allSame(denseActivations) ? denseActivations[0] : denseActivations.join('-')}`);
  }
  const dropout = dropoutSites(spec);
  if (summary(dropout.map(({ on }) => on)) !== summary(dropoutSites(base).map(({ on }) => on))) {
    const on = dropout.filter((site) => site.on);
    parts.push(on.length === 0 ? '−dropout' : on.length === dropout.length ? '+dropout' : `dropout:${on.map((site) => site.name).join(',')}`);
  }
  return parts.join(' ');
}

/** The label of a run's architecture among runs of the seed's default: what differs from SimpleCNN. */
export function archLabel(spec: ArchSpec): string {
  return describeArchDifference(spec, SIMPLE_CNN_SPEC) || 'SimpleCNN';
}

const ACTIVATION_NAMES: Readonly<Record<Activation, string>> = { relu: 'ReLU', gelu: 'GELU', tanh: 'tanh' };
const POOLING_NAMES: Readonly<Record<Pooling, string>> = { max: 'maxpool', avg: 'avgpool', none: '−pool' };

function allSame(values: readonly unknown[]): boolean {
  return values.every((value) => value === values[0]);
}

/** One value when all agree, else the list: what a per-block field is compared by. */
function summary(values: readonly unknown[]): string {
  return allSame(values) ? String(values[0]) : values.join('-');
}

/** 1-based numbers of the blocks where `flags` is set: `1,3`. */
function blockNumbers(flags: readonly boolean[]): string {
  return flags.flatMap((flag, i) => (flag ? [i + 1] : [])).join(',');
}

function dropoutSites(spec: ArchSpec): { name: string; on: boolean }[] {
  return [
    { name: spec.head.kind === 'flatten' ? 'flat' : 'gap', on: spec.head.dropoutAfter },
    ...spec.dense.map((layer, index) => ({ name: denseName(index), on: layer.dropoutAfter })),
  ];
}
