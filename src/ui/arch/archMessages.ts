/**
 * The architecture editor's texts in English and Chinese. `zh` is typed `ArchMessages`, so the compiler
 * checks that Chinese has every key and that each message function takes the same parameters. The page's
 * own messages (src/ui/i18n/) are not touched: the editor picks `ARCH_MESSAGES[locale]` with the
 * language `useI18n()` reports.
 *
 * Layer names (conv1, bn1, fc2), ReLU/GELU/tanh, BatchNorm and the compact form stay as written in both
 * languages, as on the rest of the page.
 */
import type { ArchPresetId } from '../../shared/arch/presets';
import type { Activation, HeadKind, Padding, Pooling } from '../../shared/arch/archSpec';
import type { Locale } from '../i18n/locale';
import { formatInteger } from '../format';

const int = (n: number) => formatInteger(n, 'en');

export const en = {
  region: 'Network architecture',
  heading: 'Network',
  preset: 'Preset',
  presets: {
    simpleCnn: "SimpleCNN (the seed's)",
    constant32: 'Constant 32 channels',
    stridedNoPool: 'No pooling (stride-2 convs)',
    globalAvgPool: 'Global average pooling',
    batchNorm: 'With BatchNorm',
    lenet5: 'LeNet-5',
    mlp: '2-layer MLP (no convs)',
  } satisfies Record<ArchPresetId, string>,
  /** Under the preset menu: which of the seed's claims the preset puts to the test. */
  presetHints: {
    simpleCnn: 'Three 3×3 conv blocks, 32 → 64 → 128 channels, each pooled: 28 → 14 → 7 → 3 px.',
    constant32: 'Do growing channels make up for the lost resolution? The same blocks with 32 channels each.',
    stridedNoPool: 'Halving the map without pooling: stride-2 convs (which round up: 7 → 4).',
    globalAvgPool: 'One average per channel instead of flatten: 128 features, far fewer fc1 weights.',
    batchNorm: 'BatchNorm after every conv (which then has no bias), before the ReLU.',
    lenet5: "LeCun's 1998 network: 5×5 convs, average pooling, tanh, no dropout.",
    mlp: "The seed's dense head on the raw pixels: what do the conv blocks buy?",
  } satisfies Record<ArchPresetId, string>,
  /** The preset menu's entry while the network matches no preset. */
  custom: 'Custom',

  /** When a change of the network reaches training. */
  timing: {
    noRun: 'The network is built from these settings when you press Train.',
    run: 'A run keeps the network it started with: changing it needs Reset.',
    pendingReset: 'This network differs from the run in progress: press Reset to train it.',
  },

  conv: {
    heading: 'Conv blocks',
    legend: (block: number) => `Block ${block}`,
    /** Before each control's visible label, read by screen readers only: "Block 2 channels". */
    controlPrefix: (block: number) => `Block ${block} `,
    moveUp: (block: number) => `Move block ${block} up`,
    moveDown: (block: number) => `Move block ${block} down`,
    remove: (block: number) => `Remove block ${block}`,
    add: 'Add conv block',
    none: 'No conv blocks: the image goes to the head as it is.',
  },
  dense: {
    heading: 'Dense layers',
    legend: (layer: number) => `Dense layer ${layer}`,
    controlPrefix: (layer: number) => `Dense layer ${layer} `,
    moveUp: (layer: number) => `Move dense layer ${layer} up`,
    moveDown: (layer: number) => `Move dense layer ${layer} down`,
    remove: (layer: number) => `Remove dense layer ${layer}`,
    add: 'Add dense layer',
    output: (name: string) => `Output ${name}: 10 classes`,
  },
  /** Beside an Add button that is disabled at the limit. */
  atMost: (limit: number) => `at most ${limit}`,
  /** A block's map size, into and out of it: "28→14 px". */
  mapSizes: (input: number, output: number) => `${input}→${output} px`,

  fields: {
    channels: 'channels',
    kernel: 'kernel',
    stride: 'stride',
    padding: 'padding',
    pooling: 'pooling',
    batchNorm: 'BatchNorm',
    activation: 'activation',
    units: 'width',
    dropout: 'dropout',
  },
  paddings: { same: 'same', valid: 'valid' } satisfies Record<Padding, string>,
  poolings: { max: 'max 2×2', avg: 'avg 2×2', none: 'none' } satisfies Record<Pooling, string>,
  activations: { relu: 'ReLU', gelu: 'GELU', tanh: 'tanh' } satisfies Record<Activation, string>,

  head: {
    heading: 'Head',
    /** Before the head's visible labels, read by screen readers only: "Head type". */
    controlPrefix: 'Head ',
    kind: 'type',
    kinds: { flatten: 'Flatten', globalAvgPool: 'Global average pooling' } satisfies Record<HeadKind, string>,
    dropout: 'Dropout after the head',
  },
  dropoutNote: "Every ticked dropout uses the run's Dropout rate (under More settings).",

  analysis: {
    caption: 'Layers',
    layer: 'Layer',
    output: 'Output',
    parameters: 'Parameters',
    macs: 'Multiply-adds',
    receptiveField: 'Receptive field',
    total: 'Total',
    wholeImage: 'whole image',
    field: (size: number) => `${size}×${size}`,
    conv: (kernel: number, stride: number) => `${kernel}×${kernel} conv${stride === 2 ? ', stride 2' : ''}`,
    batchNorm: 'BatchNorm',
    pool: (pooling: Exclude<Pooling, 'none'>) => (pooling === 'max' ? 'max pool' : 'avg pool'),
    flatten: 'flatten',
    globalAvgPool: 'global average pool',
    dense: 'dense',
    outputLayer: 'output',
    /** Under the table, when BatchNorm keeps running statistics. */
    buffers: (count: number) => `Plus ${int(count)} BatchNorm running statistics (kept, not trained).`,
    spatial: (sizes: string) => `Map sizes: ${sizes} px.`,
    macsNote: 'Multiply-adds per image, convs and dense layers.',
    fieldNote: 'Receptive field: the input pixels one value depends on.',
    /** Between the notes' sentences. */
    sentenceGap: ' ',
    /** Marks the row of a layer that cannot work. */
    problemMark: 'cannot work',
    stopsAtProblem: 'The table stops at the layer that cannot work.',
    showsInEffect: 'The table shows the network in effect.',
  },

  invalid: {
    heading: 'This network cannot be built:',
    notApplied: (summary: string) => `Not applied: the network in effect is still ${summary}.`,
  },

  /** A problem's place: "Block 2 (conv2)". */
  where: {
    spec: 'The network',
    conv: (block: number, name: string) => `Block ${block} (${name})`,
    head: 'The head',
    dense: (layer: number, name: string) => `Dense layer ${layer} (${name})`,
    output: 'The output layer',
  },
  expected: {
    object: 'an object',
    list: 'a list',
    boolean: 'on or off',
    integer: 'a whole number',
    oneOf: (values: string) => `one of ${values}`,
  },
  problems: {
    unknownVersion: (received: string) => `Unknown architecture spec version ${received}.`,
    malformed: (where: string, field: string, expected: string) => `${where}: ${field} must be ${expected}.`,
    unknownField: (where: string, field: string) => `${where}: unknown setting ${field}.`,
    notPositive: (where: string, field: string, value: number) => `${where}: ${field} must be at least 1, not ${value}.`,
    tooWide: (where: string, field: string, value: number, limit: number) => `${where}: ${field} ${int(value)} is more than the limit of ${int(limit)}.`,
    tooManyConvBlocks: (count: number, limit: number) => `${count} conv blocks is more than the limit of ${limit}.`,
    tooManyDenseLayers: (count: number, limit: number) => `${count} dense layers is more than the limit of ${limit}.`,
    kernelLargerThanInput: (where: string, kernel: number, inputSize: number) =>
      `${where}: a ${kernel}×${kernel} kernel without padding does not fit its ${inputSize} px map.`,
    pooledBelowOnePixel: (where: string, inputSize: number) => `${where}: a 2×2 pool on a ${inputSize} px map leaves 0 px.`,
    tooManyParameters: (count: number, limit: number) => `${int(count)} parameters is more than the limit of ${int(limit)}.`,
  },

  /** The one-line summary: "c32p-c64p-c128p-f256 · 390,410 parameters". */
  summary: (compact: string, parameters: number) => `${compact} · ${int(parameters)} parameters`,
};

/** `typeof en` with every string widened to `string` and every function returning `string`. */
type Widen<T> = T extends string
  ? string
  : T extends (...args: infer A) => unknown
    ? (...args: A) => string
    : { readonly [K in keyof T]: Widen<T[K]> };

export type ArchMessages = Widen<typeof en>;

const zhInt = (n: number) => formatInteger(n, 'zh');

export const zh: ArchMessages = {
  region: '网络结构',
  heading: '网络',
  preset: '预设',
  presets: {
    simpleCnn: 'SimpleCNN（原程序）',
    constant32: '通道数恒为 32',
    stridedNoPool: '无池化（步幅 2 卷积）',
    globalAvgPool: '全局平均池化',
    batchNorm: '加 BatchNorm',
    lenet5: 'LeNet-5',
    mlp: '两层 MLP（无卷积）',
  },
  presetHints: {
    simpleCnn: '三个 3×3 卷积块，32 → 64 → 128 个通道，每块之后池化：28 → 14 → 7 → 3 像素。',
    constant32: '通道数增加真能弥补分辨率的损失吗？同样的卷积块，每块都是 32 个通道。',
    stridedNoPool: '不用池化也能把特征图减半：步幅 2 的卷积（向上取整：7 → 4）。',
    globalAvgPool: '每个通道取一个平均值来代替展平：128 个特征，fc1 的权重少得多。',
    batchNorm: '每个卷积之后加 BatchNorm（卷积因此不带偏置），位于 ReLU 之前。',
    lenet5: 'LeCun 1998 年的网络：5×5 卷积、平均池化、tanh，没有 dropout。',
    mlp: '把原程序的全连接部分直接用在像素上：卷积块到底带来了什么？',
  },
  custom: '自定义',

  timing: {
    noRun: '按下“训练”时，按这里的设置构建网络。',
    run: '训练中的运行保持它开始时的网络：修改网络需要重置。',
    pendingReset: '这个网络与正在进行的运行不同：按“重置”后才会训练它。',
  },

  conv: {
    heading: '卷积块',
    legend: (block: number) => `卷积块 ${block}`,
    controlPrefix: (block: number) => `卷积块 ${block} `,
    moveUp: (block: number) => `上移卷积块 ${block}`,
    moveDown: (block: number) => `下移卷积块 ${block}`,
    remove: (block: number) => `删除卷积块 ${block}`,
    add: '添加卷积块',
    none: '没有卷积块：图像直接进入头部。',
  },
  dense: {
    heading: '全连接层',
    legend: (layer: number) => `全连接层 ${layer}`,
    controlPrefix: (layer: number) => `全连接层 ${layer} `,
    moveUp: (layer: number) => `上移全连接层 ${layer}`,
    moveDown: (layer: number) => `下移全连接层 ${layer}`,
    remove: (layer: number) => `删除全连接层 ${layer}`,
    add: '添加全连接层',
    output: (name: string) => `输出层 ${name}：10 个类别`,
  },
  atMost: (limit: number) => `最多 ${limit} 个`,
  mapSizes: (input: number, output: number) => `${input}→${output} 像素`,

  fields: {
    channels: '通道数',
    kernel: '卷积核',
    stride: '步幅',
    padding: '填充',
    pooling: '池化',
    batchNorm: 'BatchNorm',
    activation: '激活函数',
    units: '宽度',
    dropout: 'dropout',
  },
  paddings: { same: 'same（补零）', valid: 'valid（不补）' },
  poolings: { max: '最大 2×2', avg: '平均 2×2', none: '无' },
  activations: { relu: 'ReLU', gelu: 'GELU', tanh: 'tanh' },

  head: {
    heading: '头部',
    controlPrefix: '头部',
    kind: '类型',
    kinds: { flatten: '展平', globalAvgPool: '全局平均池化' },
    dropout: '头部之后 dropout',
  },
  dropoutNote: '勾选的每处 dropout 都使用本次运行的 Dropout 概率（在“更多设置”中）。',

  analysis: {
    caption: '各层',
    layer: '层',
    output: '输出',
    parameters: '参数',
    macs: '乘加次数',
    receptiveField: '感受野',
    total: '合计',
    wholeImage: '整幅图像',
    field: (size: number) => `${size}×${size}`,
    conv: (kernel: number, stride: number) => `${kernel}×${kernel} 卷积${stride === 2 ? '，步幅 2' : ''}`,
    batchNorm: 'BatchNorm',
    pool: (pooling: Exclude<Pooling, 'none'>) => (pooling === 'max' ? '最大池化' : '平均池化'),
    flatten: '展平',
    globalAvgPool: '全局平均池化',
    dense: '全连接',
    outputLayer: '输出',
    buffers: (count: number) => `另有 ${zhInt(count)} 个 BatchNorm 运行统计量（保存，但不训练）。`,
    spatial: (sizes: string) => `特征图尺寸：${sizes} 像素。`,
    macsNote: '每张图像的乘加次数，只计卷积层和全连接层。',
    fieldNote: '感受野：一个输出值所依赖的输入像素范围。',
    sentenceGap: '',
    problemMark: '无法工作',
    stopsAtProblem: '表格止于无法工作的那一层。',
    showsInEffect: '表格显示的是当前生效的网络。',
  },

  invalid: {
    heading: '无法构建这个网络：',
    notApplied: (summary: string) => `未应用：当前生效的仍是 ${summary}。`,
  },

  where: {
    spec: '网络',
    conv: (block: number, name: string) => `卷积块 ${block}（${name}）`,
    head: '头部',
    dense: (layer: number, name: string) => `全连接层 ${layer}（${name}）`,
    output: '输出层',
  },
  expected: {
    object: '一个对象',
    list: '一个列表',
    boolean: '开或关',
    integer: '一个整数',
    oneOf: (values: string) => `${values} 之一`,
  },
  problems: {
    unknownVersion: (received: string) => `未知的网络结构版本 ${received}。`,
    malformed: (where: string, field: string, expected: string) => `${where}：${field}必须是${expected}。`,
    unknownField: (where: string, field: string) => `${where}：未知的设置 ${field}。`,
    notPositive: (where: string, field: string, value: number) => `${where}：${field}至少为 1，而不是 ${value}。`,
    tooWide: (where: string, field: string, value: number, limit: number) => `${where}：${field} ${zhInt(value)} 超过了上限 ${zhInt(limit)}。`,
    tooManyConvBlocks: (count: number, limit: number) => `${count} 个卷积块超过了上限 ${limit}。`,
    tooManyDenseLayers: (count: number, limit: number) => `${count} 个全连接层超过了上限 ${limit}。`,
    kernelLargerThanInput: (where: string, kernel: number, inputSize: number) =>
      `${where}：不补零的 ${kernel}×${kernel} 卷积核放不进 ${inputSize} 像素的特征图。`,
    pooledBelowOnePixel: (where: string, inputSize: number) => `${where}：对 ${inputSize} 像素的特征图做 2×2 池化后只剩 0 像素。`,
    tooManyParameters: (count: number, limit: number) => `${zhInt(count)} 个参数超过了上限 ${zhInt(limit)}。`,
  },

  summary: (compact: string, parameters: number) => `${compact} · ${zhInt(parameters)} 个参数`,
};

export const ARCH_MESSAGES: Readonly<Record<Locale, ArchMessages>> = { en, zh };
