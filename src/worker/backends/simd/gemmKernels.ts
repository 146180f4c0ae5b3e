/**
 * The GEMM micro-kernels, generated as a WebAssembly module (see wasmBinary.ts for why generated).
 *
 * `rows{r}` (r = 1 … maxRows) computes r rows of C = A·B, every column, for one slice of the inner
 * dimension:
 *
 *   C[i, j] (+)= Σ_{t < k} A[i, t] · B[t, j]     i < r, j < n,
 *
 * adding to C's values when `accumulate` is 1 (the slices after the first), replacing them when 0.
 * All three operands are row-major in the memory, addressed in bytes with their own row strides, so
 * A and B can be blocks of larger matrices and no operand is repacked. n must be a multiple of 4; k ≥ 1.
 *
 * A tile is r rows × 8 columns (two f32x4 accumulators per row; a last tile of 4 when n mod 8 = 4).
 * Each step of the inner loop loads one row of B's tile (two vectors), splats one A value per row,
 * and does 2·r vector multiply-adds: with r = 4, 8 accumulators, 2 B vectors and a splat stay in the
 * 16 vector registers of x86-64 and the 32 of arm64. `fused` emits `f32x4.relaxed_madd`, a single
 * fused multiply-add where the CPU has one (x86 FMA3, every arm64), instead of `f32x4.mul` +
 * `f32x4.add`: those two compete for the same two vector ports on current x86 cores, so the fused
 * form can do twice the work per cycle. Fused rounds once instead of twice, so its results differ
 * from the separate form's in the last bits, as native FMA code's do.
 *
 * `conv{r}` is the same tile reading its A rows through a table of addresses (convolution without an
 * im2col copy; see convRowsKernel below).
 */
import { FunctionBuilder, I32, V128, moduleBytes, type KernelOf } from './wasmBinary';

export interface GemmKernelOptions {
  /** Rows per tile: the kernels rows1 … rows{maxRows} are emitted. */
  maxRows: number;
  /** f32x4.relaxed_madd (relaxed SIMD) instead of f32x4.mul + f32x4.add. */
  fused: boolean;
}

/** Parameters of every `rows{r}` kernel, in order; addresses, strides and offsets in bytes. */
export const GEMM_KERNEL_PARAMS = ['a', 'aStride', 'b', 'bStride', 'c', 'cStride', 'n', 'k', 'accumulate'] as const;

export type GemmRowsKernel = KernelOf<typeof GEMM_KERNEL_PARAMS>;

/** Locals every tile kernel uses: column position, B pointer, step counter, A pointers, vectors. */
function tileLocals(f: FunctionBuilder, rows: number): void {
  f.local('colBytes', I32).local('nBytes', I32).local('pb', I32).local('steps', I32);
  for (let r = 0; r < rows; r++) f.local(`cRow${r}`, I32).local(`pa${r}`, I32);
  for (let r = 0; r < rows; r++) f.local(`acc${r}_0`, V128).local(`acc${r}_1`, V128);
  f.local('b0', V128).local('b1', V128).local('splat', V128);
}

/**
 * `k` steps of the tile's multiply-adds: each step one row of B's tile from pb (then pb += bStride) and
 * one value of each A row from pa{r} (then pa{r} += 4).
 */
function innerLoop(f: FunctionBuilder, rows: number, vectors: 1 | 2, fused: boolean): void {
  f.get('k').set('steps');
  f.loop('inner', () => {
    for (let v = 0; v < vectors; v++) f.get('pb').v128Load(16 * v).set(`b${v}`);
    for (let r = 0; r < rows; r++) {
      f.get(`pa${r}`).v128Load32Splat().set('splat');
      for (let v = 0; v < vectors; v++) {
        const acc = `acc${r}_${v}`;
        if (fused) f.get('splat').get(`b${v}`).get(acc).op('f32x4.relaxed_madd').set(acc);
        else f.get(acc).get('splat').get(`b${v}`).op('f32x4.mul').op('f32x4.add').set(acc);
      }
      f.get(`pa${r}`).i32(4).op('i32.add').set(`pa${r}`);
    }
    f.get('pb').get('bStride').op('i32.add').set('pb');
    f.get('steps').i32(1).op('i32.sub').tee('steps').brIf('inner');
  });
}

/** C's row starts, and the loop over column tiles: 8 wide, then one of 4 when n mod 8 = 4. */
function columnTiles(f: FunctionBuilder, rows: number, tile: (vectors: 1 | 2) => void): void {
  for (let r = 0; r < rows; r++) f.get('c').get('cStride').i32(r).op('i32.mul').op('i32.add').set(`cRow${r}`);
  f.get('n').i32(4).op('i32.mul').set('nBytes');
  f.i32(0).set('colBytes');
  f.block('wide', () => {
    f.loop('tiles', () => {
      f.get('colBytes').i32(32).op('i32.add').get('nBytes').op('i32.gt_s').brIf('wide');
      tile(2);
      f.br('tiles');
    });
  });
  f.get('nBytes').get('colBytes').op('i32.gt_s').ifElse('narrow', () => tile(1));
}

/** Stores the accumulators to C's tile and moves to the next column tile. */
function storeTile(f: FunctionBuilder, rows: number, vectors: 1 | 2): void {
  for (let r = 0; r < rows; r++) for (let v = 0; v < vectors; v++) {
    f.get(`cRow${r}`).get('colBytes').op('i32.add').get(`acc${r}_${v}`).v128Store(16 * v);
  }
  f.get('colBytes').i32(16 * vectors).op('i32.add').set('colBytes');
}

function rowsKernel(rows: number, fused: boolean): FunctionBuilder {
  const f = new FunctionBuilder(GEMM_KERNEL_PARAMS.map((name) => [name, I32] as const));
  tileLocals(f, rows);
  for (let r = 0; r < rows; r++) f.local(`aRow${r}`, I32);

  for (let r = 0; r < rows; r++) f.get('a').get('aStride').i32(r).op('i32.mul').op('i32.add').set(`aRow${r}`);

  /** One tile of `vectors` × 4 columns starting at column byte offset colBytes. */
  const tile = (vectors: 1 | 2): void => {
    const cAt = (r: number): void => {
      f.get(`cRow${r}`).get('colBytes').op('i32.add');
    };
    f.get('accumulate').ifElse(
      'init',
      () => {
        for (let r = 0; r < rows; r++) for (let v = 0; v < vectors; v++) {
          cAt(r);
          f.v128Load(16 * v).set(`acc${r}_${v}`);
        }
      },
      () => {
        for (let r = 0; r < rows; r++) for (let v = 0; v < vectors; v++) f.v128Zero().set(`acc${r}_${v}`);
      },
    );
    for (let r = 0; r < rows; r++) f.get(`aRow${r}`).set(`pa${r}`);
    f.get('b').get('colBytes').op('i32.add').set('pb');
    innerLoop(f, rows, vectors, fused);
    storeTile(f, rows, vectors);
  };
  columnTiles(f, rows, tile);
  return f;
}

/** Parameters of every `conv{r}` kernel, in order; addresses and strides in bytes. */
export const CONV_KERNEL_PARAMS = ['ind', 'taps', 'b', 'bStride', 'c', 'cStride', 'n', 'k'] as const;

export type ConvRowsKernel = KernelOf<typeof CONV_KERNEL_PARAMS>;

/**
 * The indirect form, for convolution without an im2col copy: A's row i is not one run of memory but
 * `taps` runs of k floats, run t at the address ind[i·taps + t] (an i32 table in the memory; a run of
 * zeros for a tap in the padding). B is the filter, taps·k rows, read straight through.
 */
function convRowsKernel(rows: number, fused: boolean): FunctionBuilder {
  const f = new FunctionBuilder(CONV_KERNEL_PARAMS.map((name) => [name, I32] as const));
  tileLocals(f, rows);
  f.local('tapBytes', I32).local('tapsBytes', I32);
  for (let r = 0; r < rows; r++) f.local(`indRow${r}`, I32);
  f.get('taps').i32(4).op('i32.mul').set('tapsBytes');
  for (let r = 0; r < rows; r++) f.get('ind').get('tapsBytes').i32(r).op('i32.mul').op('i32.add').set(`indRow${r}`);

  const tile = (vectors: 1 | 2): void => {
    for (let r = 0; r < rows; r++) for (let v = 0; v < vectors; v++) f.v128Zero().set(`acc${r}_${v}`);
    f.get('b').get('colBytes').op('i32.add').set('pb');
    f.i32(0).set('tapBytes');
    f.loop('taps', () => {
      for (let r = 0; r < rows; r++) f.get(`indRow${r}`).get('tapBytes').op('i32.add').i32Load().set(`pa${r}`);
      innerLoop(f, rows, vectors, fused);
      f.get('tapBytes').i32(4).op('i32.add').tee('tapBytes').get('tapsBytes').op('i32.lt_s').brIf('taps');
    });
    storeTile(f, rows, vectors);
  };
  columnTiles(f, rows, tile);
  return f;
}

/** The module's bytes: exports rows1 … rows{maxRows} and conv1 … conv{maxRows}, imports env.memory. */
export function gemmModuleBytes({ maxRows, fused }: GemmKernelOptions): Uint8Array<ArrayBuffer> {
  const functions = [];
  for (let r = 1; r <= maxRows; r++) functions.push({ name: `rows${r}`, body: rowsKernel(r, fused) });
  for (let r = 1; r <= maxRows; r++) functions.push({ name: `conv${r}`, body: convRowsKernel(r, fused) });
  return moduleBytes(functions);
}
