/**
 * The gradient of 2×2, stride-2 max pooling over maps its windows tile exactly, four channels per
 * instruction: generated WebAssembly (see wasmBinary.ts) for wasmMaxPoolGrad.ts's common case.
 *
 * Each window's gradient goes to the first of its four cells (row-major) that equals the window's
 * maximum, which the forward pass's output gives, and every cell of the window is written (the winner
 * dy, the rest zero), so dx needs no zeroing first. The winner is picked by masks, no branches:
 *   e0 = v0 == max, e1 = v1 == max and not e0, e2 = v2 == max and neither before, e3 likewise;
 *   dx_k = (dy & e_k) + 0   (the + 0 turns −0 into +0, as tfjs's cpu kernel writes).
 * When a lane has no winner, a maximum of −∞ or NaN, or a non-finite dy, the kernel stops and returns
 * 1: the caller then runs its scalar rules for the whole tensor (tfjs's cpu rule: strictly greater than
 * everything before, starting from −∞). Otherwise it returns 0.
 *
 * With the batch read as one tall map (windows tile each image exactly, so window row R covers input
 * rows 2R and 2R + 1 whatever the image), the loops are: window rows, windows in a row, groups of four
 * channels. Channels must be a multiple of 4.
 */
import { FunctionBuilder, I32, V128, moduleBytes, type KernelOf } from './wasmBinary';

export const POOL_GRAD_PARAMS = ['x', 'y', 'dy', 'dx', 'windowRows', 'windowsPerRow', 'channels'] as const;

/**
 * x, dx: [windowRows·2, windowsPerRow·2, channels]; y (the forward output), dy: [windowRows,
 * windowsPerRow, channels]; byte addresses. Returns 0 when done, 1 when the scalar rules are needed.
 */
export type PoolGrad2x2Kernel = KernelOf<typeof POOL_GRAD_PARAMS, number>;

function poolGrad2x2(): FunctionBuilder {
  const f = new FunctionBuilder(POOL_GRAD_PARAMS.map((name) => [name, I32] as const), [I32]);
  f.local('pixelBytes', I32).local('rowBytes', I32).local('dxDelta', I32);
  f.local('rowsLeft', I32).local('windowsLeft', I32).local('groupEnd', I32);
  f.local('rowStart', I32).local('q0', I32).local('q1', I32).local('q2', I32).local('q3', I32).local('py', I32).local('pdy', I32);
  f.local('max', V128).local('g', V128).local('e0', V128).local('e1', V128).local('e2', V128).local('e3', V128).local('seen', V128);

  f.get('channels').i32(4).op('i32.mul').set('pixelBytes');
  f.get('windowsPerRow').get('pixelBytes').op('i32.mul').i32(2).op('i32.mul').set('rowBytes');
  f.get('dx').get('x').op('i32.sub').set('dxDelta');
  f.get('y').set('py');
  f.get('dy').set('pdy');
  f.get('x').set('rowStart');
  f.get('windowRows').set('rowsLeft');

  f.loop('rows', () => {
    f.get('rowStart').set('q0');
    f.get('windowsPerRow').set('windowsLeft');
    f.loop('windows', () => {
      f.get('q0').get('pixelBytes').op('i32.add').set('groupEnd');
      f.loop('groups', () => {
        f.get('q0').get('pixelBytes').op('i32.add').set('q1');
        f.get('q0').get('rowBytes').op('i32.add').set('q2');
        f.get('q2').get('pixelBytes').op('i32.add').set('q3');
        f.get('py').v128Load().set('max');
        f.get('pdy').v128Load().set('g');
        f.get('q0').v128Load().get('max').op('f32x4.eq').tee('e0').set('seen');
        f.get('q1').v128Load().get('max').op('f32x4.eq').get('seen').op('v128.andnot').tee('e1');
        f.get('seen').op('v128.or').set('seen');
        f.get('q2').v128Load().get('max').op('f32x4.eq').get('seen').op('v128.andnot').tee('e2');
        f.get('seen').op('v128.or').set('seen');
        f.get('q3').v128Load().get('max').op('f32x4.eq').get('seen').op('v128.andnot').tee('e3');
        f.get('seen').op('v128.or').set('seen');
        // Every lane has a winner, a maximum above −∞ (NaN compares false), and a finite dy (g − g = 0).
        f.get('seen');
        f.get('max').v128F32(-Infinity).op('f32x4.gt').op('v128.and');
        f.get('g').get('g').op('f32x4.sub').v128F32(0).op('f32x4.eq').op('v128.and');
        f.op('i32x4.all_true').ifElse('ordinary', () => {}, () => {
          f.i32(1).op('return');
        });
        for (const [k, q] of [[0, 'q0'], [1, 'q1'], [2, 'q2'], [3, 'q3']] as const) {
          f.get(q).get('dxDelta').op('i32.add');
          f.get('g').get(`e${k}`).op('v128.and').v128F32(0).op('f32x4.add');
          f.v128Store();
        }
        f.get('py').i32(16).op('i32.add').set('py');
        f.get('pdy').i32(16).op('i32.add').set('pdy');
        f.get('q0').i32(16).op('i32.add').tee('q0').get('groupEnd').op('i32.lt_u').brIf('groups');
      });
      // q0 is at the window's second cell; the next window starts one pixel further.
      f.get('q0').get('pixelBytes').op('i32.add').set('q0');
      f.get('windowsLeft').i32(1).op('i32.sub').tee('windowsLeft').brIf('windows');
    });
    f.get('rowStart').get('rowBytes').i32(2).op('i32.mul').op('i32.add').set('rowStart');
    f.get('rowsLeft').i32(1).op('i32.sub').tee('rowsLeft').brIf('rows');
  });
  f.i32(0);
  return f;
}

const compiled: { module?: WebAssembly.Module } = {};
const instances = new WeakMap<WebAssembly.Memory, PoolGrad2x2Kernel>();

/** The kernel over `memory`, instantiated once per memory. */
export function poolGrad2x2Kernel(memory: WebAssembly.Memory): PoolGrad2x2Kernel {
  let kernel = instances.get(memory);
  if (kernel === undefined) {
    compiled.module ??= new WebAssembly.Module(moduleBytes([{ name: 'poolGrad2x2', body: poolGrad2x2() }]));
    const instance = new WebAssembly.Instance(compiled.module, { env: { memory } });
    kernel = instance.exports['poolGrad2x2'] as PoolGrad2x2Kernel;
    instances.set(memory, kernel);
  }
  return kernel;
}
