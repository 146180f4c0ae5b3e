/**
 * Just enough of the WebAssembly binary format to write a module of functions over an imported memory,
 * in code: the GEMM kernels here are generated from a few parameters (rows per tile, fused or separate
 * multiply-add), so emitting their bytes at run time keeps the source the only artifact — no compiler
 * toolchain, no checked-in binary that can drift from it.
 *
 * Format: https://webassembly.github.io/spec/core/binary/ (sections 1, 2, 3, 7, 10), SIMD opcodes from
 * the SIMD proposal, `f32x4.relaxed_madd` from the relaxed-SIMD proposal (both standardized).
 */

/** An exported function as JavaScript sees it: one number per name in its parameter list. */
export type KernelOf<Params extends readonly string[], Result = void> = (...args: { [P in keyof Params]: number }) => Result;

export const I32 = 0x7f;
export const V128 = 0x7b;
export type ValueType = typeof I32 | typeof V128;

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function utf8(name: string): number[] {
  const bytes = [...new TextEncoder().encode(name)];
  return [...uleb(bytes.length), ...bytes];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

const SIMD = 0xfd;
const simd = (op: number): number[] => [SIMD, ...uleb(op)];
/** memarg: alignment exponent (a hint; never above the access's natural alignment) and byte offset. */
const memarg = (alignLog2: number, offset: number): number[] => [...uleb(alignLog2), ...uleb(offset)];

/**
 * The instructions without immediates the kernels use, by their text-format names. Stack order as in
 * the spec: for `v128.andnot`, a & ~b with b on top; `f32x4.relaxed_madd` is a·b + c with c on top,
 * fused where the hardware has FMA.
 */
const OPCODES = {
  return: [0x0f],
  'i32.add': [0x6a],
  'i32.sub': [0x6b],
  'i32.mul': [0x6c],
  'i32.lt_s': [0x48],
  /** Unsigned: for comparing addresses, which may lie above 2 GiB. */
  'i32.lt_u': [0x49],
  'i32.gt_s': [0x4a],
  'f32x4.eq': simd(0x41),
  'f32x4.gt': simd(0x44),
  'v128.and': simd(0x4e),
  'v128.andnot': simd(0x4f),
  'v128.or': simd(0x50),
  /** 1 when every i32 lane is nonzero. */
  'i32x4.all_true': simd(0xa3),
  'f32x4.add': simd(0xe4),
  'f32x4.sub': simd(0xe5),
  'f32x4.mul': simd(0xe6),
  'f32x4.relaxed_madd': simd(0x105),
} as const satisfies Record<string, readonly number[]>;
export type Opcode = keyof typeof OPCODES;

/**
 * A function body under construction: locals are declared up front by name, instructions appended in
 * order (stack machine). Structured control (`block`, `loop`, `if`) takes a callback for its body so
 * nesting in the generator mirrors nesting in the code; branch targets are labels resolved to depths.
 */
export class FunctionBuilder {
  private readonly code: number[] = [];
  private readonly localIndex = new Map<string, number>();
  private readonly localTypes: ValueType[] = [];
  private readonly labels: string[] = [];

  constructor(
    readonly params: ReadonlyArray<readonly [string, ValueType]>,
    readonly results: readonly ValueType[] = [],
  ) {
    params.forEach(([name], i) => this.localIndex.set(name, i));
  }

  local(name: string, type: ValueType): this {
    if (this.localIndex.has(name)) throw new Error(`local ${name} declared twice`);
    this.localIndex.set(name, this.params.length + this.localTypes.length);
    this.localTypes.push(type);
    return this;
  }

  private index(name: string): number {
    const i = this.localIndex.get(name);
    if (i === undefined) throw new Error(`unknown local ${name}`);
    return i;
  }

  private depth(label: string): number {
    const at = this.labels.lastIndexOf(label);
    if (at < 0) throw new Error(`unknown label ${label}`);
    return this.labels.length - 1 - at;
  }

  private structured(opcode: number, label: string, body: () => void): this {
    this.code.push(opcode, 0x40); // empty block type
    this.labels.push(label);
    body();
    this.labels.pop();
    this.code.push(0x0b);
    return this;
  }

  block(label: string, body: () => void): this {
    return this.structured(0x02, label, body);
  }

  loop(label: string, body: () => void): this {
    return this.structured(0x03, label, body);
  }

  /** `if` on the i32 on the stack, with an optional `else`. */
  ifElse(label: string, then: () => void, otherwise?: () => void): this {
    this.code.push(0x04, 0x40);
    this.labels.push(label);
    then();
    if (otherwise) {
      this.code.push(0x05);
      otherwise();
    }
    this.labels.pop();
    this.code.push(0x0b);
    return this;
  }

  br(label: string): this {
    this.code.push(0x0c, ...uleb(this.depth(label)));
    return this;
  }

  brIf(label: string): this {
    this.code.push(0x0d, ...uleb(this.depth(label)));
    return this;
  }

  get(name: string): this {
    this.code.push(0x20, ...uleb(this.index(name)));
    return this;
  }

  set(name: string): this {
    this.code.push(0x21, ...uleb(this.index(name)));
    return this;
  }

  tee(name: string): this {
    this.code.push(0x22, ...uleb(this.index(name)));
    return this;
  }

  /** An instruction that takes no immediates, by its text-format name (see OPCODES). */
  op(name: Opcode): this {
    this.code.push(...OPCODES[name]);
    return this;
  }

  i32(value: number): this {
    this.code.push(0x41, ...sleb(value));
    return this;
  }

  i32Load(offset = 0): this {
    this.code.push(0x28, ...memarg(2, offset));
    return this;
  }

  v128Load(offset = 0): this {
    this.code.push(...simd(0x00), ...memarg(2, offset));
    return this;
  }

  v128Load32Splat(offset = 0): this {
    this.code.push(...simd(0x09), ...memarg(2, offset));
    return this;
  }

  /** Stores the v128 on top of the stack at the address below it. */
  v128Store(offset = 0): this {
    this.code.push(...simd(0x0b), ...memarg(2, offset));
    return this;
  }

  v128Zero(): this {
    this.code.push(...simd(0x0c), ...new Array<number>(16).fill(0));
    return this;
  }

  /** Four f32 lanes of `value`. */
  v128F32(value: number): this {
    const lane = new Uint8Array(new Float32Array([value]).buffer);
    this.code.push(...simd(0x0c));
    for (let i = 0; i < 4; i++) this.code.push(...lane);
    return this;
  }

  /** The body as the code section's entry: size, local declarations, expression, `end`. */
  encode(): number[] {
    if (this.labels.length !== 0) throw new Error('unclosed block');
    const groups: number[][] = [];
    for (const type of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === type) last[0] = (last[0] ?? 0) + 1;
      else groups.push([1, type]);
    }
    const body = [...vector(groups.map(([count, type]) => [...uleb(count ?? 0), type ?? I32])), ...this.code, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

/** A module that imports one memory as env.memory and exports each function by name. */
export function moduleBytes(functions: ReadonlyArray<{ name: string; body: FunctionBuilder }>): Uint8Array<ArrayBuffer> {
  const types = functions.map(({ body }) => [
    0x60,
    ...vector(body.params.map(([, type]) => [type])),
    ...vector(body.results.map((type) => [type])),
  ]);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector(types)),
    ...section(2, vector([[...utf8('env'), ...utf8('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vector(functions.map((_, i) => uleb(i)))),
    ...section(7, vector(functions.map(({ name }, i) => [...utf8(name), 0x00, ...uleb(i)]))),
    ...section(10, vector(functions.map(({ body }) => body.encode()))),
  ];
  return new Uint8Array(bytes);
}

let simdValidates: boolean | undefined;
/**
 * Whether this engine has WebAssembly SIMD (every kernel here needs it; Safari before 16.4 lacks it,
 * and tfjs then runs its non-SIMD build). Cached.
 */
export function simdSupported(): boolean {
  if (simdValidates === undefined) {
    const f = new FunctionBuilder([]);
    f.local('zero', V128);
    f.v128Zero().set('zero');
    simdValidates = WebAssembly.validate(moduleBytes([{ name: 'simd', body: f }]));
  }
  return simdValidates;
}
