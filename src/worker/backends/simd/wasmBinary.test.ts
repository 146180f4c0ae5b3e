/** The WebAssembly encoder: LEB128 edge values, and a small module that validates and runs. */
import { describe, expect, it } from 'vitest';
import { FunctionBuilder, I32, moduleBytes, simdSupported, sleb, uleb } from './wasmBinary';

describe('LEB128', () => {
  it('unsigned', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([127]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(0x105)).toEqual([0x85, 0x02]); // f32x4.relaxed_madd's opcode
    expect(uleb(2 ** 32 - 1)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });

  it('signed', () => {
    expect(sleb(0)).toEqual([0]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-64)).toEqual([0x40]);
    expect(sleb(-65)).toEqual([0xbf, 0x7f]);
  });
});

describe('FunctionBuilder and moduleBytes', () => {
  it('a loop summing 1…n over an imported memory validates and computes', () => {
    const f = new FunctionBuilder([['n', I32]], [I32]);
    f.local('sum', I32);
    f.loop('again', () => {
      f.get('sum').get('n').op('i32.add').set('sum');
      f.get('n').i32(1).op('i32.sub').tee('n').brIf('again');
    });
    f.get('sum');
    const bytes = moduleBytes([{ name: 'triangle', body: f }]);
    expect(WebAssembly.validate(bytes)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    expect((exports['triangle'] as (n: number) => number)(100)).toBe(5050);
  });

  it('names what is wrong: an unknown local or label, a local declared twice', () => {
    const f = new FunctionBuilder([['a', I32]]);
    expect(() => f.get('b')).toThrow(/unknown local b/);
    expect(() => f.br('nowhere')).toThrow(/unknown label nowhere/);
    expect(() => f.local('a', I32)).toThrow(/declared twice/);
  });
});

describe('simdSupported', () => {
  it('is true in Node 20+, as in every browser tfjs runs its SIMD build in', () => {
    expect(simdSupported()).toBe(true);
  });
});
