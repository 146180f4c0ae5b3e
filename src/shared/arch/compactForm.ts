/**
 * The compact text form of a spec, for the URL (`arch=c32p-c64p-c128p-f256` is SimpleCNN) and for
 * people: every field of the spec round-trips, and the defaults are the seed's choices so typical specs
 * stay short.
 *
 * Grammar (tokens joined by '-', in this order; within a token the options in the order shown, each at
 * most once):
 *
 *   arch   = [ version ] { conv } [ head ] { dense }
 *   version= "v" N                                  only v1 exists; omitted when writing
 *   conv   = "c" N [ "k" K ] [ "s" S ] [ "v" ] [ "b" ] [ "g" | "t" ] [ "p" | "a" ]
 *   head   = ( "flat" | "gap" ) [ "n" ]
 *   dense  = "f" N [ "g" | "t" ] [ "n" ]
 *   N      = "0" | [1-9][0-9]*                      channels / units (0 parses, then validation refuses it)
 *
 *   conv:  k = kernel 3 or 5 (default 3); s = stride 1 or 2 (default 1); v = 'valid' padding (default
 *          'same'); b = BatchNorm; g = GELU, t = tanh (default ReLU); p = 2×2 max pool, a = 2×2 avg pool
 *          (default none).
 *   head:  flat = flatten, gap = global average pooling; omitted = flat. n = no dropout after it.
 *   dense: a hidden layer; g / t as for conv; n = no dropout after it. The 10-way output layer is implied.
 *   Dropout sits after the head and after each dense layer unless marked n (the seed's placement).
 *
 * When writing, defaults are omitted (`k3`, `s1`, a `flat` head), except that a spec with neither conv
 * blocks nor dense layers is written as its head alone (`flat`), since the text must not be empty.
 *
 * Examples: SimpleCNN `c32p-c64p-c128p-f256`; with BatchNorm `c32bp-c64bp-c128bp-f256`; LeNet-5
 * `c6k5ta-c16k5vta-flatn-f120tn-f84tn`; the 2-layer MLP `f256`.
 */
import { ARCH_SPEC_VERSION, type Activation, type ArchSpec, type ConvBlockSpec, type DenseLayerSpec, type HeadSpec } from './archSpec';
import { archProblemText, type ArchProblem } from './problems';
import { checkArchSpec } from './validate';

/** Longer than any spec within the layer limits needs; refused before any parsing. */
export const COMPACT_ARCH_MAX_LENGTH = 400;

export type CompactArchError =
  | { kind: 'empty' }
  | { kind: 'tooLong'; length: number; limit: number }
  /** Not a conv, head, dense or version token (or its options are out of order or repeated). */
  | { kind: 'badToken'; index: number; token: string }
  | { kind: 'badValue'; index: number; token: string; option: 'kernel' | 'stride'; value: number }
  /** A token where its kind may not stand: conv after the head or a dense layer, a second head, … */
  | { kind: 'outOfOrder'; index: number; token: string }
  | { kind: 'unknownVersion'; version: number }
  /** Well formed, but the spec it describes is refused (e.g. `c0`, or a map pooled below 1 px). */
  | { kind: 'invalidSpec'; problems: ArchProblem[] };

export type CompactArchParse = { ok: true; spec: ArchSpec } | { ok: false; error: CompactArchError };

const ACTIVATION_LETTER: Readonly<Record<Activation, string>> = { relu: '', gelu: 'g', tanh: 't' };
const activationOf = (letter: string | undefined): Activation => (letter === 'g' ? 'gelu' : letter === 't' ? 'tanh' : 'relu');

export function formatCompactArch(spec: ArchSpec): string {
  const conv = spec.convBlocks.map(
    (block) =>
      `c${block.channels}` +
      (block.kernel !== 3 ? `k${block.kernel}` : '') +
      (block.stride !== 1 ? `s${block.stride}` : '') +
      (block.padding === 'valid' ? 'v' : '') +
      (block.batchNorm ? 'b' : '') +
      ACTIVATION_LETTER[block.activation] +
      (block.pooling === 'max' ? 'p' : block.pooling === 'avg' ? 'a' : ''),
  );
  const dense = spec.dense.map((layer) => `f${layer.units}${ACTIVATION_LETTER[layer.activation]}${layer.dropoutAfter ? '' : 'n'}`);
  const headIsDefault = spec.head.kind === 'flatten' && spec.head.dropoutAfter;
  const writeHead = !headIsDefault || (conv.length === 0 && dense.length === 0);
  const head = writeHead ? [`${spec.head.kind === 'flatten' ? 'flat' : 'gap'}${spec.head.dropoutAfter ? '' : 'n'}`] : [];
  return [...conv, ...head, ...dense].join('-');
}

const NUMBER = '(0|[1-9][0-9]*)';
const VERSION_TOKEN = new RegExp(`^v${NUMBER}$`);
const CONV_TOKEN = new RegExp(`^c${NUMBER}(?:k${NUMBER})?(?:s${NUMBER})?(v)?(b)?([gt])?([pa])?$`);
const HEAD_TOKEN = /^(flat|gap)(n)?$/;
const DENSE_TOKEN = new RegExp(`^f${NUMBER}([gt])?(n)?$`);

/** Parses the compact form and checks the spec it describes (see `checkArchSpec`). */
export function parseCompactArch(text: string): CompactArchParse {
  const fail = (error: CompactArchError): CompactArchParse => ({ ok: false, error });
  if (text.length > COMPACT_ARCH_MAX_LENGTH) return fail({ kind: 'tooLong', length: text.length, limit: COMPACT_ARCH_MAX_LENGTH });
  if (text === '') return fail({ kind: 'empty' });

  const convBlocks: ConvBlockSpec[] = [];
  const dense: DenseLayerSpec[] = [];
  let head: HeadSpec | null = null;
  for (const [index, token] of text.split('-').entries()) {
    const outOfOrder = () => fail({ kind: 'outOfOrder', index, token });
    const version = VERSION_TOKEN.exec(token);
    const conv = CONV_TOKEN.exec(token);
    const headMatch = HEAD_TOKEN.exec(token);
    const denseMatch = DENSE_TOKEN.exec(token);
    if (version) {
      if (index !== 0) return outOfOrder();
      if (Number(version[1]) !== ARCH_SPEC_VERSION) return fail({ kind: 'unknownVersion', version: Number(version[1]) });
    } else if (conv) {
      if (head || dense.length > 0) return outOfOrder();
      const [, channels, kernel = '3', stride = '1', valid, batchNorm, activation, pooling] = conv;
      if (kernel !== '3' && kernel !== '5') return fail({ kind: 'badValue', index, token, option: 'kernel', value: Number(kernel) });
      if (stride !== '1' && stride !== '2') return fail({ kind: 'badValue', index, token, option: 'stride', value: Number(stride) });
      convBlocks.push({
        channels: Number(channels),
        kernel: kernel === '5' ? 5 : 3,
        stride: stride === '2' ? 2 : 1,
        padding: valid ? 'valid' : 'same',
        batchNorm: Boolean(batchNorm),
        activation: activationOf(activation),
        pooling: pooling === 'p' ? 'max' : pooling === 'a' ? 'avg' : 'none',
      });
    } else if (headMatch) {
      if (head || dense.length > 0) return outOfOrder();
      head = { kind: headMatch[1] === 'flat' ? 'flatten' : 'globalAvgPool', dropoutAfter: !headMatch[2] };
    } else if (denseMatch) {
      dense.push({ units: Number(denseMatch[1]), activation: activationOf(denseMatch[2]), dropoutAfter: !denseMatch[3] });
    } else {
      return fail({ kind: 'badToken', index, token });
    }
  }
  const check = checkArchSpec({ version: ARCH_SPEC_VERSION, convBlocks, head: head ?? { kind: 'flatten', dropoutAfter: true }, dense });
  return check.ok ? { ok: true, spec: check.spec } : fail({ kind: 'invalidSpec', problems: check.problems });
}

/** Why a compact form was refused, in English (the page's Chinese is in src/ui/i18n/zhTexts.ts). */
export function compactArchErrorText(error: CompactArchError): string {
  switch (error.kind) {
    case 'empty':
      return 'it is empty';
    case 'tooLong':
      return `it is ${error.length} characters long, over the ${error.limit} any network needs`;
    case 'badToken':
      return `"${error.token}" (part ${error.index + 1}) is not a conv block (c32p), a head (flat, gap) or a dense layer (f256)`;
    case 'badValue':
      return `"${error.token}" (part ${error.index + 1}) asks for a ${error.option} of ${error.value}; ${error.option === 'kernel' ? '3 or 5' : '1 or 2'} can be had`;
    case 'outOfOrder':
      return `"${error.token}" (part ${error.index + 1}) is out of order: conv blocks, then the head, then dense layers`;
    case 'unknownVersion':
      return `version ${error.version} is unknown; this app reads version ${ARCH_SPEC_VERSION}`;
    case 'invalidSpec':
      return error.problems.map(archProblemText).join(' ');
  }
}
