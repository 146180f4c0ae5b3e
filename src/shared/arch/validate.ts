/**
 * The gate every spec passes before anything is built from it: a spec from the editor, the URL, a
 * checkpoint or a model file. `checkArchSpec` takes any value (parsed JSON included) and either returns a
 * clean copy of the spec with its analysis, or every reason it cannot work, each naming its layer.
 *
 * Structure first (types, allowed values, widths, layer counts); only a structurally sound spec is walked
 * for the shape problems (a map pooled below 1 px, a 'valid' kernel larger than its map) and the
 * parameter limit. A map cannot be *strided* below 1 px: PyTorch's ⌊(n + 2p − k) / 2⌋ + 1 is at least 1
 * whenever the kernel fits, and when it does not the kernel problem is reported.
 */
import {
  ACTIVATIONS,
  ARCH_LIMITS,
  ARCH_SPEC_VERSION,
  HEAD_KINDS,
  KERNEL_SIZES,
  PADDINGS,
  POOLINGS,
  STRIDES,
  type ArchSpec,
  type ConvBlockSpec,
  type DenseLayerSpec,
  type HeadSpec,
} from './archSpec';
import { analyzeArch, type ArchAnalysis } from './analysis';
import type { ArchLayerRef, ArchProblem, ExpectedValue } from './problems';

export type ArchCheck =
  | { ok: true; spec: ArchSpec; analysis: ArchAnalysis }
  /** `analysis` is there when the structure was sound and only the shapes or the size failed. */
  | { ok: false; problems: ArchProblem[]; analysis: ArchAnalysis | null };

export function checkArchSpec(value: unknown): ArchCheck {
  const problems: ArchProblem[] = [];
  const spec = readSpec(value, problems);
  if (!spec || problems.length > 0) return { ok: false, problems, analysis: null };
  const analysis = analyzeArch(spec);
  if (analysis.problems.length > 0) return { ok: false, problems: analysis.problems, analysis };
  return { ok: true, spec, analysis };
}

type Fields = Record<string, unknown>;

/** A short rendering of an unexpected value for a problem report (values can be anything, e.g. from a URL). */
function received(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? 'a list' : typeof value === 'object' && value !== null ? 'an object' : String(value);
  return text.length > 24 ? `${text.slice(0, 23)}…` : text;
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads one object's fields, reporting missing, mistyped and unknown ones; returns null if any failed. */
class FieldReader {
  private failed = false;

  constructor(
    private readonly fields: Fields,
    private readonly at: ArchLayerRef,
    private readonly problems: ArchProblem[],
    known: readonly string[],
  ) {
    for (const field of Object.keys(fields)) {
      if (!known.includes(field)) {
        this.problems.push({ kind: 'unknownField', at, field });
        this.failed = true;
      }
    }
  }

  get ok(): boolean {
    return !this.failed;
  }

  private malformed(field: string, expected: ExpectedValue): undefined {
    this.problems.push({ kind: 'malformed', at: this.at, field, expected, received: received(this.fields[field]) });
    this.failed = true;
    return undefined;
  }

  oneOf<T extends string | number>(field: string, values: readonly T[]): T | undefined {
    const value = this.fields[field];
    return values.includes(value as T) ? (value as T) : this.malformed(field, { type: 'oneOf', values });
  }

  boolean(field: string): boolean | undefined {
    const value = this.fields[field];
    return typeof value === 'boolean' ? value : this.malformed(field, { type: 'boolean' });
  }

  /** A width: a whole number, at least 1, at most `limit`. */
  width(field: 'channels' | 'units', limit: number): number | undefined {
    const value = this.fields[field];
    if (typeof value !== 'number' || !Number.isInteger(value)) return this.malformed(field, { type: 'integer' });
    if (value < 1) this.problems.push({ kind: 'notPositive', at: this.at, field, value });
    else if (value > limit) this.problems.push({ kind: 'tooWide', at: this.at, field, value, limit });
    else return value;
    this.failed = true;
    return undefined;
  }
}

function readSpec(value: unknown, problems: ArchProblem[]): ArchSpec | null {
  const specAt: ArchLayerRef = { kind: 'spec' };
  if (!isObject(value)) {
    problems.push({ kind: 'malformed', at: specAt, field: 'spec', expected: { type: 'object' }, received: received(value) });
    return null;
  }
  if (value.version !== ARCH_SPEC_VERSION) {
    problems.push({ kind: 'unknownVersion', received: received(value.version) });
    return null;
  }
  const reader = new FieldReader(value, specAt, problems, ['version', 'convBlocks', 'head', 'dense']);
  const convBlocks = readList(value, 'convBlocks', ARCH_LIMITS.convBlocks, problems, (item, block) => readConvBlock(item, { kind: 'conv', block }, problems));
  const head = readHead(value.head, problems);
  const dense = readList(value, 'dense', ARCH_LIMITS.denseLayers, problems, (item, index) => readDense(item, { kind: 'dense', index }, problems));
  if (!reader.ok || !convBlocks || !head || !dense) return null;
  return { version: ARCH_SPEC_VERSION, convBlocks, head, dense };
}

function readList<T>(
  spec: Fields,
  field: 'convBlocks' | 'dense',
  limit: number,
  problems: ArchProblem[],
  readItem: (item: unknown, index: number) => T | null,
): T[] | null {
  const list = spec[field];
  if (!Array.isArray(list)) {
    problems.push({ kind: 'malformed', at: { kind: 'spec' }, field, expected: { type: 'list' }, received: received(list) });
    return null;
  }
  if (list.length > limit) {
    // Checked before the items, so a URL asking for thousands of layers is not read layer by layer.
    problems.push({ kind: 'tooManyLayers', field, count: list.length, limit });
    return null;
  }
  const items = list.map(readItem);
  return items.every((item) => item !== null) ? (items as T[]) : null;
}

function readConvBlock(value: unknown, at: ArchLayerRef, problems: ArchProblem[]): ConvBlockSpec | null {
  if (!isObject(value)) {
    problems.push({ kind: 'malformed', at, field: 'block', expected: { type: 'object' }, received: received(value) });
    return null;
  }
  const r = new FieldReader(value, at, problems, ['channels', 'kernel', 'stride', 'padding', 'batchNorm', 'activation', 'pooling']);
  const block = {
    channels: r.width('channels', ARCH_LIMITS.channels),
    kernel: r.oneOf('kernel', KERNEL_SIZES),
    stride: r.oneOf('stride', STRIDES),
    padding: r.oneOf('padding', PADDINGS),
    batchNorm: r.boolean('batchNorm'),
    activation: r.oneOf('activation', ACTIVATIONS),
    pooling: r.oneOf('pooling', POOLINGS),
  };
  return r.ok ? (block as ConvBlockSpec) : null;
}

function readHead(value: unknown, problems: ArchProblem[]): HeadSpec | null {
  const at: ArchLayerRef = { kind: 'head' };
  if (!isObject(value)) {
    problems.push({ kind: 'malformed', at, field: 'head', expected: { type: 'object' }, received: received(value) });
    return null;
  }
  const r = new FieldReader(value, at, problems, ['kind', 'dropoutAfter']);
  const head = { kind: r.oneOf('kind', HEAD_KINDS), dropoutAfter: r.boolean('dropoutAfter') };
  return r.ok ? (head as HeadSpec) : null;
}

function readDense(value: unknown, at: ArchLayerRef, problems: ArchProblem[]): DenseLayerSpec | null {
  if (!isObject(value)) {
    problems.push({ kind: 'malformed', at, field: 'layer', expected: { type: 'object' }, received: received(value) });
    return null;
  }
  const r = new FieldReader(value, at, problems, ['units', 'activation', 'dropoutAfter']);
  const layer = { units: r.width('units', ARCH_LIMITS.units), activation: r.oneOf('activation', ACTIVATIONS), dropoutAfter: r.boolean('dropoutAfter') };
  return r.ok ? (layer as DenseLayerSpec) : null;
}
